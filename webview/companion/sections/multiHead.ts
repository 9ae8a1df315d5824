// Section 4, "Multi-head attention": every head of one encoder layer side by side as small heatmaps, each with
// a one-line description; a click enlarges a head with its token labels.
import { headMatrix } from '../../../src/engine/attention';
import type { SectionSpec } from '../frame';
import { isSpecialToken } from '../../../src/engine/tokenLabels';
import { labelledHeatmap, maxOf, pixelHeatmap, sequential } from '../draw';
import { el } from '../../components/dom';
import { tokenTexts } from '../ui';
import { BANK } from './examples';
import { analyzeEncoder, cellTooltip, headPatternText, layerControl, savedInt } from './shared';

export const multiHeadSection: SectionSpec = {
  id: 'multiHead',
  title: 's4.title',
  reference: 's4.ref',
  example: BANK,
  async render(body, ctx, { text = BANK, rerender }) {
    const { t } = ctx;
    const { att, tokens, Le, H } = await analyzeEncoder(ctx, text);
    const dk = ctx.model()?.manifest.dims.dHead ?? 0;
    const st = ctx.state('multiHead');
    const layer = savedInt(st.layer, Le, Le - 1);
    const zoom = savedInt(st.zoom, H, 0);
    const theme = ctx.theme();
    const scale = sequential(theme);
    const width = ctx.width();
    const cols = H <= 4 ? Math.min(H, width >= 560 ? 4 : 2) : Math.max(2, Math.floor(width / 120));
    const gap = 10;
    const size = Math.floor((width - gap * (cols - 1)) / cols);
    const tip = cellTooltip(tokens);

    const grid = el('div', { class: 'cc-heads', attrs: { style: `grid-template-columns: repeat(${cols}, 1fr)` } });
    for (let h = 0; h < H; h++) {
      const m = headMatrix(att.encoder, layer, h);
      const max = maxOf(m.data) || 1;
      const map = pixelHeatmap(m, { width: size - 8, height: size - 8, color: (v) => scale(v / max), tooltip: tip, label: t('common.headN', { n: h + 1 }) });
      const card = el('button', { class: 'cc-head' + (h === zoom ? ' selected' : ''), attrs: { type: 'button', 'aria-pressed': String(h === zoom) } },
        map,
        el('span', { class: 'cc-head-name', text: t('common.headN', { n: h + 1 }) }),
        el('span', { class: 'cc-head-desc', text: headPatternText(t, att, tokens, layer, h) }));
      card.addEventListener('click', () => { st.zoom = h; rerender(); });
      grid.append(card);
    }
    const labels = tokenTexts(tokens);
    const big = labelledHeatmap(headMatrix(att.encoder, layer, zoom), {
      rowLabels: labels, colLabels: labels, special: tokens.map(isSpecialToken), maxWidth: width, theme, tooltip: tip,
      label: `${t('common.layerOf', { n: layer + 1, total: Le })}, ${t('common.headN', { n: zoom + 1 })}`,
    });

    body.append(
      el('p', { text: t('s4.intro', { h: H, dk }) }),
      el('div', { class: 'cc-controls' }, layerControl(t, Le, layer, (l) => { st.layer = l; rerender(); })),
      el('p', { class: 'cc-hint', text: t('s4.axes') }),
      grid,
      el('h3', { class: 'cc-h3', text: `${t('common.headN', { n: zoom + 1 })} · ${headPatternText(t, att, tokens, layer, zoom)}` }),
      el('div', { class: 'cc-scroll' }, big),
    );
  },
};
