// The engine stays live while the model computes: runs take turns, the event loop gets a turn between decoder
// steps (so timers and cancel messages get through), and an abort answers at once. A toy decoder whose step
// blocks like a WASM run stands in for the model (test/golden/concurrency.test.ts has the real one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, type StepDecoder } from '../../src/engine/beam';
import { SerialQueue, untilAborted, yieldToEventLoop } from '../../src/engine/concurrency';

const V = 4;
const EOS = 1;

/** A decoder whose step computes for `ms` without giving the event loop a turn, as onnxruntime-web's WASM run does. */
function blockingDecoder(ms: number, onStep: () => void): StepDecoder<number> {
  return {
    vocab: V,
    start: () => 0,
    step: async (state, tokens) => {
      onStep();
      const until = performance.now() + ms;
      while (performance.now() < until) { /* computing */ }
      const logits = new Float32Array(tokens.length * V);
      for (let h = 0; h < tokens.length; h++) logits[h * V + 2] = 5;     // never </s>: runs to maxSteps
      return { logits, state: state + 1 };
    },
    reorder: (state) => state,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the queue runs one task at a time, in order, and goes on after a failure', async () => {
  const queue = new SerialQueue();
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const task = (i: number, fail = false) => queue.run(async () => {
    running++;
    most = Math.max(most, running);
    await sleep(i % 2 ? 5 : 1);
    order.push(i);
    running--;
    if (fail) throw new Error(`task ${i} failed`);
    return i;
  });
  const results = await Promise.allSettled([task(0), task(1, true), task(2), task(3)]);
  assert.equal(most, 1);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
});

test('untilAborted passes the outcome through, and rejects at once on abort', async () => {
  assert.equal(await untilAborted(Promise.resolve(7), undefined, () => new Error('x')), 7);
  assert.equal(await untilAborted(Promise.resolve(7), new AbortController().signal, () => new Error('x')), 7);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(untilAborted(sleep(1000), pre.signal, () => new Error('cancelled')), /cancelled/);
  const abort = new AbortController();
  // Told by order, not by the clock (a busy machine stretches both timers): the abort's timer is due first.
  let workEnded = false;
  const slow = sleep(300).then(() => { workEnded = true; return 'late result'; });
  setTimeout(() => abort.abort(), 10);
  await assert.rejects(untilAborted(slow, abort.signal, () => Object.assign(new Error('x'), { name: 'CancelledError' })), { name: 'CancelledError' });
  assert.equal(workEnded, false, 'rejected at the abort, before the work ended');
});

test('yieldToEventLoop lets a due timer run', async () => {
  let fired = false;
  setTimeout(() => { fired = true; }, 0);
  const until = performance.now() + 5;
  while (performance.now() < until) { /* the timer becomes due */ }
  for (let i = 0; i < 3 && !fired; i++) await yieldToEventLoop();
  assert.ok(fired, 'a due timer did not run within three turns');
});

test('a timer fires during a search whose steps block the thread', async () => {
  let steps = 0;
  let firedAtStep: number | undefined;
  const search = beamSearch(blockingDecoder(3, () => steps++), { beam: 2, bos: 0, eos: EOS, maxSteps: 30 });
  setTimeout(() => { firedAtStep = steps; }, 0);
  await search;
  assert.equal(steps, 30);
  assert.notEqual(firedAtStep, undefined);
  assert.ok(firedAtStep! <= 2, `a 0 ms timer waited for ${firedAtStep} of ${steps} steps`);
});

test('an abort from a timer stops a blocking search within one step', async () => {
  let steps = 0;
  let stepsAtAbort = -1;
  const abort = new AbortController();
  const search = beamSearch(blockingDecoder(3, () => steps++), { beam: 2, bos: 0, eos: EOS, maxSteps: 100, signal: abort.signal });
  const watcher = setInterval(() => {
    if (steps >= 5 && stepsAtAbort < 0) {
      stepsAtAbort = steps;
      abort.abort();
    }
  }, 1);
  try {
    await assert.rejects(search, { name: 'CancelledError' });
  } finally {
    clearInterval(watcher);
  }
  assert.ok(stepsAtAbort >= 5, 'the abort never fired while the search ran');
  assert.ok(steps - stepsAtAbort <= 1, `${steps - stepsAtAbort} steps ran after the abort`);
});
