// The PNG twin of the SVG figure (./figure.ts) for "Export figure": the same heatmap, title, subtitle and legend,
// drawn by ./heatmap.ts onto a canvas the caller passes (a fresh <canvas>; a fake in tests).
import type { Matrix } from '../../src/shared/results';
import { formatValue, toCss } from './colorScale';
import { FIGURE_MARGIN, axisTitlePlaces, figureOrigin, figureSize, type FigureOptions } from './figure';
import { type Ctx, drawHeatmap } from './heatmap';
import { quote } from './tokens';

/** What the figure needs of a canvas. */
export interface FigureCanvas {
  width: number;
  height: number;
  getContext(id: '2d'): CanvasRenderingContext2D | null;
  toDataURL(type: string): string;
}

const subtitleFont = (o: Pick<FigureOptions, 'theme'>) => `${Math.max(9, o.theme.fontSize - 1)}px ${o.theme.fontFamily}`;

/** Shortens `text` to one line that fits the figure's width in the subtitle font (measured on `canvas`). */
export function fitSubtitle(canvas: FigureCanvas, text: string, o: Pick<FigureOptions, 'theme' | 'layout' | 'axes'>): string {
  let s = text.replace(/\s+/g, ' ');
  const ctx = canvas.getContext('2d');
  if (!ctx) return s;
  ctx.font = subtitleFont(o);
  const room = figureSize(o.layout, o.axes, o.theme.fontSize).width - 2 * FIGURE_MARGIN.side;
  while (s.length > 4 && ctx.measureText(s).width > room) s = quote(s, [...s].length - 4);
  return s;
}

/** The figure as a PNG data URL, `pixelRatio` pixels per CSS pixel; '' when the canvas has no 2D context. */
export function heatmapPng(canvas: FigureCanvas, m: Matrix, o: FigureOptions & { scale: (t: number) => string }, pixelRatio = 2): string {
  const { layout: l, theme } = o;
  const { width: W, height: H } = figureSize(l, o.axes, theme.fontSize);
  canvas.width = W * pixelRatio;
  canvas.height = H * pixelRatio;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  ctx.scale(pixelRatio, pixelRatio);
  ctx.fillStyle = toCss(theme.background);
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = toCss(theme.foreground);
  ctx.font = `600 ${theme.fontSize}px ${theme.fontFamily}`;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(o.title, FIGURE_MARGIN.side, 18);
  ctx.fillStyle = toCss(theme.muted);
  ctx.font = subtitleFont(o);
  ctx.fillText(o.subtitle ?? '', FIGURE_MARGIN.side, 33);
  if (o.axes) {
    // The same places as the SVG's: the column title above the column labels, the row title rotated at the left.
    const at = axisTitlePlaces(l, o.axes, theme.fontSize);
    ctx.fillStyle = toCss(theme.foreground);
    ctx.font = `${theme.fontSize}px ${theme.fontFamily}`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(o.axes.cols, at.cols.x, at.cols.y);
    ctx.save();
    ctx.translate(at.rows.x, at.rows.y);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(o.axes.rows, 0, 0);
    ctx.restore();
    ctx.textAlign = 'left';
  }
  const origin = figureOrigin(o.axes);
  ctx.translate(origin.x, origin.y);
  drawHeatmap(ctx as unknown as Ctx, m, { layout: l, rowLabels: o.rowLabels, colLabels: o.colLabels, theme, scale: o.scale, max: o.max, dpr: pixelRatio });
  // Legend: 0 … max under the grid, as in the SVG.
  const lx = l.left, ly = l.height + 12, lw = Math.min(160, Math.max(80, l.gridWidth));
  for (let k = 0; k < lw; k++) {
    ctx.fillStyle = o.scale(k / (lw - 1));
    ctx.fillRect(lx + k, ly, 1.5, 8);
  }
  ctx.fillStyle = toCss(theme.muted);
  ctx.font = `${Math.max(9, theme.fontSize - 2)}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillText('0', lx - 4, ly + 4);
  ctx.textAlign = 'left';
  ctx.fillText(formatValue(o.max), lx + lw + 4, ly + 4);
  return canvas.toDataURL('image/png');
}
