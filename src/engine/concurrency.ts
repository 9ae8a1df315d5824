// Keeping the engine live while the model computes: one run at a time, a turn for the event loop between
// decoder steps, and cancellation that answers at once. No Node or DOM imports: the engine runs in both.

/** Runs tasks one at a time, in the order they were queued; a task that fails does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(ignore, ignore);
    return result;
  }
}

function ignore(): void {
  // a queued task's outcome belongs to its caller; the queue only waits for it
}

/**
 * Resolves after the event loop has had a turn (timers, incoming messages, rendering).
 * onnxruntime-web's WASM run() computes synchronously and resolves through microtasks only, so a decode
 * loop that merely awaits it starves the loop: no timer, no cancel message, no repaint until it ends.
 * Node: setImmediate (the loop's check phase: due timers and I/O come between two of them). Browsers: a message to
 * ourselves on one MessageChannel, a macrotask without setTimeout's clamping (4 ms for nested timers: up to a second
 * over 255 steps). A fresh channel per turn, as before, cost 0.1-0.3 ms a turn in Node and 0.085 ms in Chromium
 * against 0.03 and 0.02-0.07 ms for these (docs/PERFORMANCE.md, "A turn for the event loop").
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (callback: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (g.setImmediate) return new Promise((resolve) => { g.setImmediate!(resolve); });
  if (!g.MessageChannel) return new Promise((resolve) => setTimeout(resolve, 0));
  if (!turns) {
    const channel = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    turns = { port: channel.port2, waiting };
  }
  const { port, waiting } = turns;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** The browser's channel for yieldToEventLoop: each message resolves the oldest waiting turn. */
let turns: { port: MessagePort; waiting: (() => void)[] } | undefined;

/**
 * `work`'s outcome, unless `signal` aborts first: then it rejects at once with `cancelled()`, and whatever
 * `work` does later is ignored. The work itself must still stop on its own (it checks the same signal).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, cancelled: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(ignore);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
