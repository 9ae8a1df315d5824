// Where a translation's time goes (src/shared/timeline.ts): marks from every side in one time order, phases as the
// time since the mark before; marks posted by a webview are checked; a shared step marks every open timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Timeline, addOpen, epochNow, fetchMarks, markOpen, openTimelines } from '../../src/shared/timeline';

test('phases come in time order whichever side marked them, each with the time since the one before', () => {
  const t = new Timeline();
  t.mark('host: command invoked', 1000);
  t.add([['worker: translated', 1300], ['page: translate received', 1100]]);
  t.mark('host: result received', 1350.5);
  assert.deepEqual(t.phases(), [
    { label: 'host: command invoked', ms: 0, sinceStartMs: 0 },
    { label: 'page: translate received', ms: 100, sinceStartMs: 100 },
    { label: 'worker: translated', ms: 200, sinceStartMs: 300 },
    { label: 'host: result received', ms: 50.5, sinceStartMs: 350.5 },
  ]);
  assert.match(t.format().split('\n')[3], /\+50\.5 ms\s+\(350\.5\)\s+host: result received/);
});

test('marks a webview posts are checked: what is not [label, finite time] is dropped, long labels are cut', () => {
  const t = new Timeline();
  t.add('not a list');
  t.add([['ok', 1], ['no time'], [1, 2], ['nan', Number.NaN], null, ['x'.repeat(500), 2]]);
  assert.deepEqual(t.marks.map(([l, at]) => [l.length, at]), [[2, 1], [120, 2]]);
});

test('a step several translations wait for marks every open timeline, and only those', () => {
  const a = new Timeline();
  const b = new Timeline();
  const closed = new Timeline();
  openTimelines.add(a);
  openTimelines.add(b);
  try {
    markOpen('host: model loaded');
    addOpen([['worker: sessions created', 5]]);
  } finally {
    openTimelines.delete(a);
    openTimelines.delete(b);
  }
  for (const t of [a, b]) assert.deepEqual(t.marks.map(([l]) => l), ['host: model loaded', 'worker: sessions created']);
  assert.deepEqual(closed.marks, []);
});

test('epochNow is the wall clock, with fractions', () => {
  assert.ok(Math.abs(epochNow() - Date.now()) < 50);
});

test('fetchMarks: when a fetched file began and finished coming, from the runtime\'s Resource Timing; nothing for others', async () => {
  const server = createServer((_req, res) => { setTimeout(() => res.end('x'.repeat(10_000)), 30); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dist/webview.js`;
    const before = epochNow();
    await (await fetch(url)).text();
    // Node adds the entry a moment after the body is read (a page has its script's entry when the script runs).
    for (let i = 0; i < 200 && performance.getEntriesByName(url).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const after = epochNow();
    const marks = fetchMarks('page: ', [url, url.replace('webview.js', 'never-fetched.js')]);
    assert.deepEqual(marks.map(([label]) => label), ['page: webview.js fetch started', 'page: webview.js fetched']);
    const [[, started], [, fetched]] = marks;
    assert.ok(before - 1 <= started && started + 25 <= fetched && fetched <= after + 1, `${before} ${started} ${fetched} ${after}`);
  } finally {
    server.close();
  }
});
