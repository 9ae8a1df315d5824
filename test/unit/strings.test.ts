// The webviews' strings (webview/strings/): every text is there in both languages (the key set itself is typed:
// a missing or extra Korean key does not compile), none empty, with the same placeholders, and prose translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayLang, en, ko, placeholders, translator, type StringKey } from '../../webview/strings';

const keys = Object.keys(en).sort() as StringKey[];

test('no string is empty', () => {
  for (const [name, table] of [['en', en], ['ko', ko]] as const) {
    for (const [k, v] of Object.entries(table)) assert.ok(typeof v === 'string' && v.trim() !== '', `${name}: "${k}" is empty`);
  }
});

test('both languages use the same placeholders', () => {
  for (const k of keys) assert.deepEqual(placeholders(ko[k]), placeholders(en[k]), `placeholders of "${k}"`);
});

test('Korean strings are Korean where the English ones are prose', () => {
  // A Korean table entry identical to the English one is only right for names and formulas.
  const names = new Set<StringKey>(['app.title']);   // the paper's title stays in English
  const same = keys.filter((k) => !names.has(k) && ko[k] === en[k] && /[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}/i.test(en[k]));
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
  assert.equal(translator('ko')('panel.stepN', { n: 2, total: 5 }), '2 / 5 단계');
  assert.equal(translator('en')('panel.meta', { from: 'en', to: 'ko', beam: 4, time: '12 ms' }), 'en → ko · beam 4 · 12 ms');
});
