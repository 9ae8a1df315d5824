// A webview's `progress` notification reaches the progress bar only as three whole counts with done <= total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgress } from '../../src/shared/progressMessage';

test('well-formed progress passes, with only its three fields', () => {
  assert.deepEqual(parseProgress({ requestId: 7, done: 0, total: 3 }), { requestId: 7, done: 0, total: 3 });
  assert.deepEqual(parseProgress({ requestId: 7, done: 3, total: 3, extra: 'x' }), { requestId: 7, done: 3, total: 3 });
});

test('anything else is dropped', () => {
  const bad: unknown[] = [
    undefined, null, 'progress', 42, [],
    { done: 1, total: 2 },                                   // no request id
    { requestId: '7', done: 1, total: 2 },                   // strings are not counts
    { requestId: 7, done: Number.NaN, total: 2 },
    { requestId: 7, done: 1, total: Infinity },
    { requestId: 7, done: -1, total: 2 },
    { requestId: 7, done: 1.5, total: 2 },
    { requestId: 7, done: 3, total: 2 },                     // more done than there is
    { requestId: 7, done: 1, total: 2 ** 60 },               // not a safe integer
  ];
  for (const value of bad) assert.equal(parseProgress(value), undefined, JSON.stringify(value) ?? String(value));
});
