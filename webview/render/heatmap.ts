// Draws attention matrices onto a 2D canvas context: the large labelled heatmap, its highlight overlay,
// and head thumbnails. Pure drawing: no DOM lookups, the caller passes the context, layout and theme.
import type { Matrix } from '../../src/shared/results';
import { formatValue, parseColor, readableOn, type RGB, toCss } from './colorScale';
import { type HeatmapLayout, colLabelAnchor, rowLabelAnchor, snappedSpan, thumbLayout } from './layout';
import { type TokenLabel, truncateLabel } from './tokens';

/** The subset of CanvasRenderingContext2D the drawing code uses (lets tests pass a recording fake). */
export type Ctx = Pick<CanvasRenderingContext2D,
  'save' | 'restore' | 'fillRect' | 'strokeRect' | 'fillText' | 'measureText' | 'translate' | 'rotate' | 'setLineDash' | 'clearRect'>
  & { fillStyle: CanvasRenderingContext2D['fillStyle']; strokeStyle: CanvasRenderingContext2D['strokeStyle']; font: string;
    lineWidth: number; globalAlpha: number; textAlign: CanvasTextAlign; textBaseline: CanvasTextBaseline };

export interface HeatmapTheme {
  background: RGB;
  foreground: RGB;
  /** Top of the colour scale. */
  accent: RGB;
  /** Labels of unselected tokens. */
  muted: RGB;
  /** Row/column highlight outline. */
  highlight: RGB;
  /** High contrast: outline around every cell. */
  cellBorder?: RGB;
  fontFamily: string;
  fontSize: number;
}

export interface Highlight { row?: number; col?: number }

export function cssFont(theme: Pick<HeatmapTheme, 'fontFamily' | 'fontSize'>, weight: 'normal' | 'bold' = 'normal', style: 'normal' | 'italic' = 'normal'): string {
  return `${style === 'italic' ? 'italic ' : ''}${weight === 'bold' ? '600 ' : ''}${theme.fontSize}px ${theme.fontFamily}`;
}

/** Most characters of a label on an axis; an upright (stacked) column label has fewer. */
export const MAX_CHARS = 16;
export const MAX_UPRIGHT_CHARS = 8;

/** Width of a label as drawn on one line. Word starts are not drawn (a word's pieces read as one in the word view). */
export function measureLabel(ctx: Pick<Ctx, 'measureText' | 'font'>, label: TokenLabel, theme: HeatmapTheme, maxChars = MAX_CHARS, bold = false): number {
  ctx.font = cssFont(theme, bold ? 'bold' : 'normal', label.special ? 'italic' : 'normal');
  return ctx.measureText(truncateLabel(label.text, maxChars)).width;
}

/**
 * Hangul, kana and Han characters read badly when rotated: a column label made only of them is stacked upright,
 * one character under the other (byte numbers such as ₁ may follow). Special tokens never are.
 */
const UPRIGHT = /^[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef₀-₉]+$/u;
export function isUprightLabel(label: TokenLabel): boolean {
  return !label.special && UPRIGHT.test(label.text) && !/^[₀-₉]/.test(label.text);
}

/** Line height of stacked characters. */
export const uprightLine = (theme: Pick<HeatmapTheme, 'fontSize'>): number => Math.ceil(theme.fontSize * 1.15);

/** Height of a column label stacked upright (0 for a label that is never stacked): its characters times the line. */
export function uprightHeight(label: TokenLabel, theme: Pick<HeatmapTheme, 'fontSize'>): number {
  return isUprightLabel(label) ? [...truncateLabel(label.text, MAX_UPRIGHT_CHARS)].length * uprightLine(theme) : 0;
}

function labelStyle(ctx: Ctx, label: TokenLabel, color: RGB, theme: HeatmapTheme, bold: boolean): void {
  ctx.font = cssFont(theme, bold ? 'bold' : 'normal', label.special ? 'italic' : 'normal');
  ctx.fillStyle = toCss(color);
  ctx.textBaseline = 'middle';
}

/** Draws a label starting at (x, y) (left edge, vertical middle), in the current transform. */
function drawLabelAt(ctx: Ctx, label: TokenLabel, x: number, y: number, color: RGB, theme: HeatmapTheme, bold = false, maxChars = MAX_CHARS): void {
  labelStyle(ctx, label, color, theme, bold);
  ctx.textAlign = 'left';
  const text = truncateLabel(label.text, maxChars);
  if (label.special) { const a = ctx.globalAlpha; ctx.globalAlpha = a * 0.75; ctx.fillText(text, x, y); ctx.globalAlpha = a; }
  else ctx.fillText(text, x, y);
}

/** Draws a label's characters one under the other, centred on x, the last one ending at `bottom`. */
function drawUprightAt(ctx: Ctx, label: TokenLabel, x: number, bottom: number, color: RGB, theme: HeatmapTheme, bold = false): void {
  labelStyle(ctx, label, color, theme, bold);
  ctx.textAlign = 'center';
  const chars = [...truncateLabel(label.text, MAX_UPRIGHT_CHARS)];
  const lh = uprightLine(theme);
  chars.forEach((c, k) => ctx.fillText(c, x, bottom - (chars.length - k - 0.5) * lh));
}

function drawRowLabel(ctx: Ctx, l: HeatmapLayout, i: number, label: TokenLabel, color: RGB, theme: HeatmapTheme, bold = false): void {
  const w = measureLabel(ctx, label, theme, MAX_CHARS, bold);
  const a = rowLabelAnchor(l, i);
  drawLabelAt(ctx, label, a.x - w, a.y, color, theme, bold);
}

function drawColLabel(ctx: Ctx, l: HeatmapLayout, j: number, label: TokenLabel, color: RGB, theme: HeatmapTheme, bold = false): void {
  const a = colLabelAnchor(l, j);
  if (!l.rotated) {
    const w = measureLabel(ctx, label, theme, MAX_CHARS, bold);
    drawLabelAt(ctx, label, a.x - w / 2, a.y - l.fontSize / 2, color, theme, bold);
    return;
  }
  if (isUprightLabel(label)) {
    drawUprightAt(ctx, label, a.x, a.y, color, theme, bold);
    return;
  }
  ctx.save();
  ctx.translate(a.x, a.y);
  ctx.rotate((-l.angle * Math.PI) / 180);
  drawLabelAt(ctx, label, 0, 0, color, theme, bold);
  ctx.restore();
}

export interface HeatmapDrawOptions {
  layout: HeatmapLayout;
  rowLabels: TokenLabel[];
  colLabels: TokenLabel[];
  theme: HeatmapTheme;
  /** Value in [0, 1] (already divided by the maximum) -> CSS colour. */
  scale: (t: number) => string;
  /** The value drawn at the top of the scale (the legend's max). */
  max: number;
  dpr?: number;
}

/**
 * The heatmap itself: background, cells (rows = queries, columns = keys), labels. Cells of 18 px and more get
 * a hairline gap so single cells stay distinguishable; high-contrast themes outline every cell.
 */
export function drawHeatmap(ctx: Ctx, m: Matrix, o: HeatmapDrawOptions): void {
  const { layout: l, theme } = o;
  const dpr = o.dpr ?? 1;
  ctx.fillStyle = toCss(theme.background);
  ctx.fillRect(0, 0, l.width, l.height);
  const inv = o.max > 0 ? 1 / o.max : 0;
  const gap = l.cell >= 18 ? 1 : 0;
  for (let i = 0; i < m.rows && i < l.rows; i++) {
    const [y0, y1] = snappedSpan(l.top, l.cell, i, dpr);
    for (let j = 0; j < m.cols && j < l.cols; j++) {
      const [x0, x1] = snappedSpan(l.left, l.cell, j, dpr);
      ctx.fillStyle = o.scale(m.data[i * m.cols + j] * inv);
      ctx.fillRect(x0, y0, x1 - x0 - gap, y1 - y0 - gap);
    }
  }
  if (theme.cellBorder) {
    ctx.strokeStyle = toCss(theme.cellBorder);
    ctx.lineWidth = 1;
    for (let i = 0; i < l.rows; i++) for (let j = 0; j < l.cols; j++) ctx.strokeRect(l.left + j * l.cell + 0.5, l.top + i * l.cell + 0.5, l.cell - 1, l.cell - 1);
  } else {
    // A faint frame so a mostly-empty map still reads as a grid on the background.
    ctx.strokeStyle = toCss({ ...theme.foreground, a: 1 });
    ctx.globalAlpha = 0.18;
    ctx.lineWidth = 1;
    ctx.strokeRect(l.left - 0.5, l.top - 0.5, l.gridWidth + 1 - gap, l.gridHeight + 1 - gap);
    ctx.globalAlpha = 1;
  }
  o.rowLabels.slice(0, l.rows).forEach((lab, i) => drawRowLabel(ctx, l, i, lab, theme.muted, theme));
  o.colLabels.slice(0, l.cols).forEach((lab, j) => drawColLabel(ctx, l, j, lab, theme.muted, theme));
}

export interface OverlayOptions extends HeatmapDrawOptions {
  highlight?: Highlight;
  /** Row of the decoding step the player shows (dashed outline). */
  stepRow?: number;
  /** Values of the highlighted row are written into its cells when cells are at least this large. */
  valueMinCell?: number;
}

/**
 * The highlight layer drawn over a heatmap (on a transparent canvas of the same size): outlines around the
 * hovered row and column, the step row, a stronger outline on the hovered cell, the labels of the hovered
 * row and column in bold, and the values of the hovered row when cells are large enough.
 */
export function drawOverlay(ctx: Ctx, m: Matrix, o: OverlayOptions): void {
  const { layout: l, theme } = o;
  ctx.clearRect(0, 0, l.width, l.height);
  const hl = toCss(theme.highlight);
  ctx.lineWidth = 1.5;
  if (o.stepRow !== undefined && o.stepRow >= 0 && o.stepRow < l.rows) {
    ctx.strokeStyle = toCss(theme.foreground);
    ctx.setLineDash([4, 3]);
    ctx.strokeRect(l.left - 1.5, l.top + o.stepRow * l.cell - 1, l.gridWidth + 2, l.cell + 1);
    ctx.setLineDash([]);
    eraseRowLabel(ctx, l, o.stepRow, theme);
    drawRowLabel(ctx, l, o.stepRow, o.rowLabels[o.stepRow] ?? { text: '?', wordStart: false, special: true }, theme.foreground, theme, true);
  }
  const h = o.highlight;
  if (!h) return;
  const row = h.row !== undefined && h.row >= 0 && h.row < l.rows ? h.row : undefined;
  const col = h.col !== undefined && h.col >= 0 && h.col < l.cols ? h.col : undefined;
  ctx.strokeStyle = hl;
  if (row !== undefined) ctx.strokeRect(l.left - 0.75, l.top + row * l.cell - 0.75, l.gridWidth + 0.5, l.cell + 0.5);
  if (col !== undefined) ctx.strokeRect(l.left + col * l.cell - 0.75, l.top - 0.75, l.cell + 0.5, l.gridHeight + 0.5);
  if (row !== undefined && col !== undefined) {
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = toCss(theme.foreground);
    ctx.strokeRect(l.left + col * l.cell - 1.25, l.top + row * l.cell - 1.25, l.cell + 1.5, l.cell + 1.5);
  }
  if (row !== undefined) {
    eraseRowLabel(ctx, l, row, theme);
    drawRowLabel(ctx, l, row, o.rowLabels[row] ?? { text: '?', wordStart: false, special: true }, theme.foreground, theme, true);
    const minCell = o.valueMinCell ?? 30;
    if (l.cell >= minCell) {
      const inv = o.max > 0 ? 1 / o.max : 0;
      const small = { ...theme, fontSize: Math.max(9, Math.min(11, Math.floor(l.cell / 3))) };
      ctx.font = cssFont(small);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (let j = 0; j < Math.min(m.cols, l.cols); j++) {
        const v = m.data[row * m.cols + j];
        const bg = parseColor(o.scale(v * inv)) ?? theme.background;
        ctx.fillStyle = toCss(readableOn(bg, { r: 0, g: 0, b: 0, a: 1 }, { r: 255, g: 255, b: 255, a: 1 }));
        if (v !== 0) ctx.fillText(formatValue(v).replace(/^0\./, '.'), l.left + (j + 0.5) * l.cell, l.top + (row + 0.5) * l.cell);
      }
    }
  }
  if (col !== undefined) {
    eraseColLabel(ctx, l, col, o.colLabels[col], theme);
    drawColLabel(ctx, l, col, o.colLabels[col] ?? { text: '?', wordStart: false, special: true }, theme.foreground, theme, true);
  }
}

function eraseRowLabel(ctx: Ctx, l: HeatmapLayout, i: number, theme: HeatmapTheme): void {
  ctx.fillStyle = toCss(theme.background);
  ctx.fillRect(l.pad, l.top + i * l.cell, l.left - l.pad - 1, l.cell);
}

function eraseColLabel(ctx: Ctx, l: HeatmapLayout, j: number, label: TokenLabel | undefined, theme: HeatmapTheme): void {
  const a = colLabelAnchor(l, j);
  ctx.fillStyle = toCss(theme.background);
  if (!l.rotated) {
    ctx.fillRect(l.left + j * l.cell, l.pad, l.cell, l.top - l.pad - 1);
    return;
  }
  if (label && isUprightLabel(label)) {
    const h = uprightHeight(label, theme) + 2;
    ctx.fillRect(l.left + j * l.cell, a.y - h, l.cell, h);
    return;
  }
  const w = label ? measureLabel(ctx, label, theme) + 4 : l.cell;
  ctx.save();
  ctx.translate(a.x, a.y);
  ctx.rotate((-l.angle * Math.PI) / 180);
  ctx.fillRect(-2, -l.fontSize / 2 - 2, w + 2, l.fontSize + 4);
  ctx.restore();
}

/** A small unlabelled heatmap fitting `size` CSS pixels on its longer side, for the head grid. */
export function drawThumbnail(ctx: Ctx, m: Matrix, size: number, scale: (t: number) => string, max: number, background: RGB, dpr = 1): { width: number; height: number } {
  const t = thumbLayout(m.rows, m.cols, size);
  ctx.fillStyle = toCss(background);
  ctx.fillRect(0, 0, t.width, t.height);
  const inv = max > 0 ? 1 / max : 0;
  for (let i = 0; i < m.rows; i++) {
    const [y0, y1] = snappedSpan(0, t.cell, i, dpr);
    for (let j = 0; j < m.cols; j++) {
      const [x0, x1] = snappedSpan(0, t.cell, j, dpr);
      ctx.fillStyle = scale(m.data[i * m.cols + j] * inv);
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    }
  }
  return { width: t.width, height: t.height };
}
