// The pieces the translator sends to the model: none over the model's limit in tokens, no character or
// cluster cut in two, and together with the whitespace between them exactly the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitTokenLimit, sourceChunks } from '../../src/engine/chunks';
import { chooseCut, isClusterBoundary } from '../../src/engine/cutPoints';
import { splitSentences, type SentenceSpan } from '../../src/engine/sentences';
import { joinPlainResults } from '../../src/engine/translator';
import type { SentenceResult, TokenInfo } from '../../src/shared/results';
import { goldenTokenizer, show } from './tokenizerProperties';
import { randomText, seededRandom } from './randomText';

const tok = goldenTokenizer();
const MODEL_LIMIT = 254;                // maxLen 256 less the target tag and </s>
const tokens = (s: string) => tok.encode(s).ids.length;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const cutsPair = (text: string, i: number) => i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
/** Cutting before a combining mark, a joiner or a modifier, or after a joiner, splits what reads as one character. */
const cutsCluster = (text: string, i: number) => i > 0 && i < text.length
  && (/^[\p{M}\u200d\p{Emoji_Modifier}]/u.test(text.slice(i)) || text[i - 1] === '\u200d');

/** Spans are slices of `text`, in order, and the text between them is whitespace: together they give the input back. */
function coverageProblem(text: string, spans: SentenceSpan[]): string | null {
  let pos = 0;
  let rebuilt = '';
  for (const [k, s] of spans.entries()) {
    if (s.text !== text.slice(s.start, s.end)) return `span ${k} text is not text.slice(${s.start}, ${s.end})`;
    if (s.text.length === 0) return `span ${k} is empty`;
    if (s.start < pos) return `span ${k} starts at ${s.start}, before the previous end ${pos}`;
    const gap = text.slice(pos, s.start);
    if (/\S/.test(gap)) return `${show(gap)} before span ${k} is in no span`;
    rebuilt += gap + s.text;
    pos = s.end;
  }
  const tail = text.slice(pos);
  if (/\S/.test(tail)) return `${show(tail)} at the end is in no span`;
  return rebuilt + tail === text ? null : 'spans and gaps do not give the input back';
}

function boundaryProblem(text: string, spans: SentenceSpan[], clustersFit: boolean): string | null {
  for (const s of spans) {
    for (const at of [s.start, s.end]) {
      if (cutsPair(text, at)) return `a span boundary at ${at} cuts a surrogate pair`;
      if (clustersFit && cutsCluster(text, at)) return `a span boundary at ${at} cuts ${show(text.slice(Math.max(0, at - 3), at + 3))}`;
    }
  }
  return null;
}

test('the inputs of issue 11 lose no character and no chunk exceeds the model limit', () => {
  const r = seededRandom(11);
  const cjk = Array.from({ length: 400 }, () => String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5000))).join('');
  const word = Array.from({ length: 10_000 }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('');
  const emoji = Array.from({ length: 200 }, () => String.fromCodePoint(0x1f600 + Math.floor(r() * 64))).join('');
  for (const [name, text] of [['400 CJK characters', cjk], ['a 10,000-character word', word], ['200 emoji', emoji]]) {
    const spans = sourceChunks(text, tok, MODEL_LIMIT);
    assert.ok(spans.length > 1, `${name}: longer than the model reads, so more than one chunk`);
    assert.equal(coverageProblem(text, spans), null, name);
    assert.equal(boundaryProblem(text, spans, true), null, name);
    const over = spans.map((s) => tokens(s.text)).filter((n) => n > MODEL_LIMIT);
    assert.deepEqual(over, [], `${name}: chunks over ${MODEL_LIMIT} tokens`);
    // No text is lost to the tokenizer either: the chunks' tokens cover every character that is not a space.
    for (const s of spans) {
      const covered = new Uint8Array(s.text.length);
      for (const [a, b] of tok.encode(s.text).offsets) covered.fill(1, a, b);
      assert.ok(covered.every((c, i) => c === 1 || s.text[i] === ' '), `${name}: characters outside every token`);
    }
  }
});

test('random texts: every chunk fits, nothing is cut in two, the chunks and gaps give the input back', () => {
  const r = seededRandom(2025);
  for (let n = 0; n < 60; n++) {
    const text = randomText(r, 5 + Math.floor(r() * 400));
    for (const limit of [MODEL_LIMIT, 32, 8]) {
      const spans = sourceChunks(text, tok, limit);
      const where = `case ${n}, limit ${limit}: ${show(text)}`;
      assert.equal(coverageProblem(text, spans), null, where);
      // The longest cluster in these texts (a ZWJ family emoji) takes 19 tokens: only larger limits keep every cluster whole.
      assert.equal(boundaryProblem(text, spans, limit >= 32), null, where);
      for (const s of spans) assert.ok(tokens(s.text) <= limit, `${where}: ${show(s.text)} has ${tokens(s.text)} tokens`);
    }
  }
});

test('a long sentence is cut at spaces, into chunks as long as the limit allows', () => {
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
  const text = words.join(' ') + '.';
  const spans = fitTokenLimit(text, { text, start: 0, end: text.length }, tok, 40);
  assert.ok(spans.length > 1);
  for (const s of spans) {
    assert.ok(tokens(s.text) <= 40);
    assert.ok(s.start === 0 || text[s.start - 1] === ' ', `${show(s.text)} does not start after a space`);
  }
  assert.equal(spans.map((s) => s.text).join(' '), text);
  // Cut at the last space that fits, so a chunk and the first word of the next one would not fit together.
  for (let k = 0; k + 1 < spans.length; k++) {
    const nextWord = spans[k + 1].text.split(' ')[0];
    assert.ok(tokens(spans[k].text + ' ' + nextWord) > 40, `chunk ${k} could have taken ${show(nextWord)}`);
  }
});

test('a sentence that fits is one chunk, and sentences still split where they end', () => {
  const text = 'Attention is all you need. 은행에 가서 돈을 찾았다.\nDas ist gut.';
  assert.deepEqual(sourceChunks(text, tok, MODEL_LIMIT), splitSentences(text));
  assert.deepEqual(sourceChunks('   \n ', tok, MODEL_LIMIT), []);
});

test('cut points: never inside a surrogate pair or a cluster, preferably at a space', () => {
  assert.equal(chooseCut('abc def ghi', 0, 9), 7);                 // before the last space in reach
  assert.equal(chooseCut('abcdefgh,ijklmnop', 0, 12), 9);          // after punctuation when there is no space
  assert.equal(chooseCut('😀😀😀', 0, 3), 2);                       // not between the halves of 😀
  assert.equal(chooseCut('e\u0301e\u0301e\u0301', 0, 3), 2);        // not between e and its accent
  assert.equal(chooseCut('x👨\u200d👩\u200d👧y', 0, 6), 1);          // the family emoji stays whole
  assert.ok(!isClusterBoundary('🇰🇷🇩🇪', 2) && isClusterBoundary('🇰🇷🇩🇪', 4) && !isClusterBoundary('🇰🇷🇩🇪', 6));
  assert.equal(chooseCut('\u0301\u0301\u0301\u0301', 0, 2), 2);    // marks with no base: cut anyway, at a code point
});

test('the character cap of splitSentences cuts no surrogate pair and keeps every character', () => {
  const texts = ['x' + '😀'.repeat(300), 'e\u0301'.repeat(300), 'word '.repeat(200), '漢'.repeat(900)];
  for (const text of texts) {
    const spans = splitSentences(text, 100);
    assert.equal(coverageProblem(text, spans), null, show(text));
    assert.equal(boundaryProblem(text, spans, true), null, show(text));
    for (const s of spans) assert.ok(s.text.length <= 100);
  }
});

test('chunk results of a pivot hop join into one: offsets into the joined text, one </s>, scores summed', () => {
  const EOS = 3;
  const part = (text: string, score: number): SentenceResult => {
    const words = text.split(' ');
    const tgtTokens: TokenInfo[] = [];
    let at = 0;
    for (const w of words) {
      tgtTokens.push({ id: 100 + tgtTokens.length, piece: w, text: w, start: at, end: at + w.length });
      at += w.length + 1;
    }
    tgtTokens.push({ id: EOS, piece: '</s>', text: '</s>', start: text.length, end: text.length });
    return { source: text.toUpperCase(), sourceOffset: 0, from: 'en', to: 'de', text, srcTokens: [], tgtTokens, score, normalizedScore: 0 };
  };
  const joined = joinPlainResults([part('ein Hund', -1), part('zwei Katzen spielen', -2)], EOS, 0.6);
  assert.equal(joined.text, 'ein Hund zwei Katzen spielen');
  assert.deepEqual(joined.tgtTokens.map((t) => t.id === EOS ? '</s>' : joined.text.slice(t.start, t.end)), ['ein', 'Hund', 'zwei', 'Katzen', 'spielen', '</s>']);
  assert.equal(joined.tgtTokens[joined.tgtTokens.length - 1].start, joined.text.length);
  assert.equal(joined.score, -3);
  assert.ok(joined.normalizedScore < 0);
  const single = part('allein', -1);
  assert.equal(joinPlainResults([single], EOS, 0.6), single);
});
