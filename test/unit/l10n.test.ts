// Every user-facing string has its Korean: vscode.l10n.t() calls in src/, and package.json's %keys%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LANG_NAMES } from '../../src/shared/manifest';

const root = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The string literals passed first to vscode.l10n.t(...), unescaped as JavaScript would. */
function l10nKeys(): string[] {
  const keys = new Set<string>(Object.values(LANG_NAMES));
  for (const file of sources(join(root, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) {
      keys.add(JSON.parse('"' + m[1].replace(/\\'/g, "'").replace(/"/g, '\\"') + '"'));
    }
  }
  return [...keys];
}

test('every vscode.l10n.t string has a Korean translation', () => {
  const ko = JSON.parse(readFileSync(join(root, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
  const keys = l10nKeys();
  assert.ok(keys.length > 20, `found only ${keys.length} strings: is the scan broken?`);
  const missing = keys.filter((k) => !ko[k]?.trim());
  assert.deepEqual(missing, [], `strings without Korean in l10n/bundle.l10n.ko.json:\n${missing.join('\n')}`);
  for (const k of keys) {
    const placeholders = (s: string) => (s.match(/\{\d\}/g) ?? []).sort().join();
    assert.equal(placeholders(ko[k]), placeholders(k), `placeholders differ for ${JSON.stringify(k)}`);
  }
});

test('every package.json %key% has English and Korean text', () => {
  const pkg = readFileSync(join(root, 'package.json'), 'utf8');
  const keys = [...new Set([...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]))];
  const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
  const ko = JSON.parse(readFileSync(join(root, 'package.nls.ko.json'), 'utf8'));
  assert.ok(keys.length > 10);
  assert.deepEqual(keys.filter((k) => !en[k]), [], 'keys missing from package.nls.json');
  assert.deepEqual(keys.filter((k) => !ko[k]), [], 'keys missing from package.nls.ko.json');
});
