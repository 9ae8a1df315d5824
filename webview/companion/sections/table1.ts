// Section 1, "Why not RNNs?": the paper's Table 1 evaluated for n = the text's token count and d = d_model.
import type { SectionSpec } from '../frame';
import { table1, type LayerType } from '../math';
import type { StringKey } from '../../strings';
import { el } from '../../components/dom';
import { quote } from '../../render/tokens';
import { compact } from '../ui';
import { FIGURE3 } from './examples';

const K = 3, R = 8;

const NAMES: Record<LayerType, StringKey> = {
  selfAttention: 's1.type.selfAttention',
  recurrent: 's1.type.recurrent',
  convolutional: 's1.type.convolutional',
  restricted: 's1.type.restricted',
};

export const table1Section: SectionSpec = {
  id: 'table1',
  title: 's1.title',
  reference: 's1.ref',
  example: FIGURE3,
  async render(body, ctx, { text }) {
    const { t, uiLang: lang } = ctx;
    const model = ctx.model()!;
    const n = await ctx.encoderLength(text ?? FIGURE3);
    const d = model.manifest.dims.dModel;
    const rows = table1(n, d, K, R);
    const maxOps = Math.max(...rows.map((r) => r.ops));

    const table = el('table', { class: 'cc-table cc-table1' });
    table.append(el('thead', {}, el('tr', {},
      el('th', { text: t('s1.col.type') }), el('th', { text: t('s1.col.ops') }), el('th', { text: t('s1.col.seq') }), el('th', { text: t('s1.col.path') }))));
    const tbody = el('tbody');
    for (const r of rows) {
      const opsBar = el('span', { class: 'cc-minibar' });
      opsBar.style.width = `${Math.max(2, (100 * r.ops) / maxOps)}%`;
      tbody.append(el('tr', { class: r.type === 'selfAttention' ? 'highlight' : '' },
        el('th', { text: t(NAMES[r.type], { k: K, r: R }), attrs: { scope: 'row' } }),
        cell(r.complexity, compact(r.ops, lang), opsBar),
        cell(r.sequential, compact(r.sequentialOps, lang)),
        cell(r.path, compact(r.pathLength, lang))));
    }
    table.append(tbody);

    const sa = rows[0].ops, rnn = rows[1].ops;
    const ratio = sa <= rnn ? rnn / sa : sa / rnn;
    const args = { n, d, ratio: ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1), sa: compact(sa, lang), rnn: compact(rnn, lang) };
    body.append(
      el('p', { text: t('s1.intro') }),
      el('div', { class: 'cc-scroll' }, table),
      el('p', { class: 'cc-note', text: t('s1.forN', { n, d, text: quote(text ?? FIGURE3, 40) }) }),
      el('p', { class: 'cc-takeaway', text: t(n <= d ? 's1.cheaper' : 's1.dearer', args) }),
    );
  },
};

function cell(formula: string, value: string, extra?: HTMLElement): HTMLElement {
  return el('td', {}, el('span', { class: 'cc-formula-small', text: formula }), el('span', { class: 'cc-value', text: value }), extra);
}
