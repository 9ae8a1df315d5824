// Sentence splitting (with offsets) and language detection / the auto target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitSentences } from '../../src/engine/sentences';
import { detectLanguage, resolveTarget } from '../../src/engine/language';

test('splits English, Korean and German sentences and keeps offsets', () => {
  const text = 'Attention is all you need. It uses e.g. multi-head attention! 은행에 가서 돈을 찾았다. 그리고 집에 갔다.\nDas ist gut.';
  const spans = splitSentences(text);
  assert.deepEqual(spans.map((s) => s.text), [
    'Attention is all you need.', 'It uses e.g. multi-head attention!', '은행에 가서 돈을 찾았다.', '그리고 집에 갔다.', 'Das ist gut.',
  ]);
  for (const s of spans) assert.equal(text.slice(s.start, s.end), s.text);
});

test('does not split decimals, abbreviations or a sentence without final punctuation', () => {
  assert.deepEqual(splitSentences('BLEU rose to 28.4 on newstest2014 (Fig. 2) in 3.5 days').map((s) => s.text), ['BLEU rose to 28.4 on newstest2014 (Fig. 2) in 3.5 days']);
  assert.deepEqual(splitSentences('   '), []);
});

test('cuts over-long sentences at a space', () => {
  const long = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
  const spans = splitSentences(long, 120);
  assert.ok(spans.length > 1);
  for (const s of spans) assert.ok(s.text.length <= 120);
  assert.equal(spans.map((s) => s.text).join(' '), long);
});

test('detects Korean, German and English', () => {
  assert.equal(detectLanguage('은행에 가서 돈을 찾았다'), 'ko');
  assert.equal(detectLanguage('Transformer 모델은 어텐션만 사용한다'), 'ko');
  assert.equal(detectLanguage('Die Katze sitzt auf der Matte und schläft.'), 'de');
  assert.equal(detectLanguage('The cat sits on the mat.'), 'en');
  assert.equal(detectLanguage('Attention'), 'en');
});

test('auto target: ko→en, en→ko, de→en; explicit targets are kept unless equal to the source', () => {
  assert.equal(resolveTarget('auto', 'ko'), 'en');
  assert.equal(resolveTarget('auto', 'en'), 'ko');
  assert.equal(resolveTarget('auto', 'de'), 'en');
  assert.equal(resolveTarget('de', 'en'), 'de');
  assert.equal(resolveTarget('en', 'en'), 'ko');
});
