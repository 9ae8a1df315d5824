// Draws "token: weight" rows as small horizontal bars in an SVG, embedded in a Markdown hover as a data URI.
import { printableText, truncateCodePoints } from '../shared/printableText';

export interface Bar { label: string; value: number }

/** Text as SVG character data: markup escaped, and no character XML cannot hold (one would void the whole image). */
const esc = (s: string) => printableText(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function barsSvg(title: string, bars: Bar[], color = '#4e94ce', textColor = '#888888'): string {
  const rowH = 15;
  const labelW = 110;
  const barW = 150;
  const h = 18 + bars.length * rowH;
  const max = Math.max(1e-6, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = 17 + i * rowH;
    const w = Math.max(1, Math.round((b.value / max) * barW));
    const label = truncateCodePoints(b.label, 14);
    return `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end" font-size="12" fill="${textColor}">${esc(label)}</text>`
      + `<rect x="${labelW}" y="${y + 3}" width="${w}" height="10" rx="2" fill="${color}"/>`
      + `<text x="${labelW + w + 4}" y="${y + 12}" font-size="11" fill="${textColor}">${b.value.toFixed(2)}</text>`;
  }).join('');
  // Wide enough for the title in bold 12 px (Hangul a full em, other characters about 0.62 em).
  const titleW = [...title].reduce((w, c) => w + (/[\u1100-\u11ff\u3000-\u9fff\uac00-\ud7af]/.test(c) ? 12 : 7.5), 0);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(labelW + barW + 40, Math.ceil(titleW) + 4)}" height="${h}" font-family="sans-serif">`
    + `<text x="0" y="13" font-size="12" font-weight="bold" fill="${textColor}">${esc(title)}</text>${rows}</svg>`;
}

export function svgDataUri(svg: string): string {
  const b64 = typeof Buffer !== 'undefined' ? Buffer.from(svg, 'utf8').toString('base64') : btoa(unescape(encodeURIComponent(svg)));
  return `data:image/svg+xml;base64,${b64}`;
}
