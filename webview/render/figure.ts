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
  /** Text under the title (e.g. "rows: target tokens · columns: source tokens"). */
  subtitle?: string;
}

/** Extra space the figure adds around the heatmap layout: title above, legend below. */
export const FIGURE_MARGIN = { top: 40, bottom: 40, side: 12 };

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

/** The figure's size in CSS pixels (the SVG's, and the PNG's before its pixel ratio): the layout plus the margins. */
export function figureSize(l: HeatmapLayout): { width: number; height: number } {
  return { width: Math.ceil(Math.max(l.width + 2 * FIGURE_MARGIN.side, 260)), height: Math.ceil(l.height + FIGURE_MARGIN.top + FIGURE_MARGIN.bottom) };
}

/** The figure as SVG text (colours from the theme, the same scale as the panel); its PNG twin is ./png.ts. */
export function heatmapSvg(m: Matrix, o: FigureOptions): string {
  const { layout: l, theme } = o;
  const { width: W, height: H } = figureSize(l);
  const ox = FIGURE_MARGIN.side, oy = FIGURE_MARGIN.top;
  const bg = toHex(theme.background), fg = toHex(theme.foreground), muted = toHex(theme.muted);
  const inv = o.max > 0 ? 1 / o.max : 0;
  const font = escapeXml(theme.fontFamily);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${font}" font-size="${theme.fontSize}">`);
  out.push(`<rect width="${W}" height="${H}" fill="${bg}"/>`);
  out.push(`<text x="${ox}" y="18" fill="${fg}" font-weight="600">${escapeXml(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${ox}" y="33" fill="${muted}" font-size="${Math.max(9, theme.fontSize - 1)}">${escapeXml(o.subtitle)}</text>`);
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
