// Checks a `progress` notification from a webview before the host acts on it: anything a webview posts is untrusted,
// and a NaN, a negative count or done > total would put nonsense (or a negative increment) on the progress bar.

export interface ProgressParams { requestId: number; done: number; total: number }

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The three counts when they are whole numbers with 0 <= done <= total; undefined for anything else. */
export function parseProgress(value: unknown): ProgressParams | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { requestId, done, total } = value as Record<string, unknown>;
  if (!isCount(requestId) || !isCount(done) || !isCount(total) || done > total) return undefined;
  return { requestId, done, total };
}
