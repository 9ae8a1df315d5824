// The host / webview boundary, read from the import lines: the extension host (src/ outside shared/ and engine/)
// never imports webview code, the webviews import from src/ only shared/ (protocol, data shapes) and engine/ (the
// runtime-agnostic engine they host), and shared/ and engine/ import neither side nor vscode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every import of every .ts file under `dir`: [importing file, imported module] (relative ones resolved from the root). */
function imports(dir: string): [string, string][] {
  return sources(join(root, dir)).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/gm)]
    .map((m): [string, string] => [relative(root, file), m[1].startsWith('.') ? relative(root, resolve(dirname(file), m[1])) : m[1]]));
}

const area = (path: string) => (path.startsWith('webview/') ? 'webview' : /^src\/(shared|engine)\//.test(path) ? path.split('/')[1] : path.startsWith('src/') ? 'host' : 'other');

test('the extension host imports no webview code', () => {
  const crossing = imports('src').filter(([from, to]) => area(from) === 'host' && area(to) === 'webview');
  assert.deepEqual(crossing, []);
});

test('the webviews import from src/ only shared/ and engine/', () => {
  const crossing = imports('webview').filter(([, to]) => area(to) === 'host');
  assert.deepEqual(crossing, []);
});

test('shared/ and engine/ import neither side, nor vscode', () => {
  const bad = [...imports('src/shared'), ...imports('src/engine')].filter(([, to]) => to === 'vscode' || area(to) === 'host' || area(to) === 'webview');
  assert.deepEqual(bad, []);
});

test('the scan sees the imports it checks', () => {
  assert.ok(imports('webview').some(([, to]) => to === 'src/shared/protocol'), 'webview -> src/shared/protocol');
  assert.ok(imports('src').some(([from, to]) => area(from) === 'host' && to === 'src/shared/protocol'), 'host -> src/shared/protocol');
});

test('settings are read and written only through src/config.ts', () => {
  const readers = sources(join(root, 'src')).map((f) => relative(root, f))
    .filter((f) => f !== 'src/config.ts' && /\bgetConfiguration\s*\(/.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(readers, []);
  assert.match(readFileSync(join(root, 'src/config.ts'), 'utf8'), /\bgetConfiguration\s*\(/, 'the scan looks for what config.ts does');
});

test('one labelling rule: no view defines its own special-token or byte-piece pattern', () => {
  // The rule lives in src/engine/tokenLabels.ts (and the tokenizer knows its own byte pieces); a second regex for
  // <2xx>/</s> or <0xNN> elsewhere is a second rule that can disagree (as two did on byte pieces).
  const own = new Set(['src/engine/tokenLabels.ts', 'src/engine/tokenizer.ts']);
  const patterns = [/\\\/\?s\|/, /0x\(?\[0-9A-F/i];
  const found = [...sources(join(root, 'src')), ...sources(join(root, 'webview'))].map((f) => relative(root, f))
    .filter((f) => !own.has(f) && patterns.some((p) => p.test(readFileSync(join(root, f), 'utf8'))));
  assert.deepEqual(found, []);
});
