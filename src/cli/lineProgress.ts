// Progress of a long input line on stderr, so a translation that takes minutes is not mistaken for a hang. Quiet for
// the first second of a line (short lines print nothing); on a terminal one status line redrawn in place, elsewhere
// (a log file, CI) a plain line every few seconds.

export interface LineProgressOptions {
  /** stderr is a terminal: redraw one line in place. */
  tty: boolean;
  write(text: string): void;
  now?: () => number;
  /** Nothing is shown before a line has taken this long. */
  quietMs?: number;
  /** Least time between two updates: on a terminal, and (longer) elsewhere. */
  ttyEveryMs?: number;
  logEveryMs?: number;
}

export class LineProgress {
  private lines = '';
  private startedAt = 0;
  private shownAt = -Infinity;
  private drawn = false;
  private readonly now: () => number;

  constructor(private readonly o: LineProgressOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A new input line (1-based), or the lines first..last together, starts translating. */
  start(first: number, last = first): void {
    this.finish();
    this.lines = last > first ? `lines ${first}-${last}` : `line ${first}`;
    this.startedAt = this.now();
    this.shownAt = -Infinity;
  }

  /** `done` of `total` sentences (or chunks) of the current line are translated. */
  update(done: number, total: number): void {
    const t = this.now();
    if (t - this.startedAt < (this.o.quietMs ?? 1000)) return;
    if (t - this.shownAt < (this.o.tty ? this.o.ttyEveryMs ?? 200 : this.o.logEveryMs ?? 5000)) return;
    this.shownAt = t;
    const text = `attention-companion: ${this.lines}: ${done} of ${total} sentences translated`;
    if (this.o.tty) {
      this.o.write(`\r\x1b[K${text}`);
      this.drawn = true;
    } else {
      this.o.write(text + '\n');
    }
  }

  /** The line is done: a status line drawn in place is cleared. */
  finish(): void {
    if (this.drawn) this.o.write('\r\x1b[K');
    this.drawn = false;
  }
}
