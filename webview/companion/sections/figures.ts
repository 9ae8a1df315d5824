// Section 7, "The paper's attention figures, redrawn": Figures 3, 4 and 5 with our model on the paper's own
// sentences. For the chosen word, each head of the chosen layer shades the sentence by its attention (word level:
// a word's pieces are summed), beside what the paper saw and what our model does.
import type { SectionSpec } from '../frame';
import { meanOfRows } from '../../../src/engine/attention';
import { visibleText } from '../../../src/engine/tokenLabels';
import { findWord, groupWords, wordWeights, type WordGrouping } from '../../../src/engine/words';
import { paperLayer } from '../math';
import type { StringKey, Translate } from '../../strings';
import type { SentenceAttention, TokenInfo } from '../../../src/shared/results';
import { el } from '../../components/dom';
import { segmented } from '../../components/widgets';
import { callout, formatPercent, shade } from '../ui';
import { FIGURE3, FIGURE4 } from './examples';
import { analyzeEncoder, headPatternText, layerControl, savedInt } from './shared';

interface Figure { id: 3 | 4 | 5; text: string; word: string; targets: string[]; name: StringKey; paper: StringKey }

const FIGURES: Figure[] = [
  { id: 3, text: FIGURE3, word: 'making', targets: ['more', 'difficult'], name: 's7.fig3', paper: 's7.fig3.paper' },
  { id: 4, text: FIGURE4, word: 'its', targets: ['Law', 'application'], name: 's7.fig4', paper: 's7.fig4.paper' },
  { id: 5, text: FIGURE4, word: 'application', targets: [], name: 's7.fig5', paper: 's7.fig5.paper' },
];

export const figuresSection: SectionSpec = {
  id: 'figures',
  title: 's7.title',
  reference: 's7.ref',
  example: '',
  async render(body, ctx, { text, source, rerender }) {
    const { t } = ctx;
    const st = ctx.state('figures');
    const fig = FIGURES.find((f) => f.id === st.figure) ?? FIGURES[0];
    const own = source === 'selection' && !!text;
    const sentenceText = own ? text! : fig.text;
    const { sentence, att, tokens, Le, H } = await analyzeEncoder(ctx, sentenceText);
    const g = groupWords(sentence.source, tokens);
    if (g.words.length === 0) throw new Error(t('common.noAttention'));

    const key = own ? 'own' : `fig${fig.id}`;
    const saved = (st[key] ?? {}) as { word?: number; layer?: number; text?: string };
    if (saved.text !== sentenceText) Object.assign(saved, { text: sentenceText, word: undefined });
    st[key] = saved;
    const fallbackWord = own ? 0 : Math.max(0, findWord(g, fig.word));
    const word = savedInt(saved.word, g.words.length, fallbackWord);
    const layer = savedInt(saved.layer, Le, paperLayer(Le));

    // Word weights of every head of the layer.
    const perHead = Array.from({ length: H }, (_, h) => wordWeights(meanOfRows(att.encoder, layer, h, g.words[word].tokens), g));

    body.append(segmented(FIGURES.map((f) => ({ value: f.id, label: t(f.name) })), fig.id, (v) => { st.figure = v; rerender(); }, t('s7.ref')));
    if (!own) body.append(callout(t('common.paper'), t(fig.paper), 'paper'));
    body.append(
      el('p', { class: 'cc-hint', text: t('common.wordsHint') }),
      wordPicker(g, word, (w) => { saved.word = w; rerender(); }),
      el('div', { class: 'cc-controls' }, layerControl(t, Le, layer, (l) => { saved.layer = l; rerender(); })),
      el('p', { class: 'cc-note', text: t('s7.layerNote', { layer: paperLayer(Le) + 1, total: Le }) }),
    );

    const theme = ctx.theme();
    const heads = el('div', { class: 'cc-fig-heads' });
    perHead.forEach((w, h) => {
      const max = Math.max(1e-9, ...w.words);
      const line = el('p', { class: 'cc-sentence' });
      g.words.forEach((x, i) => {
        const span = el('span', { class: 'cc-word' + (i === word ? ' query' : ''), text: visibleText(x.text), title: `${visibleText(x.text)}: ${formatPercent(w.words[i])}` });
        shade(span, w.words[i] / max, theme);
        line.append(span, ' ');
      });
      const special = w.special.reduce((a, b) => a + b, 0);
      heads.append(el('div', { class: 'cc-fig-head' },
        el('div', { class: 'cc-fig-head-title' },
          el('span', { class: 'cc-head-name', text: t('common.headN', { n: h + 1 }) }),
          el('span', { class: 'cc-head-desc', text: headPatternText(t, att, tokens, layer, h) })),
        line,
        el('span', { class: 'cc-special-share', text: t('common.specialShare', { p: formatPercent(special) }) })));
    });
    body.append(heads, callout(t('common.ours'), ours(ctx.t, fig, own, g, word, perHead, att, tokens, layer), 'ours'));
  },
};

function wordPicker(g: WordGrouping, selected: number, onPick: (w: number) => void): HTMLElement {
  const strip = el('div', { class: 'cc-tokens cc-words' });
  g.words.forEach((w, i) => {
    const b = el('button', { class: 'cc-token' + (i === selected ? ' selected' : ''), text: visibleText(w.text), attrs: { type: 'button', 'aria-pressed': String(i === selected) } });
    b.addEventListener('click', () => onPick(i));
    strip.append(b);
  });
  return strip;
}

/** The "what our model does" sentence, computed from the weights. */
function ours(t: Translate, fig: Figure, own: boolean, g: WordGrouping, word: number, perHead: { words: number[] }[],
  att: SentenceAttention, tokens: TokenInfo[], layer: number): string {
  const targets = own ? [] : fig.targets.map((x) => findWord(g, x)).filter((i) => i >= 0 && i !== word);
  if (targets.length > 0) {
    const names = targets.map((i) => `“${visibleText(g.words[i].text)}”`).join(' + ');
    const uniform = targets.length / g.words.length;
    const shares = perHead.map((w) => targets.reduce((s, i) => s + w.words[i], 0));
    let best = 0;
    shares.forEach((s, h) => { if (s > shares[best]) best = h; });
    return shares[best] > uniform
      ? t('s7.best', { head: best + 1, targets: names, share: formatPercent(shares[best]), uniform: formatPercent(uniform) })
      : t('s7.none', { targets: names, uniform: formatPercent(uniform) });
  }
  if (!own && fig.id === 5) {
    const list = perHead.map((_, h) => `${h + 1}: ${headPatternText(t, att, tokens, layer, h)}`).join('; ');
    return t('s7.patterns', { list });
  }
  // The strongest link from the chosen word to another word, over the heads.
  let bestHead = 0, bestWord = -1, bestValue = -1;
  perHead.forEach((w, h) => w.words.forEach((v, i) => {
    if (i !== word && v > bestValue) { bestHead = h; bestWord = i; bestValue = v; }
  }));
  if (bestWord < 0) return t('s7.patterns', { list: perHead.map((_, h) => `${h + 1}: ${headPatternText(t, att, tokens, layer, h)}`).join('; ') });
  return t('s7.top', { head: bestHead + 1, word: visibleText(g.words[bestWord].text), p: formatPercent(bestValue) });
}
