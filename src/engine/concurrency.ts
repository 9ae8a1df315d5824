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
 * A MessageChannel message is a macrotask without setTimeout's clamping (at least 1 ms in Node, 4 ms for
 * nested browser timers: up to a second over 255 steps); a fresh channel per turn, closed at once, keeps
 * Node from starving timers (one busy port drains its queue in a single turn) and lets the process exit.
 */
export function yieldToEventLoop(): Promise<void> {
  const Channel = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  if (!Channel) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new Channel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

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
