// The hover inspector's cache (src/hover/attentionCache.ts) over a fake document: edits move the cached ranges and
// drop only the ones they touch; tokenAt finds the token under a UTF-16 offset (Hangul, surrogate pairs, CRLF) on
// the source side and on a translation written into the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttentionCache, type DocumentChange, moveRange, sentenceStarts, type TextChange } from '../../src/hover/attentionCache';
import type { SentenceResult, TokenInfo, TranslationResult } from '../../src/shared/results';

/** A text document as the cache sees it; `edit` applies changes and tells the cache, as VS Code does. */
class FakeDocument {
  version = 1;
  constructor(public text: string, readonly eol = 1, readonly uri = { toString: () => 'untitled:post.md' }) {}
  getText(): string { return this.text; }
  edit(cache: FakeEvents, ...changes: TextChange[]): void {
    for (const c of changes) this.text = this.text.slice(0, c.rangeOffset) + c.text + this.text.slice(c.rangeOffset + c.rangeLength);
    this.version++;
    cache.fire({ document: this, contentChanges: changes });
  }
}

class FakeEvents {
  private listener?: (e: DocumentChange) => void;
  subscribe = (l: (e: DocumentChange) => void) => { this.listener = l; return { dispose: () => { this.listener = undefined; } }; };
  fire(e: DocumentChange): void { this.listener?.(e); }
}

const one = () => ({ dims: [1, 1, 1, 1], data: Float32Array.of(1) });
const attention = { encoder: one(), decoder: one(), cross: one() };

/** Tokens over `text` at the given [start, end) pieces (UTF-16), with the tag first and </s> last, as the engine gives them. */
function sourceTokens(text: string, pieces: [number, number][]): TokenInfo[] {
  return [{ id: 5, piece: '<2en>', text: '<2en>', start: 0, end: 0 },
    ...pieces.map(([s, e], i) => ({ id: 10 + i, piece: text.slice(s, e), text: text.slice(s, e), start: s, end: e })),
    { id: 3, piece: '</s>', text: '</s>', start: text.length, end: text.length }];
}

function targetTokens(text: string, pieces: [number, number][]): TokenInfo[] {
  return [...pieces.map(([s, e], i) => ({ id: 100 + i, piece: text.slice(s, e), text: text.slice(s, e), start: s, end: e })),
    { id: 3, piece: '</s>', text: '</s>', start: text.length, end: text.length }];
}

function sentence(source: string, sourceOffset: number, src: [number, number][], text: string, tgt: [number, number][]): SentenceResult {
  return {
    source, sourceOffset, from: 'ko', to: 'en', text, srcTokens: sourceTokens(source, src), tgtTokens: targetTokens(text, tgt),
    score: 0, normalizedScore: 0, attention,
  };
}

function result(text: string, sentences: SentenceResult[]): TranslationResult {
  return { text, from: 'ko', to: 'en', backend: 'wasm', modelId: 'test', beam: 1, sentences, millis: 1 };
}

// "은행에 가서 😀 돈을" : 은행 [0,2) 에 [2,3) 가서 [4,6) 😀 [7,9) (a surrogate pair) 돈을 [10,12)
const KO = '은행에 가서 😀 돈을';
const KO_RESULT = result('I went to the bank 😀', [sentence(KO, 0, [[0, 2], [2, 3], [4, 6], [7, 9], [10, 12]], 'I went to the bank 😀', [[0, 1], [2, 6], [7, 9], [10, 13], [14, 18], [19, 21]])]);

function setup(text = `# Post\n\n${KO}\n\nEnd.`) {
  const events = new FakeEvents();
  const cache = new AttentionCache(events.subscribe);
  const doc = new FakeDocument(text);
  const start = text.indexOf(KO);
  cache.add(doc, start, start + KO.length, doc.version, KO_RESULT);
  return { events, cache, doc, start };
}

const label = (hit: ReturnType<AttentionCache['tokenAt']>) => hit && `${hit.side}:${hit.sentence[hit.side === 'source' ? 'srcTokens' : 'tgtTokens'][hit.tokenIndex].text}`;

test('moveRange: edits before shift the range, edits after leave it, edits touching it drop it', () => {
  const r = { start: 10, end: 20 };
  assert.deepEqual(moveRange(r, { rangeOffset: 0, rangeLength: 0, text: 'abc' }), { start: 13, end: 23 }, 'insert before');
  assert.deepEqual(moveRange(r, { rangeOffset: 2, rangeLength: 8, text: '' }), { start: 2, end: 12 }, 'delete up to the start');
  assert.deepEqual(moveRange(r, { rangeOffset: 10, rangeLength: 0, text: 'x' }), { start: 11, end: 21 }, 'insert right at the start');
  assert.equal(moveRange(r, { rangeOffset: 20, rangeLength: 0, text: 'x' }), r, 'insert right at the end');
  assert.equal(moveRange(r, { rangeOffset: 25, rangeLength: 3, text: 'yy' }), r, 'replace after');
  assert.equal(moveRange(r, { rangeOffset: 15, rangeLength: 0, text: 'x' }), undefined, 'insert inside');
  assert.equal(moveRange(r, { rangeOffset: 5, rangeLength: 6, text: '' }), undefined, 'delete across the start');
  assert.equal(moveRange(r, { rangeOffset: 19, rangeLength: 2, text: 'z' }), undefined, 'replace across the end');
  assert.equal(moveRange(r, { rangeOffset: 0, rangeLength: 30, text: '' }), undefined, 'delete around it');
});

test('tokenAt: UTF-16 offsets over Hangul and a surrogate pair; the tag and </s> are never hit', () => {
  const { cache, doc, start } = setup();
  assert.equal(label(cache.tokenAt(doc, start)), 'source:은행');
  assert.equal(label(cache.tokenAt(doc, start + 1)), 'source:은행');
  assert.equal(label(cache.tokenAt(doc, start + 2)), 'source:에');
  assert.equal(cache.tokenAt(doc, start + 3), undefined, 'the space between words');
  assert.equal(label(cache.tokenAt(doc, start + 7)), 'source:😀', 'the high surrogate');
  assert.equal(label(cache.tokenAt(doc, start + 8)), 'source:😀', 'the low surrogate: the same token');
  assert.equal(label(cache.tokenAt(doc, start + 11)), 'source:돈을');
  assert.equal(cache.tokenAt(doc, start + 12), undefined, 'just past the range');
  assert.equal(cache.tokenAt(doc, start - 1), undefined, 'just before the range');
  const hit = cache.tokenAt(doc, start + 8)!;
  assert.deepEqual([hit.start, hit.end], [start + 7, start + 9], 'the hit carries the token\'s document range');
});

test('an edit before the range moves it: the hover still finds its tokens', () => {
  const { events, cache, doc, start } = setup();
  doc.edit(events, { rangeOffset: 0, rangeLength: 0, text: '안녕 👋🏽\n' });          // 6 UTF-16 units, an emoji with a skin tone
  const moved = start + '안녕 👋🏽\n'.length;
  assert.deepEqual(cache.ranges(doc).map((r) => [r.start, r.end]), [[moved, moved + KO.length]]);
  assert.equal(label(cache.tokenAt(doc, moved)), 'source:은행');
  assert.equal(label(cache.tokenAt(doc, moved + 8)), 'source:😀');
  // Typing right after the range (and far after it) changes nothing.
  doc.edit(events, { rangeOffset: moved + KO.length, rangeLength: 0, text: '!' });
  doc.edit(events, { rangeOffset: doc.text.length, rangeLength: 0, text: '\nMore.' });
  assert.equal(label(cache.tokenAt(doc, moved + 11)), 'source:돈을');
});

test('an edit inside the range drops only that range', () => {
  const text = `${KO}\n\n${KO}`;
  const events = new FakeEvents();
  const cache = new AttentionCache(events.subscribe);
  const doc = new FakeDocument(text);
  const second = text.lastIndexOf(KO);
  cache.add(doc, 0, KO.length, doc.version, KO_RESULT);
  cache.add(doc, second, second + KO.length, doc.version, KO_RESULT);
  let fired = 0;
  cache.onDidChange(() => fired++);
  doc.edit(events, { rangeOffset: 4, rangeLength: 2, text: '와서' });                 // 가서 -> 와서 inside the first
  assert.equal(fired, 1);
  assert.deepEqual(cache.ranges(doc).map((r) => r.start), [second], 'the second range stays, at the same place');
  assert.equal(cache.tokenAt(doc, 0), undefined);
  assert.equal(label(cache.tokenAt(doc, second)), 'source:은행');
  doc.edit(events, { rangeOffset: second + 5, rangeLength: 0, text: 'x' });
  assert.deepEqual(cache.ranges(doc), [], 'the last range dropped');
});

test('the changes of one event apply in order (multi-cursor edits)', () => {
  const { events, cache, doc, start } = setup();
  // VS Code lists a multi-cursor edit's changes from the end of the document back to its start.
  doc.edit(events, { rangeOffset: doc.text.length, rangeLength: 0, text: '?' }, { rangeOffset: 0, rangeLength: 2, text: '##' }, { rangeOffset: 0, rangeLength: 0, text: '>> ' });
  assert.equal(label(cache.tokenAt(doc, start + 3)), 'source:은행');
});

test('a document edited while translating gets no range; a stale version shows none', () => {
  const events = new FakeEvents();
  const cache = new AttentionCache(events.subscribe);
  const doc = new FakeDocument(KO);
  cache.add(doc, 0, KO.length, doc.version - 1, KO_RESULT);
  assert.deepEqual(cache.ranges(doc), []);
  cache.add(doc, 0, KO.length, doc.version, KO_RESULT);
  doc.version++;                                                                       // a change the cache never heard of
  assert.deepEqual(cache.ranges(doc), []);
  assert.equal(cache.tokenAt(doc, 0), undefined);
});

test('a result without attention is not cached', () => {
  const events = new FakeEvents();
  const cache = new AttentionCache(events.subscribe);
  const doc = new FakeDocument(KO);
  const plain = { ...KO_RESULT, sentences: KO_RESULT.sentences.map((s) => ({ ...s, attention: undefined })) };
  cache.add(doc, 0, KO.length, doc.version, plain);
  assert.deepEqual(cache.ranges(doc), []);
});

test('a translation written below its source gets a target-side hover, next to the source one', () => {
  const { events, cache, doc, start } = setup();
  const lineEnd = start + KO.length;
  doc.edit(events, { rangeOffset: lineEnd, rangeLength: 0, text: `\n${KO_RESULT.text}` });      // output: insertBelow
  assert.ok(cache.addWritten(doc, lineEnd + 1, KO_RESULT));
  const at = lineEnd + 1;
  assert.equal(label(cache.tokenAt(doc, at)), 'target:I');
  assert.equal(label(cache.tokenAt(doc, at + 14)), 'target:bank');
  assert.equal(label(cache.tokenAt(doc, at + 20)), 'target:😀', 'the low surrogate of the output emoji');
  assert.equal(label(cache.tokenAt(doc, start)), 'source:은행', 'the source keeps its hover');
  const bank = cache.tokenAt(doc, at + 15)!;
  assert.deepEqual([bank.start, bank.end], [at + 14, at + 18]);
  // Text typed before both moves both.
  doc.edit(events, { rangeOffset: 0, rangeLength: 0, text: '앞\n' });
  assert.equal(label(cache.tokenAt(doc, at + 2 + 14)), 'target:bank');
  assert.equal(label(cache.tokenAt(doc, start + 2)), 'source:은행');
});

test('a translation that replaced its source: the source range is gone, the translation explains itself', () => {
  const { events, cache, doc, start } = setup();
  doc.edit(events, { rangeOffset: start, rangeLength: KO.length, text: KO_RESULT.text });    // output: replace
  assert.deepEqual(cache.ranges(doc), [], 'the replaced source range was touched');
  assert.ok(cache.addWritten(doc, start, KO_RESULT));
  assert.equal(label(cache.tokenAt(doc, start + 3)), 'target:went');
  assert.equal(cache.addWritten(doc, start + 1, KO_RESULT), false, 'a write that is not where it is said to be');
});

test('CRLF documents: a multi-line translation written with CRLF maps its tokens across the extra characters', () => {
  const text = 'First line.\nSecond line.';
  const r = result(text, [
    sentence('첫 줄.', 0, [[0, 1], [2, 4]], 'First line.', [[0, 5], [6, 11]]),
    sentence('둘째 줄.', 5, [[0, 2], [3, 5]], 'Second line.', [[0, 6], [7, 12]]),
  ]);
  assert.deepEqual(sentenceStarts(r), [0, 12]);
  const events = new FakeEvents();
  const cache = new AttentionCache(events.subscribe);
  const doc = new FakeDocument('x\r\nFirst line.\r\nSecond line.', 2);
  assert.ok(cache.addWritten(doc, 3, r));
  assert.equal(label(cache.tokenAt(doc, 3)), 'target:First');
  const second = doc.text.indexOf('Second');
  assert.equal(label(cache.tokenAt(doc, second)), 'target:Second');
  assert.equal(label(cache.tokenAt(doc, second + 7)), 'target:line.');
  const hits = [second, second + 7].map((o) => cache.tokenAt(doc, o)!).map((h) => doc.text.slice(h.start, h.end));
  assert.deepEqual(hits, ['Second', 'line.'], 'each token\'s range is exactly its text in the CRLF document');
  assert.equal(cache.tokenAt(doc, second - 1), undefined, 'the \n of the CRLF is no token');
  assert.equal(cache.addWritten(new FakeDocument('x\nFirst line.\r\nSecond line.', 1), 2, r), false, 'LF expected, CRLF found');
});
