// Attention math (src/engine/attention.ts, its one home): head slices, rows and columns, head mean, the strongest head,
// and rollout keeping rows summing to 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmax, crossRollout, headMatrix, headMean, headRow, layerMatrix, matrixCol, matrixMax, matrixRow, meanOfRows, rollout, rowSums,
  strongestHead, topEntries,
} from '../../src/engine/attention';
import type { Matrix, Tensor } from '../../src/shared/results';

function randomAttention(L: number, H: number, Q: number, K: number, seed = 1): Tensor {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const data: number[] = [];
  for (let i = 0; i < L * H * Q; i++) {
    const row = Array.from({ length: K }, () => Math.exp(3 * rand()));
    const sum = row.reduce((a, b) => a + b, 0);
    data.push(...row.map((v) => v / sum));
  }
  return { dims: [L, H, Q, K], data: Float32Array.from(data) };
}

const close = (a: number, b: number, eps = 1e-5) => Math.abs(a - b) < eps;

test('headMatrix picks the right slice', () => {
  const t: Tensor = { dims: [2, 2, 1, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
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
  const r = rollout({ dims: [2, 2, N, N], data: Float32Array.from(data) });
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

test('layerMatrix is one head or the head mean', () => {
  const t = randomAttention(2, 3, 4, 4, 11);
  assert.deepEqual(layerMatrix(t, 1, 2), headMatrix(t, 1, 2));
  assert.deepEqual(layerMatrix(t, 0, 'mean'), headMean(t, 0));
});

test('headRow slices one row of any [L, H, R, C] tensor and checks its bounds', () => {
  // [2 layers, 2 heads, 2 rows, 3 columns]: value = 100 l + 10 h + 3 r + c
  const data: number[] = [];
  for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) data.push(100 * l + 10 * h + 3 * r + c);
  const t: Tensor = { dims: [2, 2, 2, 3], data: Float32Array.from(data) };
  assert.deepEqual(Array.from(headRow(t, 1, 0, 1)), [103, 104, 105]);
  assert.deepEqual(Array.from(headRow(t, 0, 1, 0)), [10, 11, 12]);
  assert.deepEqual(Array.from(headRow(t, 1, 1, 1)), Array.from(matrixRow(headMatrix(t, 1, 1), 1)));
  assert.throws(() => headRow(t, 0, 0, 2), RangeError);
  assert.throws(() => headRow(t, 0, 2, 0), RangeError);
});

test('meanOfRows averages rows and heads; the mean of attention rows still sums to 1', () => {
  const t: Tensor = { dims: [1, 2, 2, 2], data: Float32Array.of(1, 0, 0, 1, /* head 1 */ 0.5, 0.5, 0, 1) };
  assert.deepEqual(meanOfRows(t, 0, 0, [0]), [1, 0]);
  assert.deepEqual(meanOfRows(t, 0, 0, [0, 1]), [0.5, 0.5]);
  assert.deepEqual(meanOfRows(t, 0, 'mean', [0]), [0.75, 0.25]);
  assert.deepEqual(meanOfRows(t, 0, 1, []), [0, 0]);
  const r = randomAttention(2, 4, 6, 6, 5);
  assert.ok(close(meanOfRows(r, 1, 'mean', [1, 2, 4]).reduce((a, b) => a + b, 0), 1));
});

test('strongestHead: the head whose row puts most weight on another token, the query itself not counted', () => {
  // [2 layers, 2 heads, 2 queries, 3 keys]; query 0.
  const t: Tensor = { dims: [2, 2, 2, 3], data: Float32Array.of(
    0.9, 0.1, 0, /* q1 */ 0, 1, 0,          // layer 0 head 0: 0.9 on itself (does not count), 0.1 elsewhere
    0.2, 0.5, 0.3, /* q1 */ 0, 1, 0,        // layer 0 head 1: 0.5 on key 1
    0.1, 0.2, 0.7, /* q1 */ 0, 1, 0,        // layer 1 head 0: 0.7 on key 2  <- strongest
    0.4, 0.3, 0.3, /* q1 */ 0, 0, 1,        // layer 1 head 1
  ) };
  assert.deepEqual(strongestHead(t, 0), { layer: 1, head: 0 });
  // Query 1: every head puts everything on key 1 (itself) except layer 1 head 1.
  assert.deepEqual(strongestHead(t, 1), { layer: 1, head: 1 });
});

test('matrixRow, matrixCol, matrixMax, argmax', () => {
  const m: Matrix = { rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual(Array.from(matrixRow(m, 1)), [4, 5, 6]);
  assert.deepEqual(Array.from(matrixCol(m, 2)), [3, 6]);
  assert.equal(matrixMax(m), 6);
  assert.equal(matrixMax({ rows: 1, cols: 2, data: Float32Array.from([NaN, -1]) }), 0);
  assert.deepEqual(argmax([0.1, 0.7, 0.2, 0.7]), { index: 1, value: 0.7 });
  assert.equal(argmax([]).index, -1);
});
