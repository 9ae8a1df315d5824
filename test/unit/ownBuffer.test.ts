// File bytes handed host -> page -> worker must own their whole buffer: a transfer hands over the buffer, and a
// pooled Node Buffer shares its buffer with other data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownBuffer, viewsWholeBuffer } from '../../src/shared/ownBuffer';

test('a view of part of a buffer is copied into a buffer of its own', () => {
  const pooled = Buffer.from('abc');                   // small Buffers come from a shared pool
  assert.ok(!viewsWholeBuffer(pooled) || pooled.buffer.byteLength === 3);
  const own = ownBuffer(pooled);
  assert.ok(viewsWholeBuffer(own));
  assert.equal(own.byteLength, 3);
  assert.deepEqual([...own], [...pooled]);
  own[0] = 0;
  assert.equal(pooled[0], 'a'.charCodeAt(0), 'a copy, not a view (Buffer.slice would have been a view)');
});

test('bytes that already own their buffer keep that memory, as a plain Uint8Array', () => {
  const whole = new Uint8Array(new ArrayBuffer(4));
  const own = ownBuffer(whole);
  assert.equal(own.buffer, whole.buffer);
  const buf = Buffer.alloc(10_000);                    // large Buffers are not pooled
  const plain = ownBuffer(buf);
  assert.equal(plain.buffer, buf.buffer);
  assert.equal(Object.getPrototypeOf(plain), Uint8Array.prototype);
});
