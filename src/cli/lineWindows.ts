// Input lines in windows translated together, so the sentences of many lines can share decoder batches: a window is
// every line that has arrived, up to a cap, once the input pauses (a file or pipe arrives in bulk; someone typing
// gets each line as soon as it is entered, after a short pause).

/** What lineWindows reads: node:readline's Interface has this shape. */
export interface LineSource {
  on(event: 'line', listener: (line: string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

export interface LineWindowOptions {
  /** Most lines in one window. */
  max: number;
  /** A window closes when no new line has come for this long. */
  settleMs: number;
}

/** Listens from the call on (lines sent before the first window is asked for are kept). */
export function lineWindows(source: LineSource, o: LineWindowOptions): AsyncGenerator<string[]> {
  if (!(o.max >= 1)) throw new Error(`a window holds at least one line, not ${o.max}`);
  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  source.on('line', (line) => {
    queue.push(line);
    // Reading ahead stops at two windows: a long input is not held in memory whole.
    if (queue.length >= 2 * o.max) source.pause();
    notify();
  });
  source.on('close', () => {
    closed = true;
    notify();
  });
  /** Until a line arrives or the input ends, or `ms` pass. */
  const next = (ms?: number) => new Promise<void>((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
    const done = () => {
      clearTimeout(timer);
      wake = undefined;
      resolve();
    };
    wake = done;
  });
  return (async function* windows() {
    for (;;) {
      while (queue.length === 0 && !closed) await next();
      if (queue.length === 0) return;
      while (queue.length < o.max && !closed) {
        const before = queue.length;
        await next(o.settleMs);
        if (queue.length === before) break;
      }
      const window = queue.splice(0, o.max);
      if (queue.length < 2 * o.max) source.resume();
      yield window;
    }
  })();
}
