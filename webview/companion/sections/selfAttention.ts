// Section 2, "Self-attention, live": what 은행 attends to in "은행에 가서 돈을 찾았다", last encoder layer,
// as bars over the source tokens for the head mean and one chosen head.
import { meanOfRows, topEntries } from '../../../src/engine/attention';
import type { SectionSpec } from '../frame';
import { isSpecialToken } from '../../../src/engine/tokenLabels';
import { el } from '../../components/dom';
import { barTable, callout, formatWeight, tokenStrip, tokenTexts } from '../ui';
import { BANK } from './examples';
import { analyzeEncoder, defaultQuery, headControl, savedIndices, savedInt, tokensText } from './shared';

export const selfAttentionSection: SectionSpec = {
  id: 'selfAttention',
  title: 's2.title',
  reference: 's2.ref',
  example: BANK,
  async render(body, ctx, { text = BANK, source, rerender }) {
    const { t } = ctx;
    const { sentence, att, tokens, Le, H } = await analyzeEncoder(ctx, text);
    const layer = Le - 1;
    const st = ctx.state('selfAttention');
    if (st.text !== text) {
      st.text = text;
      st.query = undefined;
    }
    const query = savedIndices(st.query, tokens.length) ?? defaultQuery(text, tokens, source === 'example' ? '은행' : undefined);
    const head = savedInt(st.head, H, 0);
    const selected = new Set(query);
    const word = tokensText(tokens, query, sentence.source);

    const mean = meanOfRows(att.encoder, layer, 'mean', query);
    const one = meanOfRows(att.encoder, layer, head, query);
    const texts = tokenTexts(tokens);
    const rows = tokens.map((tok, j) => ({
      label: texts[j], values: [mean[j], one[j]], special: isSpecialToken(tok), strong: selected.has(j),
      title: `${tok.piece}: ${formatWeight(mean[j])} / ${formatWeight(one[j])}`,
    }));
    const top = topEntries(mean, 3).map((e) => `${texts[e.index]} (${formatWeight(e.value)})`).join(', ');

    body.append(
      el('p', { text: t(source === 'example' ? 's2.intro' : 's2.introOwn') }),
      el('p', { class: 'cc-hint', text: t('common.tokensHint') }),
      tokenStrip(tokens, {
        selected,
        label: t('common.tokensHint'),
        onPick: (i) => {
          st.query = [i];
          rerender();
        },
      }),
      el('div', { class: 'cc-controls' },
        el('span', { class: 'cc-chip-label', text: t('common.layerOf', { n: layer + 1, total: Le }) }),
        headControl(t, H, head, (h) => {
          st.head = h;
          rerender();
        })),
      el('h3', { class: 'cc-h3', text: t('s2.query', { word: `“${word}”` }) }),
      barTable(rows, [t('common.meanOfHeads', { h: H }), t('common.headN', { n: head + 1 })]),
      el('p', { class: 'cc-takeaway', text: t('s2.summary', { layer: layer + 1, word: `“${word}”`, top }) }),
      source === 'example' ? callout(t('common.ours'), t('s2.hope'), 'ours') : '',
    );
  },
};
