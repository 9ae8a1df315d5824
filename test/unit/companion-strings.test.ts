// The paper companion's strings: English and Korean have the same keys, none empty, the same placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayLang, en, ko, placeholders, translator } from '../../webview/companion/strings';

const enKeys = Object.keys(en).sort();
const koKeys = Object.keys(ko).sort();

test('every English key has its Korean text', () => {
  const missing = enKeys.filter((k) => !(k in ko));
  assert.deepEqual(missing, [], `keys without Korean: ${missing.join(', ')}`);
});

test('every Korean key has its English text', () => {
  const missing = koKeys.filter((k) => !(k in en));
  assert.deepEqual(missing, [], `keys without English: ${missing.join(', ')}`);
});

test('no string is empty', () => {
  for (const [name, table] of [['en', en], ['ko', ko]] as const) {
    for (const [k, v] of Object.entries(table)) assert.ok(typeof v === 'string' && v.trim() !== '', `${name}: "${k}" is empty`);
  }
});

test('both languages use the same placeholders', () => {
  for (const k of enKeys) {
    assert.deepEqual(placeholders((ko as Record<string, string>)[k] ?? ''), placeholders((en as Record<string, string>)[k]), `placeholders of "${k}"`);
  }
});

test('Korean strings are Korean where the English ones are prose', () => {
  // A Korean table entry identical to the English one is only right for names and formulas.
  const names = new Set(['app.title']);   // the paper's title stays in English
  const same = enKeys.filter((k) => !names.has(k) && (ko as Record<string, string>)[k] === (en as Record<string, string>)[k]
    && /[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}/i.test((en as Record<string, string>)[k]));
  assert.deepEqual(same, [], `untranslated: ${same.join(', ')}`);
});

test('translator fills placeholders and follows the display language', () => {
  assert.equal(displayLang('ko'), 'ko');
  assert.equal(displayLang('ko-KR'), 'ko');
  assert.equal(displayLang('en-US'), 'en');
  assert.equal(displayLang('kok'), 'en');
  assert.equal(displayLang(undefined), 'en');
  assert.equal(translator('en')('common.headN', { n: 3 }), 'Head 3');
  assert.equal(translator('ko')('common.headN', { n: 3 }), '헤드 3');
  assert.equal(translator('en')('common.layerOf', { n: 2 }), 'Layer 2 of {total}');
});
