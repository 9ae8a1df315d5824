// The sentence cache on its own: which requests an entry answers, copies in and out, and the byte bound (least
// recently used first). The Translator's use of it, on the shipped model, is test/golden/sentenceCache.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approxBytes, SentenceCache, type SentenceWants } from '../../src/engine/sentenceCache';
import type { SentenceResult, Tensor } from '../../src/shared/results';

const tensor = (n: number, fill = 0.5): Tensor => ({ dims: [n], data: new Float32Array(n).fill(fill) });

function result(source: string, extra: Partial<SentenceResult> = {}): SentenceResult {
  return {
    source, sourceOffset: 7, from: 'en', to: 'ko', text: `<${source}>`,
    srcTokens: [{ id: 1, piece: '▁a', text: 'a', start: 0, end: 1 }], tgtTokens: [{ id: 2, piece: '</s>', text: '</s>', start: 0, end: 0 }],
    score: -1.5, normalizedScore: -0.75, ...extra,
  };
}

const withAttention = (qk: boolean) => ({
  attention: { encoder: tensor(4), decoder: tensor(2), cross: tensor(3), ...(qk ? { queries: tensor(8), keys: tensor(8) } : {}) },
});
const PLAIN: SentenceWants = { attention: false, queriesAndKeys: true, steps: false };
const ATTN: SentenceWants = { attention: true, queriesAndKeys: false, steps: false };
const ATTN_QK: SentenceWants = { attention: true, queriesAndKeys: true, steps: false };
const STEPS: SentenceWants = { attention: false, queriesAndKeys: false, steps: true };

test('a miss is undefined; a hit is an equal copy with its offset reset, not the stored object', () => {
  const cache = new SentenceCache(1 << 20);
  const key = SentenceCache.key('en', 'ko', 4, 'Hello.');
  assert.equal(cache.get(key, PLAIN), undefined);
  const r = result('Hello.');
  cache.set(key, r);
  r.text = 'changed after set';
  const hit = cache.get(key, PLAIN)!;
  assert.deepEqual(hit, { ...result('Hello.'), sourceOffset: 0 });
  hit.tgtTokens.push({ id: 9, piece: 'x', text: 'x', start: 0, end: 1 });
  assert.equal(cache.get(key, PLAIN)!.tgtTokens.length, 1, 'changing a hit leaves the entry as it was');
  assert.equal(cache.get(SentenceCache.key('en', 'ko', 1, 'Hello.'), PLAIN), undefined, 'another beam width is another key');
  assert.equal(cache.get(SentenceCache.key('en', 'de', 4, 'Hello.'), PLAIN), undefined, 'another direction is another key');
});

test('an entry answers what it has: attention, queries and keys, steps; and no more than is asked', () => {
  const cache = new SentenceCache(1 << 20);
  cache.set('plain', result('a'));
  assert.ok(cache.get('plain', PLAIN));
  assert.equal(cache.get('plain', ATTN), undefined);
  assert.equal(cache.get('plain', STEPS), undefined);

  cache.set('attn', result('b', withAttention(false)));
  assert.equal(cache.get('attn', PLAIN)!.attention, undefined, 'a plain request gets no attention');
  assert.ok(cache.get('attn', ATTN)!.attention);
  assert.equal(cache.get('attn', ATTN_QK), undefined, 'no queries and keys stored: the companion asks again');

  cache.set('qk', result('c', withAttention(true)));
  const maps = cache.get('qk', ATTN)!.attention!;
  assert.deepEqual(Object.keys(maps).sort(), ['cross', 'decoder', 'encoder']);
  const all = cache.get('qk', ATTN_QK)!.attention!;
  assert.equal(all.queries!.data.length, 8);
  assert.ok(all.queries!.data instanceof Float32Array);
  all.queries!.data[0] = 99;
  assert.equal(cache.get('qk', ATTN_QK)!.attention!.queries!.data[0], 0.5, 'tensors are copies');

  cache.set('steps', result('d', { steps: [{ chosen: 2, candidates: [{ id: 2, piece: '</s>', prob: 1 }] }] }));
  assert.equal(cache.get('steps', STEPS)!.steps!.length, 1);
  assert.equal(cache.get('steps', PLAIN)!.steps, undefined);

  cache.set('pivot', result('e', { pivot: 'through English' }));
  assert.ok(cache.get('pivot', ATTN_QK), 'a pivot never has attention: asking again would not bring any');
});

test('a result whose attention was left out is kept as a plain one', () => {
  const cache = new SentenceCache(1 << 20);
  cache.set('k', result('a', { attentionLeftOut: true }));
  assert.equal(cache.get('k', PLAIN)!.attentionLeftOut, undefined);
  assert.equal(cache.get('k', ATTN), undefined);
});

test('the byte bound evicts the least recently used entries; an entry larger than the bound is not kept', () => {
  const one = approxBytes({ ...result('s0'), sourceOffset: 0 });
  const cache = new SentenceCache(3 * one + 10);
  for (const s of ['s0', 's1', 's2']) cache.set(s, result(s));
  assert.equal(cache.size, 3);
  cache.get('s0', PLAIN);                       // s0 becomes the most recently used: s1 goes first
  cache.set('s3', result('s3'));
  assert.deepEqual(['s0', 's1', 's2', 's3'].filter((k) => cache.get(k, PLAIN)), ['s0', 's2', 's3']);
  assert.ok(cache.usedBytes <= cache.limitBytes);

  cache.set('big', result('big', { attention: { encoder: tensor(100_000), decoder: tensor(2), cross: tensor(3) } }));
  assert.equal(cache.get('big', PLAIN), undefined);
  assert.equal(cache.size, 3, 'a too-large entry evicts nothing');
  cache.set('s2', result('s2', { text: 'again' }));
  assert.equal(cache.get('s2', PLAIN)!.text, 'again', 'setting a key again replaces its entry');
  assert.equal(cache.size, 3);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.usedBytes, 0);
  assert.throws(() => new SentenceCache(-1), /bytes >= 0/);
});

test('approxBytes counts typed arrays by their bytes and grows with text', () => {
  assert.ok(approxBytes({ data: new Float32Array(1000) }) >= 4000);
  assert.ok(approxBytes('x'.repeat(100)) > approxBytes('x'));
});
