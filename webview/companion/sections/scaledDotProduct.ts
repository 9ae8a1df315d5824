// Section 3, "Scaled dot-product attention": the formula, then one head's real numbers for a clicked token:
// q·k/√d_k for every key from the exported queries and keys, their softmax, and a check against the model's row.
import type { SectionSpec } from '../frame';
import { headRow } from '../../../src/engine/attention';
import { isSpecialToken } from '../../../src/engine/tokenLabels';
import { maxAbsDiff, scaledDotProduct } from '../math';
import { el } from '../../components/dom';
import { formatSci, formatSigned, tokenStrip, tokenTexts } from '../ui';
import { TITLE } from './examples';
import { analyzeEncoder, defaultQuery, headControl, layerControl, savedIndices, savedInt } from './shared';

/** Attention(Q, K, V) = softmax(QKᵀ / √d_k) V in HTML (no fonts, no MathML needed). */
export function formula(): HTMLElement {
  const i = (s: string) => el('i', { text: s });
  const dk = () => el('span', {}, i('d'), el('sub', { text: 'k' }));
  const frac = el('span', { class: 'cc-frac' },
    el('span', { class: 'cc-frac-num' }, i('Q'), i('K'), el('sup', { text: 'T' })),
    el('span', { class: 'cc-frac-den' }, el('span', { class: 'cc-sqrt', text: '√' }), el('span', { class: 'cc-radicand' }, dk())));
  return el('div', { class: 'cc-formula', attrs: { role: 'math', 'aria-label': 'Attention(Q, K, V) = softmax(Q K transposed over the square root of d k) V' } },
    el('span', { class: 'cc-fn', text: 'Attention' }), '(', i('Q'), ', ', i('K'), ', ', i('V'), ')', el('span', { class: 'cc-eq', text: '=' }),
    el('span', { class: 'cc-fn', text: 'softmax' }), el('span', { class: 'cc-paren', text: '(' }), frac, el('span', { class: 'cc-paren', text: ')' }), i('V'));
}

export const scaledDotProductSection: SectionSpec = {
  id: 'scaledDotProduct',
  title: 's3.title',
  reference: 's3.ref',
  example: TITLE,
  async render(body, ctx, { text = TITLE, rerender }) {
    const { t } = ctx;
    const { att, tokens, Le, H } = await analyzeEncoder(ctx, text);
    const st = ctx.state('scaledDotProduct');
    if (st.text !== text) {
      st.text = text;
      st.query = undefined;
    }
    const row = (savedIndices(st.query, tokens.length) ?? defaultQuery(text, tokens, text === TITLE ? 'Attention' : undefined))[0];
    const layer = savedInt(st.layer, Le, Le - 1);
    const head = savedInt(st.head, H, 0);

    body.append(formula(), el('p', { text: t('s3.intro') }));
    body.append(
      el('p', { class: 'cc-hint', text: t('common.tokensHint') }),
      tokenStrip(tokens, { selected: new Set([row]), label: t('common.tokensHint'), onPick: (i) => { st.query = [i]; rerender(); } }),
      el('div', { class: 'cc-controls' },
        layerControl(t, Le, layer, (l) => { st.layer = l; rerender(); }),
        headControl(t, H, head, (h) => { st.head = h; rerender(); })),
    );
    if (!att.queries || !att.keys) {
      body.append(el('p', { class: 'cc-error', text: t('s3.noQK') }));
      return;
    }
    const sdp = scaledDotProduct(att.queries, att.keys, layer, head, row);
    const model = headRow(att.encoder, layer, head, row);
    const diff = maxAbsDiff(sdp.weights, model);
    const texts = tokenTexts(tokens);
    const who = `“${texts[row]}”`;
    const preview = sdp.query.slice(0, 4).map((v) => formatSigned(v, 2)).join(', ');

    const maxW = Math.max(...sdp.weights);
    const table = el('table', { class: 'cc-table cc-sdp' });
    table.append(el('thead', {}, el('tr', {},
      el('th', { text: t('s3.col.key') }), el('th', { class: 'num', text: t('s3.col.score') }), el('th', { class: 'num', text: t('s3.col.softmax') }), el('th', { class: 'cc-bar-col', text: t('s3.col.weight') }))));
    const tbody = el('tbody');
    tokens.forEach((tok, j) => {
      const bar = el('span', { class: 'cc-bar' });
      bar.style.width = `${(100 * sdp.weights[j]) / maxW}%`;
      tbody.append(el('tr', { class: (j === row ? 'highlight' : '') + (isSpecialToken(tok) ? ' special' : ''), title: `${tok.piece}: ${sdp.scores[j]} → ${sdp.weights[j]} (model: ${model[j]})` },
        el('th', { text: texts[j], attrs: { scope: 'row' } }),
        el('td', { class: 'num', text: formatSigned(sdp.scores[j], 2) }),
        el('td', { class: 'num', text: sdp.weights[j].toFixed(3) }),
        el('td', { class: 'cc-bar-col' }, bar)));
    });
    table.append(tbody);
    body.append(
      el('p', { class: 'cc-mono', text: t('s3.query', { token: who, values: preview, dk: sdp.dk }) }),
      el('p', { class: 'cc-note', text: t('s3.dk', { dk: sdp.dk, sqrt: +Math.sqrt(sdp.dk).toFixed(3) }) }),
      el('div', { class: 'cc-scroll' }, table),
      el('p', { class: diff < 1e-4 ? 'cc-check ok' : 'cc-check bad', text: t(diff < 1e-4 ? 's3.match' : 's3.mismatch', { diff: formatSci(diff) }) }),
      el('p', { class: 'cc-note', text: t('s3.values', { token: who }) }),
    );
  },
};
