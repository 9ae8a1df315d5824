// The float16 -> float32 widening the engine does for packages with widened storage (src/engine/widenedWeights.ts):
// exact for every float16 value (normal, subnormal, zeros, infinities, NaN), spans side by side in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { widenFloat16Spans } from '../../src/engine/widenedWeights';

/** Float16 bits of `x` (round to nearest even), as numpy writes them; for the test's own values only. */
function half(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);                     // subnormal (or zero)
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | (Math.round((a / 2 ** e - 1) * 1024) & 0x3ff);
}

test('every kind of float16 value widens to the same float32 value', () => {
  const values = [0, -0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, -(2 ** -24), 3 * 2 ** -24, 1023 * 2 ** -24, 0.333251953125, Infinity, -Infinity];
  const bytes = new Uint8Array(new Uint16Array(values.map(half)).buffer);
  const out = new Float32Array(widenFloat16Spans(bytes, { file: 'w', spans: [[0, bytes.byteLength]] }).buffer);
  assert.deepEqual([...out], values);
  assert.ok(Object.is(out[1], -0), 'negative zero keeps its sign');
  const nan = new Float32Array(widenFloat16Spans(new Uint8Array(new Uint16Array([0x7e00, 0xfc01]).buffer), { file: 'w', spans: [[0, 4]] }).buffer);
  assert.ok(Number.isNaN(nan[0]) && Number.isNaN(nan[1]));
});

test('spans widen side by side in their order; the bytes between them are left out', () => {
  const halves = new Uint16Array([half(1), half(2), 0xffff, 0xffff, half(3), half(4), half(5), 0xffff]);
  const bytes = new Uint8Array(halves.buffer);
  const out = widenFloat16Spans(bytes, { file: 'w', spans: [[0, 4], [8, 6]] });
  assert.equal(out.byteLength, 4 * 5);
  assert.deepEqual([...new Float32Array(out.buffer)], [1, 2, 3, 4, 5]);
  // The weights as a view at an odd byte offset of a larger buffer (a copy is widened then).
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  assert.deepEqual([...new Float32Array(widenFloat16Spans(shifted.subarray(1), { file: 'w', spans: [[0, 4], [8, 6]] }).buffer)], [1, 2, 3, 4, 5]);
  assert.throws(() => widenFloat16Spans(bytes, { file: 'w', spans: [[8, 16]] }), /past the weights' 16 bytes/);
});
