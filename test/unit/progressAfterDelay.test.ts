// The progress notification shown only after a delay (src/progressAfterDelay.ts): none for quick work; for slow work
// one notification with what was reported before it appeared, and its Cancel reaching the task.
import './fakes/installVscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { shown } from './fakes/vscode';
import { withProgressAfterDelay } from '../../src/progressAfterDelay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => shown.reset());

test('work that ends within the delay shows no notification', async () => {
  const result = await withProgressAfterDelay('quick', async (progress) => {
    progress.report({ message: 'Loading…' });
    await sleep(5);
    return 42;
  }, 200);
  assert.equal(result, 42);
  await sleep(250);                                    // the timer was cleared: nothing appears later either
  assert.deepEqual(shown.progressTitles, []);
  assert.deepEqual(shown.progress, []);
});

test('slow work gets the notification after the delay, with the latest message and the increments so far', async () => {
  const work = withProgressAfterDelay('slow', async (progress) => {
    progress.report({ message: 'Loading model…' });
    progress.report({ message: 'Sentence 1 of 4', increment: 25 });
    await sleep(80);
    progress.report({ message: 'Sentence 2 of 4', increment: 25 });
    return 'done';
  }, 30);
  assert.equal(await work, 'done');
  assert.deepEqual(shown.progressTitles, ['slow']);
  assert.deepEqual(shown.progress, [{ message: 'Sentence 1 of 4', increment: 25 }, { message: 'Sentence 2 of 4', increment: 25 }]);
  assert.equal(shown.cancel, undefined, 'the notification closed with the work');
});

test('Cancel on the notification cancels the task\'s token', async () => {
  let cancelledAt: number | undefined;
  const work = withProgressAfterDelay('cancellable', async (_progress, token) => {
    token.onCancellationRequested(() => { cancelledAt = Date.now(); });
    while (!token.isCancellationRequested) await sleep(5);
    return 'stopped';
  }, 10);
  await sleep(40);
  assert.ok(shown.cancel, 'the notification is up, with its Cancel');
  shown.cancel!();
  assert.equal(await work, 'stopped');
  assert.ok(cancelledAt !== undefined);
});
