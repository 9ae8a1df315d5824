// npm run bench [-- options]: bundles the benchmark (esbuild, into out/bench) and runs it; `profile` as the first
// argument runs the decoder-step profile instead (npm run bench:profile), `retranslate` the sentence cache's
// before/after (npm run bench:retranslate), `builds` onnxruntime-web's plain and asyncify builds side by side
// (npm run bench:builds), `paths` plain translation's step graphs side by side (npm run bench:paths), `tiering` a fresh
// Node process with V8's default and deferred WebAssembly tier-up (npm run bench:tiering).
// Options: node out/bench/cli.js --help.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'out/bench');
const node = { bundle: true, sourcemap: true, logLevel: 'warning', platform: 'node', format: 'cjs', target: 'node18', absWorkingDir: repo };

await Promise.all([
  esbuild.build({ ...node, entryPoints: ['bench/cli.ts', 'bench/nodeRunner.ts', 'bench/profileStep.ts', 'bench/retranslate.ts', 'bench/ortBuilds.ts', 'bench/stepPaths.ts', 'bench/wasmTiering.ts'], outdir: out, external: ['onnxruntime-web', 'playwright-core'] }),
  // The page: the webview's engine host with onnxruntime-web bundled in, as dist/webview.js has it.
  esbuild.build({ bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: repo, entryPoints: ['bench/browserPage.ts'], outdir: out,
    platform: 'browser', format: 'esm', target: 'es2022', loader: { '.css': 'text' } }),
]);

const [first, ...rest] = process.argv.slice(2);
const modes = { profile: 'profileStep.js', retranslate: 'retranslate.js', builds: 'ortBuilds.js', paths: 'stepPaths.js', tiering: 'wasmTiering.js' };
const script = modes[first] ?? 'cli.js';
const args = modes[first] ? rest : process.argv.slice(2);
const r = spawnSync(process.execPath, [join(out, script), ...args], { cwd: repo, stdio: 'inherit' });
process.exit(r.status ?? 1);
