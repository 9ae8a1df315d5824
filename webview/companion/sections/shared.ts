// Helpers the attention sections share: query choice, head and layer controls, head descriptions.
import { headMatrix } from '../../../src/engine/attention';
import type { SentenceAttention, SentenceResult, TokenInfo } from '../../../src/shared/results';
import type { CompanionContext } from '../frame';
import { isSpecialToken, visibleText } from '../../../src/engine/tokenLabels';
import { tokensCovering } from '../../../src/engine/words';
import { describeHead } from '../math';
import type { Translate } from '../../strings';
import { labelledSelect, segmented, type Choice } from '../../components/widgets';
import { formatPercent, formatWeight, tokenTexts } from '../ui';

/** The tokens of `word` in `text` (its first occurrence), else the first ordinary token. */
export function defaultQuery(text: string, tokens: TokenInfo[], word?: string): number[] {
  if (word) {
    const at = text.indexOf(word);
    if (at >= 0) {
      const found = tokensCovering(tokens, at, at + word.length);
      if (found.length > 0) return found;
    }
  }
  const first = tokens.findIndex((t) => !isSpecialToken(t));
  return [first >= 0 ? first : 0];
}

/** A saved list of token indices if it is valid for `count` tokens. */
export function savedIndices(value: unknown, count: number): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v) => Number.isInteger(v) && v >= 0 && v < count) ? (value as number[]) : undefined;
}

export function savedInt(value: unknown, count: number, fallback: number): number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < count ? (value as number) : fallback;
}

export function headControl(t: Translate, heads: number, value: number, onChange: (h: number) => void): HTMLElement {
  const choices: Choice<number>[] = Array.from({ length: heads }, (_, h) => ({ value: h, label: String(h + 1), title: t('common.headN', { n: h + 1 }) }));
  const wrap = document.createElement('div');
  wrap.className = 'cc-control';
  const label = document.createElement('span');
  label.className = 'cc-field-label';
  label.textContent = t('common.head');
  wrap.append(label, segmented(choices, value, onChange, t('common.head')));
  return wrap;
}

export function layerControl(t: Translate, layers: number, value: number, onChange: (l: number) => void): HTMLElement {
  const choices: Choice<number>[] = Array.from({ length: layers }, (_, l) => ({ value: l, label: t('common.layerOf', { n: l + 1, total: layers }) }));
  return labelledSelect(t('common.layer'), choices, value, onChange);
}

/** "mostly the previous token (46%)" for head `head` of `layer`. */
export function headPatternText(t: Translate, att: SentenceAttention, tokens: TokenInfo[], layer: number, head: number): string {
  const special = tokens.map(isSpecialToken);
  const d = describeHead(headMatrix(att.encoder, layer, head), special);
  return t(`pattern.${d.pattern}`, { p: formatPercent(d.share) });
}

/** Tooltip of an attention cell. */
export function cellTooltip(tokens: TokenInfo[]): (row: number, col: number, v: number) => string {
  const texts = tokenTexts(tokens);
  return (row, col, v) => `${texts[row]} → ${texts[col]}: ${formatWeight(v)}`;
}

/** The text of a group of tokens ("은행" from ▁은 + 행). */
export function tokensText(tokens: TokenInfo[], indices: number[], source?: string): string {
  if (source && indices.length > 0) {
    const ts = indices.map((i) => tokens[i]);
    const start = Math.min(...ts.map((x) => x.start)), end = Math.max(...ts.map((x) => x.end));
    const s = source.slice(start, end).trim();
    if (s) return visibleText(s);
  }
  const texts = tokenTexts(tokens);
  return indices.map((i) => texts[i]).join('');
}

/**
 * The first sentence of `text` through the model, with what every attention section starts from: its encoder
 * attention (a clear error when the model gives none), source tokens, and the encoder's layer and head counts.
 */
export async function analyzeEncoder(ctx: CompanionContext, text: string):
  Promise<{ sentence: SentenceResult; att: SentenceAttention; tokens: TokenInfo[]; Le: number; H: number }> {
  const { sentence } = await ctx.analyze(text);
  const att = sentence.attention;
  if (!att) throw new Error(ctx.t('common.noAttention'));
  const [Le, H] = att.encoder.dims;
  return { sentence, att, tokens: sentence.srcTokens, Le, H };
}
