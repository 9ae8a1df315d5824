// Attention math: head slices, head mean and rollout keep rows summing to 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossRollout, headMatrix, headMean, rollout, rowSums, topEntries } from '../../src/engine/attention';
import type { Tensor } from '../../src/shared/results';

function randomAttention(L: number, H: number, Q: number, K: number, seed = 1): Tensor {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const data: number[] = [];
  for (let i = 0; i < L * H * Q; i++) {
    const row = Array.from({ length: K }, () => Math.exp(3 * rand()));
    const sum = row.reduce((a, b) => a + b, 0);
    data.push(...row.map((v) => v / sum));
  }
  return { dims: [L, H, Q, K], data };
}

const close = (a: number, b: number, eps = 1e-5) => Math.abs(a - b) < eps;

test('headMatrix picks the right slice', () => {
  const t: Tensor = { dims: [2, 2, 1, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] };
  assert.deepEqual(Array.from(headMatrix(t, 1, 0).data), [5, 6]);
  assert.throws(() => headMatrix(t, 2, 0), RangeError);
});

test('head mean and rollout rows sum to 1', () => {
  const t = randomAttention(3, 4, 5, 5);
  for (const s of rowSums(headMean(t, 2))) assert.ok(close(s, 1));
  for (let l = 0; l < 3; l++) for (const s of rowSums(rollout(t, l))) assert.ok(close(s, 1));
});

test('rollout of identity attention is the identity', () => {
  const N = 4;
  const data: number[] = [];
  for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) data.push(i === j ? 1 : 0);
  const r = rollout({ dims: [2, 2, N, N], data });
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) assert.ok(close(r.data[i * N + j], i === j ? 1 : 0));
});

test('rollout of one layer is 0.5 A + 0.5 I', () => {
  const t = randomAttention(1, 1, 3, 3, 7);
  const r = rollout(t);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(close(r.data[i * 3 + j], 0.5 * t.data[i * 3 + j] + (i === j ? 0.5 : 0)));
});

test('cross rollout rows sum to 1', () => {
  const enc = randomAttention(2, 2, 6, 6, 3);
  const cross = randomAttention(2, 2, 4, 6, 5);
  const m = crossRollout(cross, enc);
  assert.equal(m.rows, 4);
  for (const s of rowSums(m)) assert.ok(close(s, 1));
});

test('topEntries sorts descending with stable ties', () => {
  assert.deepEqual(topEntries([0.1, 0.5, 0.5, 0.2], 3).map((e) => e.index), [1, 2, 3]);
});
