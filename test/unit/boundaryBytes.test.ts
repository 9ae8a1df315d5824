// The bench's count of what crosses the host <-> webview boundary: JSON text with references, and each ArrayBuffer
// once and whole, as VS Code sends it (a view sends all of its buffer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryBytes, plainJsonBytes } from '../../bench/boundaryBytes';

test('a typed array crosses as its whole buffer, once, beside a small reference in the JSON', () => {
  const data = new Float32Array(1000);
  const r = boundaryBytes({ a: data, b: data });
  assert.equal(r.buffers, 1);
  assert.equal(r.bufferBytes, 4000);
  assert.ok(r.jsonBytes < 300, `${r.jsonBytes} bytes of JSON`);
  assert.equal(r.bytes, r.jsonBytes + r.bufferBytes);
});

test('a view into a larger buffer costs the larger buffer', () => {
  const big = new Float32Array(10_000);
  assert.equal(boundaryBytes({ part: big.subarray(0, 10) }).bufferBytes, 40_000);
  assert.equal(boundaryBytes({ part: big.slice(0, 10) }).bufferBytes, 40);
});

test('plain JSON writes every value as a number', () => {
  const data = Float32Array.from({ length: 100 }, (_, i) => i / 7);
  assert.equal(plainJsonBytes({ data }), Buffer.byteLength(JSON.stringify({ data: Array.from(data) })));
  assert.ok(plainJsonBytes({ data }) > boundaryBytes({ data }).bytes * 2);
});
