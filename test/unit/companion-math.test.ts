// The paper companion's maths: Table 1 for n and d, the positional encoding, scaled dot-product attention
// from queries and keys (checked against a softmax row) and head descriptions (word grouping: words.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeHead, maxAbsDiff, paperLayer, positionalEncoding, rowSimilarity, scaledDotProduct, softmax, table1, wavelength,
} from '../../webview/companion/math';
import { headRow } from '../../src/engine/attention';
import type { Tensor } from '../../src/shared/results';

const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(a), Math.abs(b));

test('Table 1 for n = 30, d = 256, k = 3, r = 8', () => {
  const [sa, rnn, conv, restricted] = table1(30, 256, 3, 8);
  assert.deepEqual([sa.type, rnn.type, conv.type, restricted.type], ['selfAttention', 'recurrent', 'convolutional', 'restricted']);
  assert.equal(sa.ops, 30 * 30 * 256);
  assert.equal(rnn.ops, 30 * 256 * 256);
  assert.equal(conv.ops, 3 * 30 * 256 * 256);
  assert.equal(restricted.ops, 8 * 30 * 256);
  assert.deepEqual([sa.sequentialOps, rnn.sequentialOps, conv.sequentialOps, restricted.sequentialOps], [1, 30, 1, 1]);
  assert.deepEqual([sa.pathLength, rnn.pathLength, conv.pathLength, restricted.pathLength], [1, 30, 4, 4]);   // ⌈log₃ 30⌉ = 4, ⌈30/8⌉ = 4
  assert.deepEqual([sa.complexity, rnn.complexity, conv.complexity, restricted.complexity], ['O(n²·d)', 'O(n·d²)', 'O(k·n·d²)', 'O(r·n·d)']);
  assert.deepEqual([sa.sequential, rnn.sequential, sa.path, rnn.path, conv.path, restricted.path], ['O(1)', 'O(n)', 'O(1)', 'O(n)', 'O(logₖ(n))', 'O(n/r)']);
});

test('Table 1: self-attention is cheaper than recurrence exactly when n < d', () => {
  for (const [n, d] of [[10, 512], [511, 512], [512, 512], [600, 512]]) {
    const [sa, rnn] = table1(n, d);
    assert.equal(sa.ops < rnn.ops, n < d, `n=${n} d=${d}`);
  }
  assert.equal(table1(9, 64, 3)[2].pathLength, 2);    // log₃ 9 = 2 exactly (no rounding up past it)
  assert.equal(table1(1, 64)[2].pathLength, 1);
  assert.throws(() => table1(0, 64), RangeError);
});

test('positional encoding follows the paper: sin on even, cos on odd dimensions', () => {
  const d = 8;
  const pe = positionalEncoding(5, d);
  assert.equal(pe.rows, 5);
  assert.equal(pe.cols, d);
  for (let pos = 0; pos < 5; pos++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = pos / Math.pow(10000, (2 * i) / d);
      assert.ok(close(pe.data[pos * d + 2 * i], Math.sin(angle), 1e-6));
      assert.ok(close(pe.data[pos * d + 2 * i + 1], Math.cos(angle), 1e-6));
    }
  }
  // Position 0: sin 0 = 0, cos 0 = 1.
  assert.deepEqual(Array.from(pe.data.slice(0, d)), [0, 1, 0, 1, 0, 1, 0, 1]);
  assert.ok(close(wavelength(0, d), 2 * Math.PI));
});

test('positional similarity: d/2 on the diagonal, symmetric, a function of the distance only', () => {
  const d = 16, P = 12;
  const sim = rowSimilarity(positionalEncoding(P, d));
  for (let a = 0; a < P; a++) {
    assert.ok(close(sim.data[a * P + a], d / 2, 1e-5), 'diagonal');
    for (let b = 0; b < P; b++) assert.equal(sim.data[a * P + b], sim.data[b * P + a]);
  }
  // sin·sin + cos·cos = cos(ω (a − b)): the same for every pair at the same distance.
  for (let k = 1; k < 4; k++) assert.ok(close(sim.data[0 * P + k], sim.data[5 * P + 5 + k], 1e-5), `distance ${k}`);
  // Nearer is more alike (for small distances).
  assert.ok(sim.data[1] > sim.data[2] && sim.data[2] > sim.data[3]);
});

/** Random [L, H, S, dh] queries and keys and the attention they imply. */
function qkFixture(L = 2, H = 3, S = 5, dh = 4, seed = 7): { q: Tensor; k: Tensor; attn: Tensor } {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const q: Tensor = { dims: [L, H, S, dh], data: Float32Array.from({ length: L * H * S * dh }, rand) };
  const k: Tensor = { dims: [L, H, S, dh], data: Float32Array.from({ length: L * H * S * dh }, rand) };
  const attn: number[] = [];
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let i = 0; i < S; i++) {
    const qi = q.data.slice(((l * H + h) * S + i) * dh, ((l * H + h) * S + i + 1) * dh);
    const scores: number[] = [];
    for (let j = 0; j < S; j++) {
      const kj = k.data.slice(((l * H + h) * S + j) * dh, ((l * H + h) * S + j + 1) * dh);
      scores.push(qi.reduce((acc, v, x) => acc + v * kj[x], 0) / Math.sqrt(dh));
    }
    attn.push(...softmax(scores));
  }
  return { q, k, attn: { dims: [L, H, S, S], data: Float32Array.from(attn) } };
}

test('softmax is stable and sums to 1', () => {
  const p = softmax([1000, 1000, 999]);
  assert.ok(close(p.reduce((a, b) => a + b, 0), 1));
  assert.ok(close(p[0], p[1]));
  assert.ok(p[2] < p[0]);
  assert.deepEqual(softmax([0, 0]), [0.5, 0.5]);
});

test('scaled dot-product from queries and keys reproduces the attention row', () => {
  const { q, k, attn } = qkFixture();
  for (const [l, h, row] of [[0, 0, 0], [1, 2, 4], [1, 1, 2]]) {
    const sdp = scaledDotProduct(q, k, l, h, row);
    assert.equal(sdp.dk, 4);
    assert.deepEqual(sdp.query, Array.from(headRow(q, l, h, row)));
    const k0 = headRow(k, l, h, 0);
    assert.ok(close(sdp.scores[0], sdp.query.reduce((a, v, x) => a + v * k0[x], 0) / 2));   // √4 = 2
    assert.ok(maxAbsDiff(sdp.weights, headRow(attn, l, h, row)) < 1e-7);   // the row as float32, as the engine stores it
    assert.ok(close(sdp.weights.reduce((a, b) => a + b, 0), 1));
  }
  // A different head's row does not match.
  assert.ok(maxAbsDiff(scaledDotProduct(q, k, 0, 0, 0).weights, headRow(attn, 0, 1, 0)) > 1e-3);
  assert.throws(() => scaledDotProduct(q, k, 2, 0, 0), RangeError);
  assert.throws(() => scaledDotProduct(q, { dims: [2, 3, 5, 2], data: new Float32Array(0) }, 0, 0, 0), RangeError);
});

test('maxAbsDiff', () => {
  assert.equal(maxAbsDiff([1, 2, 3], [1, 2.5, 2]), 1);
  assert.throws(() => maxAbsDiff([1], [1, 2]), RangeError);
});

function matrix(rows: number[][]) {
  return { rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) };
}

test('describeHead names the dominant pattern', () => {
  const special = [true, false, false, false, true];
  // Every ordinary query looks at the token before it.
  const previous = matrix([[1, 0, 0, 0, 0], [0.9, 0.1, 0, 0, 0], [0, 0.9, 0.1, 0, 0], [0, 0, 0.9, 0.1, 0], [0, 0, 0, 0, 1]]);
  assert.equal(describeHead(previous, special).pattern, 'previous');
  const self = matrix([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]);
  assert.deepEqual(describeHead(self, special), { pattern: 'self', share: 1 });
  const sink = matrix([[1, 0, 0, 0, 0], [0.5, 0, 0, 0, 0.5], [0.5, 0, 0, 0, 0.5], [0.9, 0, 0, 0, 0.1], [0, 0, 0, 0, 1]]);
  assert.equal(describeHead(sink, special).pattern, 'special');
  const uniform = matrix(Array.from({ length: 5 }, () => [0.2, 0.2, 0.2, 0.2, 0.2]));
  assert.equal(describeHead(uniform, special).pattern, 'broad');
});

test('the paper layer', () => {
  assert.equal(paperLayer(6), 4);    // layer 5 of 6
  assert.equal(paperLayer(4), 2);    // layer 3 of 4
  assert.equal(paperLayer(2), 1);
  assert.equal(paperLayer(1), 0);
});
