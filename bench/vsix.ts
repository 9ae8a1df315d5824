// The .vsix the benchmark sizes: dist/attention-companion.vsix, packaged (npm run package) when missing or older
// than its sources, the way test/e2e/run.mjs decides.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const INPUTS = ['src', 'webview', 'media', 'models', 'package.json', 'scripts/build.mjs', 'tsconfig.json', '.vscodeignore', 'README.md', 'LICENSE'];

function newestMtime(path: string, depth = 0): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  if (depth > 8 || /(^|\/)(node_modules|__pycache__|training|\.git)$/.test(path)) return 0;
  return Math.max(0, ...readdirSync(path).map((e) => newestMtime(join(path, e), depth + 1)));
}

export interface VsixSize { bytes: number; path: string; packaged: boolean }

/** Packages when needed (a minute or two): the size is of what `npm run package` makes from this tree. */
export function vsixSize(repo: string, progress: (line: string) => void): VsixSize {
  const path = join(repo, 'dist/attention-companion.vsix');
  const stale = !existsSync(path) || statSync(path).mtimeMs < Math.max(...INPUTS.map((p) => newestMtime(join(repo, p))));
  if (stale) {
    progress(`packaging ${path} (npm run package)`);
    // stdin closed: vsce's questions must fail, not wait.
    const r = spawnSync('npm', ['run', 'package'], { cwd: repo, encoding: 'utf8', input: '', timeout: 900_000 });
    if (r.status !== 0 || !existsSync(path)) {
      throw new Error(`npm run package failed (exit ${r.status}): ${(r.stdout + r.stderr).trim().split('\n').slice(-8).join(' | ')}`);
    }
  }
  return { bytes: statSync(path).size, path, packaged: stale };
}
