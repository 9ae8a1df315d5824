// The attention budget: its byte bounds are never below the real JSON, sentences are admitted in order while they
// fit (queries and keys go first), and what is left out is counted and worded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttentionBudget, MAX_JSON_BYTES_PER_VALUE, attentionJsonBound, attentionLeftOut, formatMegabytes, smallestAttentionBound,
  tensorJsonBound,
} from '../../src/engine/attentionBudget';
import type { SentenceAttention, Tensor } from '../../src/shared/results';
import { typedArraysAsArrays } from '../../src/cli/jsonArrayFile';

/** A tensor of the given dims whose values are float32 numbers as the engine hands them over. */
function tensor(dims: number[], value: (i: number) => number = () => 0.25): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dims, data: Float32Array.from({ length: n }, (_, i) => value(i)) };
}

/** Attention of a sentence with S source and T target tokens, shaped like the shipped model's (Le 4, Ld 2, H 4, dh 64). */
function attention(S: number, T: number, withQK = true): SentenceAttention {
  const a: SentenceAttention = { encoder: tensor([4, 4, S, S]), decoder: tensor([2, 4, T, T]), cross: tensor([2, 4, T, S]) };
  return withQK ? { ...a, queries: tensor([4, 4, S, 64], (i) => -i * 1e-3), keys: tensor([4, 4, S, 64]) } : a;
}

/** JSON as the CLI writes it (typed arrays as arrays of numbers), the form the budget bounds. */
const json = (v: unknown) => Buffer.byteLength(JSON.stringify(v, typedArraysAsArrays));

test('the per-value bound covers the longest JSON a float32 value can take', () => {
  const awkward = [-1.2345678e-6, -9.876543e-7, -3.4028234e38, -1.17549435e-38, 1 / 3, -0.1, 0, 1e-45, -123456.79];
  for (const v of awkward) {
    const asEngineGivesIt = Math.fround(v);
    assert.ok(JSON.stringify(asEngineGivesIt).length + 1 <= MAX_JSON_BYTES_PER_VALUE, `${asEngineGivesIt} is longer`);
  }
  const t = tensor([2, 3, 5, 7], (i) => Math.fround(-1.2345678e-6 * (i + 1)));
  assert.ok(json(t) <= tensorJsonBound(t));
});

test('attentionJsonBound is at least the real JSON of the attention', () => {
  for (const [S, T] of [[3, 1], [12, 15], [40, 47]]) {
    const a = attention(S, T);
    assert.ok(json(a) <= attentionJsonBound([a.encoder, a.decoder, a.cross, a.queries!, a.keys!]), `S ${S}, T ${T}`);
    const core = attention(S, T, false);
    assert.ok(json(core) <= attentionJsonBound([core.encoder, core.decoder, core.cross]));
    // The pre-check before the attention graphs run never refuses a sentence that would have fit.
    const smallest = smallestAttentionBound({ encoderLayers: 4, decoderLayers: 2, heads: 4 }, S);
    assert.ok(smallest <= attentionJsonBound([core.encoder, core.decoder, core.cross]), `S ${S}, T ${T}`);
  }
});

test('sentences are admitted while they fit; later smaller ones still may; the total stays under the limit', () => {
  const small = attention(10, 12);
  const big = attention(60, 70);
  const limit = attentionJsonBound([small.encoder, small.decoder, small.cross, small.queries!, small.keys!]) * 2 + 100;
  const budget = new AttentionBudget(limit);
  const kept = [budget.admit(small), budget.admit(big), budget.admit(small)];
  assert.equal(kept[0], small);
  assert.equal(kept[1], undefined);
  assert.equal(kept[2], small);
  assert.equal(budget.leftOut, 1);
  assert.ok(json(kept) <= limit, `${json(kept)} > ${limit}`);
});

test('queries and keys are dropped before the attention itself', () => {
  const a = attention(20, 22);
  const core = attentionJsonBound([a.encoder, a.decoder, a.cross]);
  const budget = new AttentionBudget(core + 10);
  const kept = budget.admit(a);
  assert.ok(kept, 'the attention itself fits');
  assert.equal(kept.queries, undefined);
  assert.equal(kept.keys, undefined);
  assert.equal(kept.encoder, a.encoder);
  assert.equal(budget.leftOut, 0);
});

test('mayFit refuses (and counts) a sentence whose smallest attention is over what is left', () => {
  const budget = new AttentionBudget(1000);
  assert.equal(budget.mayFit(1000), true);
  assert.equal(budget.mayFit(1001), false);
  assert.equal(budget.leftOut, 1);
  assert.throws(() => new AttentionBudget(Number.NaN), RangeError);
});

test('the left-out report counts sentences and names the bound', () => {
  const budget = new AttentionBudget(16 * 2 ** 20);
  assert.equal(attentionLeftOut(budget, 3), undefined);
  budget.mayFit(Infinity);
  budget.mayFit(Infinity);
  const report = attentionLeftOut(budget, 5);
  assert.deepEqual({ ...report, message: undefined }, { sentences: 2, of: 5, limitBytes: 16 * 2 ** 20, message: undefined });
  assert.match(report!.message, /left out for 2 of 5 sentences.*16 MB/);
  assert.equal(formatMegabytes(2 ** 19), '0.5');
});
