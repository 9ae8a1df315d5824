// Where a translation's time goes, across the extension host, the webview page and its engine worker: each side marks
// the moments it sees ("integrity checked", "worker: encoder session created") on the wall clock, which all the
// processes of one machine share, and the host puts them in one order. Imports neither vscode nor the DOM.

/** A moment on the wall clock: [what happened, milliseconds since 1970 (fractional)]. */
export type Mark = [label: string, at: number];

/** Now, in fractional milliseconds since 1970: the same clock in Node, a page and a worker of one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * When the browser began and finished fetching each of `urls` (Resource Timing), as marks "<prefix><file> fetch
 * started" / "... fetched"; none for a URL it has no entry for (Node, or not fetched yet). Why: a page's own start
 * (its script coming through the editor's service worker) is otherwise one unexplained span.
 */
export function fetchMarks(prefix: string, urls: string[]): Mark[] {
  const marks: Mark[] = [];
  for (const url of urls) {
    const entry = performance.getEntriesByName?.(url).find((e) => 'responseEnd' in e) as { fetchStart: number; responseEnd: number } | undefined;
    if (!entry) continue;
    const file = url.slice(url.lastIndexOf('/') + 1);
    marks.push([`${prefix}${file} fetch started`, performance.timeOrigin + entry.fetchStart],
      [`${prefix}${file} fetched`, performance.timeOrigin + entry.responseEnd]);
  }
  return marks;
}

/** One phase of a breakdown: from the previous mark to this one. */
export interface Phase { label: string; ms: number; sinceStartMs: number }

export class Timeline {
  readonly marks: Mark[] = [];

  mark(label: string, at = epochNow()): void {
    this.marks.push([label, at]);
  }

  /** Marks from another side (a webview's, a worker's); what is not a [string, finite number] pair is dropped. */
  add(marks: unknown): void {
    if (!Array.isArray(marks)) return;
    for (const m of marks) {
      if (Array.isArray(m) && typeof m[0] === 'string' && Number.isFinite(m[1])) this.marks.push([m[0].slice(0, 120), m[1]]);
    }
  }

  /** The marks in time order, each with the milliseconds since the one before it and since the first. */
  phases(): Phase[] {
    const sorted = [...this.marks].sort((a, b) => a[1] - b[1]);
    const start = sorted[0]?.[1] ?? 0;
    return sorted.map(([label, at], i) => ({ label, ms: i === 0 ? 0 : at - sorted[i - 1][1], sinceStartMs: at - start }));
  }

  /** One line per phase: "  +12.3 ms  (1234.5 ms)  label". */
  format(): string {
    return this.phases().map((p) => `${`+${p.ms.toFixed(1)}`.padStart(10)} ms ${`(${p.sinceStartMs.toFixed(1)})`.padStart(10)}  ${p.label}`).join('\n');
  }
}

/**
 * The timelines of the translations in flight on the host. A step that several may wait for (one model load) marks
 * every open one, so each translation's breakdown is whole.
 */
export const openTimelines = new Set<Timeline>();

export function markOpen(label: string): void {
  const at = epochNow();
  for (const t of openTimelines) t.mark(label, at);
}

/** Another side's marks (a model load's, from the webview) into every open timeline. */
export function addOpen(marks: unknown): void {
  for (const t of openTimelines) t.add(marks);
}
