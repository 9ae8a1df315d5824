// The companion's own pieces: token strips, bar lists, callouts and number formats (elements: ../components/dom,
// controls: ../components/widgets). Text always goes in through textContent (model output and selections are untrusted).
import { el } from '../components/dom';
import { toCss, mix, type RGB } from '../render/colorScale';
import { tokenLabels } from '../../src/engine/tokenLabels';
import type { TokenInfo } from '../../src/shared/results';
import type { Theme } from '../components/theme';

/** The labels of a sentence's tokens as text, by the one labelling rule (src/engine/tokenLabels.ts) the panel uses too. */
export function tokenTexts(tokens: readonly Pick<TokenInfo, 'piece' | 'text'>[]): string[] {
  return tokenLabels(tokens).map((l) => l.text);
}

/**
 * The tokens of a sentence as chips; `selected` ones are marked; `weights` (0..1 of the row's max) shade them;
 * a click calls onPick with the token's index.
 */
export function tokenStrip(tokens: TokenInfo[], o: { selected?: Set<number>; weights?: number[]; theme?: Theme; onPick?: (i: number) => void; label?: string }): HTMLElement {
  const strip = el('div', { class: 'cc-tokens', attrs: o.label ? { role: 'group', 'aria-label': o.label } : {} });
  const labels = tokenLabels(tokens);
  tokens.forEach((t, i) => {
    const lab = labels[i];
    const chip = el(o.onPick ? 'button' : 'span', {
      class: 'cc-token' + (lab.special ? ' special' : '') + (lab.wordStart ? ' word-start' : '') + (o.selected?.has(i) ? ' selected' : ''),
      text: lab.text,
      title: `${t.piece}  #${i}`,
    });
    if (o.onPick) {
      chip.setAttribute('type', 'button');
      chip.setAttribute('aria-pressed', String(!!o.selected?.has(i)));
      chip.addEventListener('click', () => o.onPick?.(i));
    }
    if (o.weights && o.theme) shade(chip, o.weights[i] ?? 0, o.theme);
    strip.append(chip);
  });
  return strip;
}

/** Background from the theme's background to its accent by `t` in [0, 1], with readable text. */
export function shade(e: HTMLElement, t: number, theme: Theme): void {
  const bg = mix(theme.background, theme.accent, Math.max(0, Math.min(1, t)));
  e.style.background = toCss(bg);
  e.style.color = toCss(readable(bg, theme));
}

export function readable(bg: RGB, theme: Theme): RGB {
  const lum = (c: RGB) => 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
  return lum(bg) > 140 ? (lum(theme.foreground) < lum(theme.background) ? theme.foreground : { r: 20, g: 20, b: 20, a: 1 })
    : (lum(theme.foreground) > lum(theme.background) ? theme.foreground : { r: 240, g: 240, b: 240, a: 1 });
}

export interface BarRow { label: string; special?: boolean; strong?: boolean; values: number[]; title?: string }

/** Horizontal bars: one row per item, one bar column per value (all columns share the 0..max scale per column). */
export function barTable(rows: BarRow[], headers: string[], o: { max?: number[] } = {}): HTMLElement {
  const cols = headers.length;
  const max = o.max ?? Array.from({ length: cols }, (_, c) => Math.max(1e-9, ...rows.map((r) => r.values[c] ?? 0)));
  const table = el('div', { class: 'cc-bars', attrs: { role: 'table', style: `--cols: ${cols}` } });
  table.append(el('div', { class: 'cc-bars-row head', attrs: { role: 'row' } }, el('span', { attrs: { role: 'columnheader' } }), ...headers.map((h) => el('span', { class: 'cc-bars-h', text: h, attrs: { role: 'columnheader' } }))));
  for (const r of rows) {
    const row = el('div', { class: 'cc-bars-row' + (r.special ? ' special' : '') + (r.strong ? ' strong' : ''), title: r.title, attrs: { role: 'row' } },
      el('span', { class: 'cc-bars-label', text: r.label, attrs: { role: 'rowheader' } }));
    r.values.forEach((v, c) => {
      const cell = el('span', { class: 'cc-bar-cell', attrs: { role: 'cell' } });
      const bar = el('span', { class: 'cc-bar' });
      bar.style.width = `${Math.max(0, Math.min(100, (100 * v) / max[c]))}%`;
      cell.append(el('span', { class: 'cc-bar-track' }, bar), el('span', { class: 'cc-bar-value', text: formatWeight(v) }));
      row.append(cell);
    });
    table.append(row);
  }
  return table;
}

/** Attention weights: two decimals; "<.01" below. */
export function formatWeight(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v > 0 && v < 0.005) return '<.01';
  return v.toFixed(2).replace(/^0\./, '.');
}

export function formatPercent(p: number): string {
  const v = p * 100;
  return v >= 9.95 ? `${Math.round(v)}%` : v >= 0.1 ? `${v.toFixed(1)}%` : '<0.1%';
}

/** A signed number with a fixed number of decimals and a real minus sign. */
export function formatSigned(v: number, digits = 2): string {
  const s = Math.abs(v).toFixed(digits);
  return (v < 0 && Number(s) !== 0 ? '−' : '') + s;
}

/** Scientific notation for tiny differences: 1.9·10⁻⁸. */
export function formatSci(v: number): string {
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(v)));
  const m = v / Math.pow(10, e);
  return `${m.toFixed(1)}·10${superscript(e)}`;
}

const SUP: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
export function superscript(n: number): string {
  return [...String(n)].map((c) => SUP[c] ?? c).join('');
}

/** 1.2M, 34K (en) / 120만, 3.4만 (ko). */
export function compact(n: number, lang: string): string {
  return new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function grouped(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** A muted note paragraph. */
export function note(text: string, className = 'cc-note'): HTMLElement {
  return el('p', { class: className, text });
}

/** "The paper" / "What our model does" callouts. */
export function callout(title: string, text: string, kind: 'paper' | 'ours'): HTMLElement {
  return el('div', { class: `cc-callout ${kind}` }, el('span', { class: 'cc-callout-title', text: title }), el('span', { text }));
}
