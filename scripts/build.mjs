// Lean build: esbuild bundles the extension host, the webview, the CLI and the tests; copies ort wasm.
// Usage: node scripts/build.mjs [--production] [--tests]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

/** Every *.test.ts under test/unit and test/golden, bundled one file each for `node --test`. */
function testEntries() {
  const found = [];
  for (const dir of ['test/unit', 'test/golden']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.endsWith('.test.ts')) found.push(join(dir, name));
  }
  return found;
}

const builds = [
  // Extension host: Node, CommonJS, vscode provided by the editor.
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js',
    platform: 'node', format: 'cjs', target: 'node18', external: ['vscode'] }),
  // Webview: browser ESM; onnxruntime-web is bundled in.
  esbuild.build({ ...common, entryPoints: { webview: 'webview/main.ts', companion: 'webview/companion/main.ts' }, outdir: 'dist',
    platform: 'browser', format: 'esm', target: 'es2022', loader: { '.css': 'text' } }),
  // Command-line entry over the same engine (onnxruntime-web's WASM backend in Node).
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js',
    platform: 'node', format: 'cjs', target: 'node18', external: ['onnxruntime-web'],
    banner: { js: '#!/usr/bin/env node' } }),
];
if (withTests) {
  builds.push(esbuild.build({ ...common, sourcemap: true, entryPoints: testEntries(), outdir: 'out/test',
    outbase: 'test', platform: 'node', format: 'cjs', target: 'node18', external: ['onnxruntime-web', 'vscode'] }));
}
await Promise.all(builds);

// onnxruntime-web fetches its .wasm/.mjs at run time: ship them beside the webview bundle.
const ortDist = 'node_modules/onnxruntime-web/dist';
mkdirSync('dist/ort', { recursive: true });
for (const name of readdirSync(ortDist)) {
  if (/^ort-wasm-simd-threaded\.asyncify\.(wasm|mjs)$/.test(name) && statSync(join(ortDist, name)).isFile()) {
    cpSync(join(ortDist, name), join('dist/ort', name));
  }
}
