// The widening the engine does for packages with widened storage (src/engine/widenedWeights.ts): float16 -> float32
// exact for every float16 value (normal, subnormal, zeros, infinities, NaN); int8-block32 codes times their block's
// float16 scale, rounded once to float32; spans side by side in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { widenSpans } from '../../src/engine/widenedWeights';
import { spanElements } from '../../src/shared/manifest';

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
  const out = new Float32Array(widenSpans(bytes, { file: 'w', spans: [[0, bytes.byteLength]] }).buffer);
  assert.deepEqual([...out], values);
  assert.ok(Object.is(out[1], -0), 'negative zero keeps its sign');
  const nan = new Float32Array(widenSpans(new Uint8Array(new Uint16Array([0x7e00, 0xfc01]).buffer), { file: 'w', spans: [[0, 4]] }).buffer);
  assert.ok(Number.isNaN(nan[0]) && Number.isNaN(nan[1]));
});

test('spans widen side by side in their order; the bytes between them are left out', () => {
  const halves = new Uint16Array([half(1), half(2), 0xffff, 0xffff, half(3), half(4), half(5), 0xffff]);
  const bytes = new Uint8Array(halves.buffer);
  const out = widenSpans(bytes, { file: 'w', spans: [[0, 4], [8, 6]] });
  assert.equal(out.byteLength, 4 * 5);
  assert.deepEqual([...new Float32Array(out.buffer)], [1, 2, 3, 4, 5]);
  // The weights as a view at an odd byte offset of a larger buffer (a copy is widened then).
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  assert.deepEqual([...new Float32Array(widenSpans(shifted.subarray(1), { file: 'w', spans: [[0, 4], [8, 6]] }).buffer)], [1, 2, 3, 4, 5]);
  assert.throws(() => widenSpans(bytes, { file: 'w', spans: [[8, 16]] }), /past the weights' 16 bytes/);
});

/** An int8-block32 span: ceil(n / 32) float16 scales, then the n codes. */
function int8Span(scales: number[], codes: number[]): Uint8Array {
  const out = new Uint8Array(2 * scales.length + codes.length);
  out.set(new Uint8Array(new Uint16Array(scales.map(half)).buffer), 0);
  out.set(new Uint8Array(Int8Array.from(codes).buffer), 2 * scales.length);
  return out;
}

test('int8-block32: each code times its block of 32\'s float16 scale, rounded once to float32', () => {
  const codes = Array.from({ length: 70 }, (_, i) => ((i * 37) % 255) - 127);      // -127..127, three blocks, the last short
  const scales = [0.0123, 2 ** -24, 3.5];                                           // a subnormal scale among them
  const bytes = int8Span(scales, codes);
  assert.equal(spanElements(bytes.byteLength, 'int8-block32'), 70);
  const out = new Float32Array(widenSpans(bytes, { file: 'w', encoding: 'int8-block32', spans: [[0, bytes.byteLength]] }).buffer);
  const scale16 = new Float32Array(widenSpans(new Uint8Array(new Uint16Array(scales.map(half)).buffer), { file: 'w', spans: [[0, 6]] }).buffer);
  assert.deepEqual([...out], codes.map((c, i) => Math.fround(c * scale16[Math.floor(i / 32)])));
  assert.equal(out[0], Math.fround(-127 * scale16[0]));
  // Two spans side by side, the second at an even offset after padding; the padding is left out.
  const two = new Uint8Array(bytes.byteLength + 2 + 2 + 16);
  two.set(bytes, 0);
  const second = int8Span([1], Array.from({ length: 16 }, (_, i) => i - 8));
  two.set(second, bytes.byteLength + 2);
  const both = new Float32Array(widenSpans(two, { file: 'w', encoding: 'int8-block32', spans: [[0, bytes.byteLength], [bytes.byteLength + 2, second.byteLength]] }).buffer);
  assert.deepEqual([...both.slice(70)], Array.from({ length: 16 }, (_, i) => i - 8));
  // At an odd byte offset of a larger buffer: the same values (a copy is widened).
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  assert.deepEqual([...new Float32Array(widenSpans(shifted.subarray(1), { file: 'w', encoding: 'int8-block32', spans: [[0, bytes.byteLength]] }).buffer)], [...out]);
});

test('a span whose size no encoding of its kind can have is refused', () => {
  for (let n = 1; n <= 100; n++) assert.equal(spanElements(n + 2 * Math.ceil(n / 32), 'int8-block32'), n);
  assert.equal(spanElements(34, 'int8-block32'), 32);
  assert.equal(spanElements(35, 'int8-block32'), -1);            // 33 elements need 2 scales: 37 bytes
  assert.equal(spanElements(3, 'float16'), -1);
  assert.throws(() => widenSpans(new Uint8Array(35), { file: 'w', encoding: 'int8-block32', spans: [[0, 35]] }), /is no int8-block32 span/);
});
