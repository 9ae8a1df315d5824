// Hover in the Attention panel: pointing at (or focusing) a heatmap cell or a strip token highlights its row and
// column, tints the tokens it attends to, and shows a tooltip with the top weights. Owns the hover state and the
// tooltip element; clicks on target rows and tokens go to the step player through its host.
import { matrixCol, matrixRow, topEntries } from '../../src/engine/attention';
import { el } from '../components/dom';
import { formatValue } from '../render/colorScale';
import type { Highlight } from '../render/heatmap';
import { hitTest } from '../render/layout';
import type { Translate } from '../strings';
import type { Drawn, HeatmapView } from './heatmapView';
import { type StripRef, colToken, rowToken, tokenToCells } from './selection';
import type { TokenStrips } from './tokenStrips';

type Hover =
  | { origin: 'cell'; row?: number; col?: number }
  | { origin: 'token'; ref: StripRef };

/** What hover asks of the panel around it. */
export interface HoverHost {
  /** A click picked target row / token `index` (the step player goes there when the result has steps). */
  pickTarget(index: number): void;
}

export class HoverInspector {
  readonly tooltip: HTMLElement;
  /** A visually hidden live region: screen readers announce the cell the keyboard cursor moved to. */
  readonly announcer: HTMLElement;
  private hover?: Hover;

  constructor(private readonly t: Translate, private readonly heatmap: HeatmapView, private readonly strips: TokenStrips, private readonly host: HoverHost) {
    this.tooltip = el('div', { class: 'ac-tooltip', attrs: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.announcer = el('div', { class: 'sr-only', attrs: { id: 'heatmap-announcer', 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.wireHeatmap(heatmap.canvas);
    for (const strip of [strips.source, strips.target]) this.wireStrip(strip);
  }

  /** The heatmap row/column the current hover stands for (the overlay draws it). */
  cells(): Highlight | undefined {
    const hv = this.hover, d = this.heatmap.drawn;
    if (!hv || !d) return undefined;
    if (hv.origin === 'cell') return { row: hv.row, col: hv.col };
    return tokenToCells(this.heatmap.selection.kind, hv.ref, d.matrix.rows, d.matrix.cols);
  }

  /** Forgets the hover without redrawing (a new sentence is about to be drawn). */
  reset(): void {
    this.hover = undefined;
    this.tooltip.hidden = true;
  }

  private set(hv: Hover | undefined): void {
    this.hover = hv;
    if (!hv) this.tooltip.hidden = true;
    this.heatmap.drawOverlay();
    this.markStrips();
  }

  private wireHeatmap(c: HTMLCanvasElement): void {
    const at = (e: PointerEvent | MouseEvent) => {
      const r = c.getBoundingClientRect();
      const d = this.heatmap.drawn;
      return d ? hitTest(d.layout, e.clientX - r.left, e.clientY - r.top) : undefined;
    };
    c.addEventListener('pointermove', (e) => {
      const hit = at(e);
      if (!hit) { this.set(undefined); return; }
      this.set({ origin: 'cell', row: hit.row, col: hit.col });
      this.showCellTooltip(hit.row, hit.col, e.clientX, e.clientY);
    });
    c.addEventListener('pointerleave', () => this.set(undefined));
    c.addEventListener('click', (e) => {
      const hit = at(e);
      const kind = this.heatmap.selection.kind;
      if (hit?.row !== undefined && (kind === 'cross' || kind === 'decoder')) this.host.pickTarget(hit.row);
    });
    c.addEventListener('keydown', (e) => {
      const d = this.heatmap.drawn;
      if (!d) return;
      const cur = this.hover?.origin === 'cell' ? this.hover : { origin: 'cell' as const, row: -1, col: -1 };
      let row = cur.row ?? 0, col = cur.col ?? 0;
      if (row < 0 || col < 0) { row = 0; col = 0; }
      else if (e.key === 'ArrowUp') row = Math.max(0, row - 1);
      else if (e.key === 'ArrowDown') row = Math.min(d.layout.rows - 1, row + 1);
      else if (e.key === 'ArrowLeft') col = Math.max(0, col - 1);
      else if (e.key === 'ArrowRight') col = Math.min(d.layout.cols - 1, col + 1);
      else if (e.key === 'Escape') { this.set(undefined); return; }
      else return;
      e.preventDefault();
      this.set({ origin: 'cell', row, col });
      this.announce(d, row, col);
      const r = c.getBoundingClientRect();
      this.showCellTooltip(row, col, r.left + d.layout.left + (col + 1) * d.layout.cell, r.top + d.layout.top + (row + 1) * d.layout.cell);
    });
    c.addEventListener('blur', () => { if (this.hover?.origin === 'cell') this.set(undefined); });
  }

  /** Says where the keyboard cursor is: "은행 to 돈: 0.42. Row 2 of 7, column 5 of 7." */
  private announce(d: Drawn, row: number, col: number): void {
    this.announcer.textContent = this.t('panel.cellAnnouncement', {
      row: d.rows[row]?.text ?? '?', col: d.cols[col]?.text ?? '?', value: formatValue(d.matrix.data[row * d.matrix.cols + col]),
      i: row + 1, rows: d.matrix.rows, j: col + 1, cols: d.matrix.cols,
    });
  }

  private wireStrip(strip: HTMLElement): void {
    const which = this.strips.stripOf(strip);
    const tokenAt = (e: Event) => (e.target as HTMLElement).closest<HTMLElement>('.token');
    const enter = (e: HTMLElement) => {
      const ref: StripRef = { strip: which, index: Number(e.dataset.index) };
      this.set({ origin: 'token', ref });
      this.showTokenTooltip(ref, e);
    };
    strip.addEventListener('pointerover', (e) => {
      const t = tokenAt(e);
      if (t && strip.contains(t)) enter(t);
    });
    strip.addEventListener('pointerleave', () => this.set(undefined));
    strip.addEventListener('focusin', (e) => {
      const t = tokenAt(e);
      if (t) enter(t);
    });
    strip.addEventListener('focusout', () => this.set(undefined));
    strip.addEventListener('click', (e) => {
      const t = tokenAt(e);
      if (t && which === 'target') this.host.pickTarget(Number(t.dataset.index));
    });
  }

  /** Marks the hovered token, the row and column tokens, and tints the other axis by the weights. */
  private markStrips(): void {
    const { strips } = this;
    strips.clearMarks();
    const d = this.heatmap.drawn, hv = this.hover;
    if (!hv) return;
    const kind = this.heatmap.selection.kind;
    if (hv.origin === 'token') strips.highlight(hv.ref);
    const cells = this.cells();
    if (!d || !cells) return;
    if (cells.row !== undefined) strips.highlight(rowToken(kind, cells.row));
    if (cells.col !== undefined) strips.highlight(colToken(kind, cells.col));
    // A query's attention over keys, or a key's over queries.
    const tint = (values: Float32Array, ref: (i: number) => StripRef | undefined) => {
      const max = values.reduce((m, v) => Math.max(m, v), 0) || 1;
      values.forEach((v, i) => { if (v / max >= 0.04) strips.tint(ref(i), v / max); });
    };
    if (cells.row !== undefined) tint(matrixRow(d.matrix, cells.row), (j) => colToken(kind, j));
    else if (cells.col !== undefined) tint(matrixCol(d.matrix, cells.col), (i) => rowToken(kind, i));
  }

  private showCellTooltip(row: number | undefined, col: number | undefined, x: number, y: number): void {
    const d = this.heatmap.drawn;
    if (!d) return;
    if (row !== undefined && col !== undefined) {
      const v = d.matrix.data[row * d.matrix.cols + col];
      this.showTooltip([`${d.rows[row]?.text ?? '?'} → ${d.cols[col]?.text ?? '?'}: ${formatValue(v)}`], x, y);
    } else if (row !== undefined || col !== undefined) {
      this.showTooltip([topLine(d, row, col)], x, y);
    }
  }

  private showTokenTooltip(ref: StripRef, token: HTMLElement): void {
    const d = this.heatmap.drawn;
    const lines: string[] = [];
    if (d) {
      const cells = tokenToCells(this.heatmap.selection.kind, ref, d.matrix.rows, d.matrix.cols);
      if (cells.row !== undefined) lines.push(topLine(d, cells.row, undefined));
      else if (cells.col !== undefined) lines.push(topLine(d, undefined, cells.col));
    }
    lines.push(this.t('panel.tokenInfo', { piece: token.dataset.piece ?? '', id: token.dataset.id ?? '' }));
    const r = token.getBoundingClientRect();
    this.showTooltip(lines, r.left, r.bottom + 2, true);
  }

  /** Shows the tooltip near (x, y), kept inside the window; `exact`: at (x, y) rather than beside the pointer. */
  private showTooltip(lines: string[], x: number, y: number, exact = false): void {
    const tip = this.tooltip;
    tip.replaceChildren(...lines.map((l, i) => el('div', { class: i === 0 ? 'tt-main' : 'tt-sub', text: l })));
    tip.hidden = false;
    const win = tip.ownerDocument.defaultView;
    const vw = win?.innerWidth ?? 1000, vh = win?.innerHeight ?? 800;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let left = exact ? x : x + 14, top = exact ? y : y + 16;
    if (left + w > vw - 4) left = Math.max(4, vw - 4 - w);
    if (top + h > vh - 4) top = Math.max(4, (exact ? y - 30 : y - 8) - h);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }
}

/** "은행 → 가서 0.42 · 에 0.20 · 돈 0.11" (a row) or "went 0.40 · bank 0.31 → 은행" (a column). */
function topLine(d: Drawn, row: number | undefined, col: number | undefined): string {
  if (row !== undefined) {
    const top = topEntries(matrixRow(d.matrix, row), 3).map((e) => `${d.cols[e.index]?.text ?? '?'} ${formatValue(e.value)}`);
    return `${d.rows[row]?.text ?? '?'} → ${top.join(' · ')}`;
  }
  const top = topEntries(matrixCol(d.matrix, col!), 3).map((e) => `${d.rows[e.index]?.text ?? '?'} ${formatValue(e.value)}`);
  return `${top.join(' · ')} → ${d.cols[col!]?.text ?? '?'}`;
}
