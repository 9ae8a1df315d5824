// Section 5, "Positional encoding": the sinusoid matrix for d = d_model, and the dot products between positions.
import type { SectionSpec } from '../frame';
import { diverging, legendCss, pixelHeatmap } from '../draw';
import { positionalEncoding, rowSimilarity, wavelength } from '../math';
import { el } from '../../components/dom';
import { quote } from '../../render/tokens';
import { formatSigned } from '../ui';
import type { RGB } from '../../render/colorScale';

const EXAMPLE_POSITIONS = 64;

function peFormula(): HTMLElement {
  const i = (s: string) => el('i', { text: s });
  const line = (trig: string, dim: string) => el('div', {},
    i('PE'), `(${'pos'}, ${dim}) = `, el('span', { class: 'cc-fn', text: trig }), '(', i('pos'), ' / 10000', el('sup', { text: '2i/d' }), ')');
  return el('div', { class: 'cc-formula cc-formula-lines', attrs: { role: 'math' } }, line('sin', '2i'), line('cos', '2i+1'));
}

function legend(color: (t: number) => RGB, low: string, high: string): HTMLElement {
  const bar = el('span', { class: 'cc-legend-bar' });
  bar.style.background = legendCss(color, -1, 1);
  return el('div', { class: 'cc-legend' }, el('span', { text: low }), bar, el('span', { text: high }));
}

export const positionalSection: SectionSpec = {
  id: 'positional',
  title: 's5.title',
  reference: 's5.ref',
  // No example text: 64 positions; a selection gives its token count.
  example: '',
  async render(body, ctx, { text, source }) {
    const { t } = ctx;
    const dims = ctx.model()!.manifest.dims;
    const d = dims.dModel;
    const positions = source === 'selection' && text ? Math.max(2, await ctx.encoderLength(text)) : Math.min(EXAMPLE_POSITIONS, dims.maxLen);
    const pe = positionalEncoding(positions, d);
    const sim = rowSimilarity(pe);
    const theme = ctx.theme();
    const color = diverging(theme);
    const width = ctx.width();
    const half = d / 2;

    // Whole CSS pixels per cell where they fit, so the stripes stay crisp.
    const cellW = d <= width ? Math.floor(width / d) : width / d;
    const cellH = Math.max(1, Math.floor(Math.min(240, Math.max(96, positions * 3)) / positions));
    const peMap = pixelHeatmap(pe, {
      width: cellW * d, height: cellH * positions, color,
      tooltip: (pos, j, v) => `PE(${pos}, ${j}) = ${formatSigned(v, 3)}`, label: 'PE',
    });
    const side = positions * Math.max(1, Math.floor(Math.min(width, 280) / positions)) || Math.min(width, 280);
    const simMap = pixelHeatmap(sim, {
      width: side, height: side, color: (v) => color(v / half),
      tooltip: (a, b, v) => `PE(${a})·PE(${b}) = ${formatSigned(v, 2)}`, label: 'PE·PE',
    });
    const maxWave = wavelength(Math.floor((d - 1) / 2), d);

    body.append(
      el('p', { text: t('s5.intro') }),
      peFormula(),
      el('figure', { class: 'cc-figure' },
        el('div', { class: 'cc-axis-top', attrs: { style: `width: ${peMap.style.width}` } }, el('span', { text: 'pos ↓   dim 0 →' }), el('span', { text: `dim ${d - 1}` })),
        peMap,
        legend(color, '−1', '+1'),
        el('figcaption', { text: t('s5.matrix', { last: positions - 1, d, maxWave: `${Math.round(maxWave).toLocaleString(ctx.uiLang)}` }) })),
      el('figure', { class: 'cc-figure' },
        simMap,
        legend(color, `−${half}`, `+${half}`),
        el('figcaption', { text: t('s5.sim') })),
      source === 'selection' && text ? el('p', { class: 'cc-note', text: t('s5.selection', { n: positions, text: quote(text, 40) }) }) : '',
      el('p', { class: 'cc-takeaway', text: t('s5.ours', { d }) }),
    );
  },
};
