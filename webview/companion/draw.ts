// Canvas drawing for the companion: pixel heatmaps (one canvas pixel per cell, scaled up crisply by CSS) and
// a labelled heatmap for an enlarged attention head. Colours come from the theme.
import type { Matrix } from '../../src/shared/results';
import { mix, toCss, type RGB } from '../render/colorScale';
import { isUprightLabel } from '../render/heatmap';
import type { Theme } from '../components/theme';

/** Sequential scale: background → accent for t in [0, 1]. */
export function sequential(theme: Theme): (t: number) => RGB {
  const lut = Array.from({ length: 256 }, (_, i) => mix(theme.background, theme.accent, i / 255));
  return (t) => lut[Math.round(Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * 255)];
}

/** Diverging scale: negative colour ← background → accent for t in [-1, 1]. */
export function diverging(theme: Theme): (t: number) => RGB {
  const pos = sequential(theme);
  const neg = Array.from({ length: 256 }, (_, i) => mix(theme.background, theme.negative, i / 255));
  return (t) => (t >= 0 ? pos(t) : neg[Math.round(Math.min(1, -t) * 255)]);
}

export interface PixelHeatmapOptions {
  /** CSS size of the drawn map. */
  width: number;
  height: number;
  /** Colour of a cell's value. */
  color: (v: number) => RGB;
  /** Tooltip text of a cell. */
  tooltip?: (row: number, col: number, v: number) => string;
  label?: string;
}

/** A matrix as an image, one pixel per cell, scaled to width × height CSS pixels without smoothing. */
export function pixelHeatmap(m: Matrix, o: PixelHeatmapOptions): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.className = 'cc-pixelmap';
  c.width = Math.max(1, m.cols);
  c.height = Math.max(1, m.rows);
  c.style.width = `${Math.round(o.width)}px`;
  c.style.height = `${Math.round(o.height)}px`;
  if (o.label) {
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', o.label);
  }
  const ctx = c.getContext('2d');
  if (ctx && m.rows > 0 && m.cols > 0) {
    const img = ctx.createImageData(m.cols, m.rows);
    for (let i = 0; i < m.rows * m.cols; i++) {
      const rgb = o.color(m.data[i]);
      img.data[i * 4] = rgb.r;
      img.data[i * 4 + 1] = rgb.g;
      img.data[i * 4 + 2] = rgb.b;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  if (o.tooltip) {
    const tip = o.tooltip;
    c.addEventListener('mousemove', (e) => {
      const r = c.getBoundingClientRect();
      const col = Math.floor(((e.clientX - r.left) / r.width) * m.cols);
      const row = Math.floor(((e.clientY - r.top) / r.height) * m.rows);
      if (row >= 0 && row < m.rows && col >= 0 && col < m.cols) c.title = tip(row, col, m.data[row * m.cols + col]);
    });
  }
  return c;
}

/** Largest finite value (0 when none is positive). */
export function maxOf(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > m) m = values[i];
  return m;
}

export interface LabelledHeatmapOptions {
  rowLabels: string[];
  colLabels: string[];
  /** Labels drawn in italics (special tokens). */
  special?: boolean[];
  maxWidth: number;
  theme: Theme;
  /** Row to outline. */
  highlightRow?: number;
  tooltip?: (row: number, col: number, v: number) => string;
  label?: string;
}

/** An attention matrix with query labels on the left and key labels on top (vertical, Hangul stacked upright). */
export function labelledHeatmap(m: Matrix, o: LabelledHeatmapOptions): HTMLCanvasElement {
  const { theme } = o;
  const fs = Math.max(10, Math.round(theme.fontSize * 0.85));
  const font = (italic: boolean) => `${italic ? 'italic ' : ''}${fs}px ${theme.fontFamily}`;
  const c = document.createElement('canvas');
  const measure = c.getContext('2d');
  if (!measure) return c;
  const width = (s: string, italic: boolean) => { measure.font = font(italic); return measure.measureText(s).width; };
  const short = (s: string) => ([...s].length > 10 ? [...s].slice(0, 9).join('') + '…' : s);
  const rowW = Math.min(o.maxWidth * 0.3, Math.max(0, ...o.rowLabels.map((l, i) => width(short(l), !!o.special?.[i]))));
  // Hangul (kana, Han) read badly turned sideways: such a column label is stacked, one character per line.
  const line = fs + 2;
  const stacked = o.colLabels.map((l, i) => isUprightLabel({ text: short(l), wordStart: false, special: !!o.special?.[i] }));
  const colW = o.colLabels.map((l, i) => width(short(l), !!o.special?.[i]));
  const colH = Math.max(0, ...colW.map((w, i) => (stacked[i] ? [...short(o.colLabels[i])].length * line : w)));
  const pad = 4, gap = 5;
  const left = pad + Math.ceil(rowW) + gap;
  // Cells never get smaller than a label line (the canvas scrolls sideways instead).
  const cell = Math.max(fs + 2, Math.min(26, Math.floor((o.maxWidth - left - pad) / Math.max(1, m.cols))));
  // Column labels stay horizontal when every one fits in its cell, else they are drawn vertically.
  const upright = Math.max(0, ...colW) <= cell - 2;
  const top = pad + (upright ? fs + 2 : Math.ceil(colH)) + gap;
  const cssW = left + cell * m.cols + pad, cssH = top + cell * m.rows + pad;
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.ceil(cssW * dpr);
  c.height = Math.ceil(cssH * dpr);
  c.style.width = `${cssW}px`;
  c.style.height = `${cssH}px`;
  c.className = 'cc-labelled';
  if (o.label) {
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', o.label);
  }
  const ctx = c.getContext('2d')!;
  ctx.scale(dpr, dpr);
  const scale = sequential(theme);
  const max = maxOf(m.data) || 1;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      ctx.fillStyle = toCss(scale(m.data[i * m.cols + j] / max));
      ctx.fillRect(left + j * cell, top + i * cell, cell, cell);
      if (theme.highContrast) {
        ctx.strokeStyle = toCss(theme.border);
        ctx.strokeRect(left + j * cell + 0.5, top + i * cell + 0.5, cell - 1, cell - 1);
      }
    }
  }
  ctx.textBaseline = 'middle';
  for (let i = 0; i < m.rows; i++) {
    const special = !!o.special?.[i];
    ctx.font = font(special);
    ctx.fillStyle = toCss(i === o.highlightRow ? theme.foreground : special ? theme.muted : theme.foreground);
    ctx.textAlign = 'right';
    ctx.fillText(short(o.rowLabels[i] ?? ''), left - gap, top + (i + 0.5) * cell);
  }
  for (let j = 0; j < m.cols; j++) {
    const special = !!o.special?.[j];
    ctx.save();
    ctx.font = font(special);
    ctx.fillStyle = toCss(special ? theme.muted : theme.foreground);
    if (upright) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(short(o.colLabels[j] ?? ''), left + (j + 0.5) * cell, top - gap + 2);
    } else if (stacked[j]) {
      const chars = [...short(o.colLabels[j] ?? '')];
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      chars.forEach((c, k) => ctx.fillText(c, left + (j + 0.5) * cell, top - gap - (chars.length - k - 0.5) * line));
    } else {
      ctx.translate(left + (j + 0.5) * cell, top - gap);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      ctx.fillText(short(o.colLabels[j] ?? ''), 0, 0);
    }
    ctx.restore();
  }
  if (o.highlightRow !== undefined && o.highlightRow >= 0 && o.highlightRow < m.rows) {
    ctx.strokeStyle = toCss(theme.highlight);
    ctx.lineWidth = 1.5;
    ctx.strokeRect(left - 0.75, top + o.highlightRow * cell - 0.75, cell * m.cols + 1.5, cell + 1.5);
  }
  if (o.tooltip) {
    const tip = o.tooltip;
    c.addEventListener('mousemove', (e) => {
      const r = c.getBoundingClientRect();
      const x = e.clientX - r.left - left, y = e.clientY - r.top - top;
      const col = Math.floor(x / cell), row = Math.floor(y / cell);
      c.title = row >= 0 && row < m.rows && col >= 0 && col < m.cols ? tip(row, col, m.data[row * m.cols + col]) : '';
    });
  }
  return c;
}

/** A CSS gradient for a legend between the scale's ends. */
export function legendCss(color: (t: number) => RGB, from: number, to: number, stops = 9): string {
  const parts = Array.from({ length: stops }, (_, i) => `${toCss(color(from + ((to - from) * i) / (stops - 1)))} ${Math.round((100 * i) / (stops - 1))}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}
