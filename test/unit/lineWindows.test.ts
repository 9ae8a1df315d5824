// The CLI's input windows: lines that arrive together are one window (up to the cap); a pause closes a window, so
// a line typed alone is translated without waiting for more; reading ahead pauses the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { lineWindows } from '../../src/cli/lineWindows';

class FakeLines extends EventEmitter {
  paused = false;
  pause() { this.paused = true; }
  resume() { this.paused = false; }
  send(...lines: string[]) { for (const l of lines) this.emit('line', l); }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('lines that arrive together are one window, split at the cap; input that ends closes the last', async () => {
  const src = new FakeLines();
  const windows: string[][] = [];
  const reading = (async () => { for await (const w of lineWindows(src, { max: 3, settleMs: 20 })) windows.push(w); })();
  src.send('a', 'b', 'c', 'd', 'e');
  await tick(5);
  src.send('f');
  src.emit('close');
  await reading;
  assert.deepEqual(windows, [['a', 'b', 'c'], ['d', 'e', 'f']]);
});

test('a pause in the input closes a window; nothing is lost or reordered', async () => {
  const src = new FakeLines();
  const windows: string[][] = [];
  const reading = (async () => { for await (const w of lineWindows(src, { max: 100, settleMs: 15 })) windows.push(w); })();
  src.send('one');
  await tick(80);
  assert.deepEqual(windows, [['one']], 'the first line did not wait for more');
  src.send('two', 'three');
  await tick(80);
  src.send('');
  src.emit('close');
  await reading;
  assert.deepEqual(windows, [['one'], ['two', 'three'], ['']]);
});

test('reading ahead pauses the input at two windows and resumes it once they are taken', async () => {
  const src = new FakeLines();
  const it = lineWindows(src, { max: 2, settleMs: 5 })[Symbol.asyncIterator]();
  const first = it.next();
  src.send('1', '2', '3', '4', '5');
  assert.equal(src.paused, true);
  assert.deepEqual((await first).value, ['1', '2']);
  assert.equal(src.paused, false);
  src.emit('close');
  assert.deepEqual((await it.next()).value, ['3', '4']);
  assert.deepEqual((await it.next()).value, ['5']);
  assert.equal((await it.next()).done, true);
});

test('empty input gives no window', async () => {
  const src = new FakeLines();
  const it = lineWindows(src, { max: 4, settleMs: 5 })[Symbol.asyncIterator]();
  src.emit('close');
  assert.equal((await it.next()).done, true);
});
