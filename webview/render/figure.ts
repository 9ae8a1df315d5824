// A standalone SVG figure of one heatmap (labels, title, legend) for "Export figure". Pure string building.
import { printableText } from '../../src/shared/printableText';
import type { Matrix } from '../../src/shared/results';
import { formatValue, mix, toHex } from './colorScale';
import { type HeatmapTheme, MAX_CHARS, MAX_UPRIGHT_CHARS, isUprightLabel, uprightLine } from './heatmap';
import { type HeatmapLayout, colLabelAnchor, rowLabelAnchor } from './layout';
import { type TokenLabel, truncateLabel } from './tokens';

/** Markup escaped, and no character XML cannot hold (C0 controls, U+FFFE: one would make the whole file invalid). */
export function escapeXml(s: string): string {
  return printableText(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export interface FigureOptions {
  layout: HeatmapLayout;
  rowLabels: TokenLabel[];
  colLabels: TokenLabel[];
  theme: HeatmapTheme;
  max: number;
  title: string;
  /** Text under the title (e.g. the sentence and its translation). */
  subtitle?: string;
  /** Axis titles: what the rows and the columns are (e.g. "Target (en) · queries", "Source (ko) · keys"). */
  axes?: AxisTitles;
}

export interface AxisTitles { rows: string; cols: string }

/** Extra space the figure adds around the heatmap layout: title above, legend below. */
export const FIGURE_MARGIN = { top: 40, bottom: 40, side: 12 };
/** The band an axis title takes: left of the row labels (rotated) and above the column labels. */
export const AXIS_BAND = 18;

/**
 * A generous estimate of a line's width, for layout where nothing can be measured (SVG is laid out by whoever opens
 * it): Hangul, CJK and fullwidth characters one em, anything else 0.6 em.
 */
export function textWidthEstimate(text: string, fontSize: number): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? fontSize : fontSize * 0.6;
  return Math.ceil(w);
}

/** Where the heatmap layout's origin sits in the figure: below the title (and the column axis title), right of the row axis title. */
export function figureOrigin(axes?: AxisTitles): { x: number; y: number } {
  const band = axes ? AXIS_BAND : 0;
  return { x: FIGURE_MARGIN.side + band, y: FIGURE_MARGIN.top + band };
}

/**
 * Where the axis titles go: the column title above the column labels, starting at the grid's left edge; the row title
 * rotated, centred on the grid's rows but kept inside the figure.
 */
export function axisTitlePlaces(l: HeatmapLayout, axes: AxisTitles, fontSize: number): { cols: { x: number; y: number }; rows: { x: number; y: number } } {
  const o = figureOrigin(axes);
  const { height } = figureSize(l, axes, fontSize);
  const half = textWidthEstimate(axes.rows, fontSize) / 2;
  const centre = o.y + l.top + l.gridHeight / 2;
  const y = Math.max(o.y + half, Math.min(height - 8 - half, centre));
  return { cols: { x: o.x + l.left, y: FIGURE_MARGIN.top + AXIS_BAND / 2 }, rows: { x: FIGURE_MARGIN.side + AXIS_BAND / 2, y } };
}

function labelSvg(l: TokenLabel, attrs: string, fill: string): string {
  const style = l.special ? ' font-style="italic" opacity="0.8"' : '';
  return `<text ${attrs} fill="${fill}"${style}>${escapeXml(truncateLabel(l.text, MAX_CHARS))}</text>`;
}

/** A column label stacked upright (as the canvas draws it: heatmap.ts), one tspan per character, ending at `bottom`. */
function uprightSvg(l: TokenLabel, x: number, bottom: number, fontSize: number, fill: string): string {
  const lh = uprightLine({ fontSize });
  const chars = [...truncateLabel(l.text, MAX_UPRIGHT_CHARS)];
  const spans = chars.map((c, k) => `<tspan x="${x}" y="${bottom - (chars.length - k - 0.5) * lh}">${escapeXml(c)}</tspan>`).join('');
  return `<text text-anchor="middle" dominant-baseline="central" fill="${fill}">${spans}</text>`;
}

/**
 * The figure's size in CSS pixels (the SVG's, and the PNG's before its pixel ratio): the layout plus the margins, and
 * with axis titles their bands, wide and tall enough for the titles (estimated at `fontSize`).
 */
export function figureSize(l: HeatmapLayout, axes?: AxisTitles, fontSize = 12): { width: number; height: number } {
  const o = figureOrigin(axes);
  let width = Math.max(o.x + l.width + FIGURE_MARGIN.side, 260);
  let height = o.y + l.height + FIGURE_MARGIN.bottom;
  if (axes) {
    width = Math.max(width, o.x + l.left + textWidthEstimate(axes.cols, fontSize) + FIGURE_MARGIN.side);
    height = Math.max(height, o.y + textWidthEstimate(axes.rows, fontSize) + 8);
  }
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

/** The figure as SVG text (colours from the theme, the same scale as the panel); its PNG twin is ./png.ts. */
export function heatmapSvg(m: Matrix, o: FigureOptions): string {
  const { layout: l, theme } = o;
  const { width: W, height: H } = figureSize(l, o.axes, theme.fontSize);
  const { x: ox, y: oy } = figureOrigin(o.axes);
  const bg = toHex(theme.background), fg = toHex(theme.foreground), muted = toHex(theme.muted);
  const inv = o.max > 0 ? 1 / o.max : 0;
  const font = escapeXml(theme.fontFamily);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${font}" font-size="${theme.fontSize}">`);
  out.push(`<rect width="${W}" height="${H}" fill="${bg}"/>`);
  out.push(`<text x="${FIGURE_MARGIN.side}" y="18" fill="${fg}" font-weight="600">${escapeXml(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${FIGURE_MARGIN.side}" y="33" fill="${muted}" font-size="${Math.max(9, theme.fontSize - 1)}">${escapeXml(o.subtitle)}</text>`);
  if (o.axes) {
    const at = axisTitlePlaces(l, o.axes, theme.fontSize);
    out.push(`<text class="axis-title cols" x="${at.cols.x}" y="${at.cols.y}" fill="${fg}" dominant-baseline="central">${escapeXml(o.axes.cols)}</text>`);
    out.push(`<text class="axis-title rows" transform="translate(${at.rows.x} ${at.rows.y}) rotate(-90)" fill="${fg}" text-anchor="middle" dominant-baseline="central">${escapeXml(o.axes.rows)}</text>`);
  }
  out.push(`<g transform="translate(${ox} ${oy})">`);
  const gap = l.cell >= 18 ? 1 : 0;
  for (let i = 0; i < Math.min(m.rows, l.rows); i++) {
    for (let j = 0; j < Math.min(m.cols, l.cols); j++) {
      const v = m.data[i * m.cols + j];
      const x = l.left + j * l.cell, y = l.top + i * l.cell;
      out.push(`<rect x="${x}" y="${y}" width="${l.cell - gap}" height="${l.cell - gap}" fill="${toHex(mix(theme.background, theme.accent, v * inv))}"><title>${escapeXml(`${o.rowLabels[i]?.text ?? ''} → ${o.colLabels[j]?.text ?? ''}: ${formatValue(v)}`)}</title></rect>`);
    }
  }
  o.rowLabels.slice(0, l.rows).forEach((lab, i) => {
    const a = rowLabelAnchor(l, i);
    out.push(labelSvg(lab, `x="${a.x}" y="${a.y}" text-anchor="end" dominant-baseline="central"`, muted));
  });
  o.colLabels.slice(0, l.cols).forEach((lab, j) => {
    const a = colLabelAnchor(l, j);
    out.push(l.rotated && isUprightLabel(lab) ? uprightSvg(lab, a.x, a.y, theme.fontSize, muted) : l.rotated
      ? labelSvg(lab, `transform="translate(${a.x} ${a.y}) rotate(${-l.angle})" dominant-baseline="central"`, muted)
      : labelSvg(lab, `x="${a.x}" y="${a.y - l.fontSize / 2}" text-anchor="middle" dominant-baseline="central"`, muted));
  });
  out.push('</g>');
  // Legend: 0 … max under the grid.
  const ly = oy + l.height + 12, lx = ox + l.left, lw = Math.min(160, Math.max(80, l.gridWidth));
  out.push('<defs><linearGradient id="ac-scale" x1="0" x2="1" y1="0" y2="0">');
  for (let k = 0; k <= 8; k++) out.push(`<stop offset="${k / 8}" stop-color="${toHex(mix(theme.background, theme.accent, k / 8))}"/>`);
  out.push('</linearGradient></defs>');
  out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="8" fill="url(#ac-scale)" stroke="${muted}" stroke-opacity="0.4"/>`);
  out.push(`<text x="${lx - 4}" y="${ly + 4}" fill="${muted}" text-anchor="end" dominant-baseline="central" font-size="${Math.max(9, theme.fontSize - 2)}">0</text>`);
  out.push(`<text x="${lx + lw + 4}" y="${ly + 4}" fill="${muted}" dominant-baseline="central" font-size="${Math.max(9, theme.fontSize - 2)}">${formatValue(o.max)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** Fonts that carry Hangul on common systems: an exported file opened elsewhere still shows Korean labels. */
export const CJK_FALLBACK_FONTS = "'Noto Sans KR', 'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', NanumGothic, sans-serif";

/** Figures are for blog posts and print: always light, whatever the editor's theme, with the same font size. */
export function printTheme(screen: HeatmapTheme): HeatmapTheme {
  return {
    background: { r: 255, g: 255, b: 255, a: 1 },
    foreground: { r: 31, g: 31, b: 31, a: 1 },
    accent: { r: 0, g: 90, b: 180, a: 1 },
    muted: { r: 97, g: 97, b: 97, a: 1 },
    highlight: { r: 0, g: 95, b: 184, a: 1 },
    fontFamily: `${screen.fontFamily}, ${CJK_FALLBACK_FONTS}`,
    fontSize: screen.fontSize,
  };
}
