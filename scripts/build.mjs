// Lean build: esbuild bundles the extension host, the webviews, their engine worker, the CLI and the tests; copies ort wasm.
// Usage: node scripts/build.mjs [--production] [--tests]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

/** Every *.test.ts under test/unit, test/golden and test/soak, bundled one file each for `node --test`. */
function testEntries() {
  const found = [];
  for (const dir of ['test/unit', 'test/golden', 'test/soak']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.endsWith('.test.ts')) found.push(join(dir, name));
  }
  return found;
}

const builds = [
  // Extension host: Node, CommonJS, vscode provided by the editor.
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js',
    platform: 'node', format: 'cjs', target: 'node18', external: ['vscode'] }),
  // Webviews and their engine worker: browser ESM. onnxruntime-web (its JavaScript glue included) is bundled into the
  // worker only; the pages start the worker from its text (webview/engine/engineWorker.ts). Its name: ENGINE_WORKER_SCRIPT (src/shared/protocol.ts).
  esbuild.build({ ...common, entryPoints: { webview: 'webview/main.ts', companion: 'webview/companion/main.ts', engineWorker: 'webview/engine/worker.ts' },
    outdir: 'dist', platform: 'browser', format: 'esm', target: 'es2022', loader: { '.css': 'text' } }),
  // Command-line entry over the same engine (onnxruntime-web's WASM backend in Node).
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js',
    platform: 'node', format: 'cjs', target: 'node18', external: ['onnxruntime-web'],
    banner: { js: '#!/usr/bin/env node' } }),
  // The extension host's text process (src/node/textProcess.ts): Node ESM with onnxruntime-web's WebAssembly build
  // bundled (its glue included: the .vsix has no node_modules); it reads the binary from dist/ort/.
  esbuild.build({ ...common, entryPoints: ['src/node/textProcess.ts'], outfile: 'dist/textProcess.mjs',
    platform: 'node', format: 'esm', target: 'node18' }),
];
if (withTests) {
  builds.push(esbuild.build({ ...common, sourcemap: true, entryPoints: testEntries(), outdir: 'out/test',
    outbase: 'test', platform: 'node', format: 'cjs', target: 'node18', external: ['onnxruntime-web', 'vscode'] }));
}
await Promise.all(builds);

// onnxruntime-web's binaries, one per backend (webview/engine/ortRuntimes.ts), read by the page and handed to the
// worker (ort.env.wasm.wasmBinary); their .mjs glue is in the worker's bundle, so only the .wasm files ship.
const ortDist = 'node_modules/onnxruntime-web/dist';
mkdirSync('dist/ort', { recursive: true });
for (const name of readdirSync('dist/ort')) if (name.endsWith('.mjs')) rmSync(join('dist/ort', name));
for (const name of readdirSync(ortDist)) {
  if (/^ort-wasm-simd-threaded(\.asyncify)?\.wasm$/.test(name) && statSync(join(ortDist, name)).isFile()) {
    cpSync(join(ortDist, name), join('dist/ort', name));
  }
}
