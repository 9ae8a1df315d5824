// The word view: a sentence's pieces merged into the words of its text, and attention between pieces turned into
// attention between words. Used by the Attention panel's Pieces/Words toggle and the Paper Companion. Pure.
//
// How attention is merged (as in Clark et al. 2019, "What Does BERT Look At?", and the attention viewers after it):
// the weight a query gives a word is the SUM of what it gives the word's pieces (the attended axis, the columns), and
// a word as a query attends as the MEAN of its pieces' rows (the other axis). Attention rows sum to 1, and so do
// merged ones. Special tokens (tag, </s>, <s>) stay one group each.
import type { Matrix, TokenInfo } from '../shared/results';
import { isClusterBoundary } from './cutPoints';
import { type TokenLabel, isSpecialToken, tokenLabels, visibleText } from './tokenLabels';

export interface Word { text: string; start: number; end: number; tokens: number[] }

export interface WordGrouping {
  words: Word[];
  /** Index of each token's word, or -1 for special tokens. */
  tokenWord: number[];
  /** Indices of the special tokens. */
  special: number[];
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}_'’]$/u;
const SPACE = /^\s$/u;

/**
 * The words of a text: runs of letters, digits and marks (apostrophes inside), and every other visible cluster on
 * its own (a punctuation mark, an emoji with its modifiers, a flag). Clusters are never split (cutPoints.ts).
 */
export function wordSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const charAt = (i: number) => String.fromCodePoint(text.codePointAt(i)!);
  let i = 0;
  while (i < text.length) {
    const ch = charAt(i);
    if (SPACE.test(ch)) { i += ch.length; continue; }
    let j = i + ch.length;
    if (WORD_CHAR.test(ch)) while (j < text.length && WORD_CHAR.test(charAt(j))) j += charAt(j).length;
    while (j < text.length && !isClusterBoundary(text, j)) j++;
    spans.push({ start: i, end: j });
    i = j;
  }
  return spans;
}

/**
 * Groups a sentence's tokens into the words of `text` by their offsets (source tokens: the source; target tokens:
 * the translation). A token belongs to the word that contains its start, or else to the next word (a bare "▁"
 * piece), or else to the last.
 */
export function groupWords(text: string, tokens: readonly TokenInfo[]): WordGrouping {
  const words: Word[] = wordSpans(text).map((s) => ({ text: text.slice(s.start, s.end), ...s, tokens: [] }));
  const tokenWord: number[] = [];
  const special: number[] = [];
  tokens.forEach((t, i) => {
    if (isSpecialToken(t) || words.length === 0) {
      tokenWord.push(-1);
      special.push(i);
      return;
    }
    let w = words.findIndex((x) => t.start < x.end && t.start >= x.start);
    if (w < 0) w = words.findIndex((x) => x.start >= t.start);
    if (w < 0) w = words.length - 1;
    words[w].tokens.push(i);
    tokenWord.push(w);
  });
  const kept = new Map<number, number>();
  words.forEach((w, i) => { if (w.tokens.length > 0) kept.set(i, kept.size); });
  return { words: words.filter((w) => w.tokens.length > 0), tokenWord: tokenWord.map((w) => (w < 0 ? -1 : kept.get(w) ?? -1)), special };
}

/**
 * Token indices (special tokens excluded) whose [start, end) overlaps [start, end) of the text. Pieces without
 * text of their own (a bare "▁") count only when nothing else covers the range.
 */
export function tokensCovering(tokens: readonly TokenInfo[], start: number, end: number): number[] {
  const withText: number[] = [], empty: number[] = [];
  tokens.forEach((t, i) => {
    if (isSpecialToken(t)) return;
    if (t.end > t.start) {
      if (t.start < end && t.end > start) withText.push(i);
    } else if (t.start >= start && t.start < end) empty.push(i);
  });
  return withText.length > 0 ? withText : empty;
}

/** Word-level attention from a token row (the attended axis): each word gets the sum over its pieces; specials apart. */
export function wordWeights(row: ArrayLike<number>, g: WordGrouping): { words: number[]; special: number[] } {
  return {
    words: g.words.map((w) => w.tokens.reduce((s, t) => s + (row[t] ?? 0), 0)),
    special: g.special.map((t) => row[t] ?? 0),
  };
}

/** First word whose text equals `text` (case-insensitive), or -1. */
export function findWord(g: WordGrouping, text: string): number {
  const t = text.toLowerCase();
  return g.words.findIndex((w) => w.text.toLowerCase() === t);
}

/** Tokens shown as one: a word's pieces, a special token, or (in the piece view) one piece. */
export interface TokenGroup { tokens: number[]; label: TokenLabel }

/** The piece view: every token its own group, labelled by the one rule (tokenLabels.ts). */
export function pieceGroups(tokens: readonly TokenInfo[]): TokenGroup[] {
  return tokenLabels(tokens).map((label, i) => ({ tokens: [i], label }));
}

/**
 * The word view: every token in exactly one group, in token order: the words of `text` (labelled with their text,
 * a word start when a space or the start of the text comes before them) and each special token alone.
 */
export function wordGroups(text: string, tokens: readonly TokenInfo[]): TokenGroup[] {
  const g = groupWords(text, tokens);
  const labels = tokenLabels(tokens);
  const groups: TokenGroup[] = [
    ...g.words.map((w) => ({
      tokens: w.tokens, label: { text: visibleText(w.text), wordStart: w.start === 0 || /\s/.test(text[w.start - 1]), special: false },
    })),
    ...g.special.map((i) => ({ tokens: [i], label: labels[i] })),
  ];
  return groups.sort((a, b) => a.tokens[0] - b.tokens[0]);
}

/** The group that holds token `token`, or -1. */
export function groupOf(groups: readonly TokenGroup[], token: number): number {
  return groups.findIndex((g) => g.tokens.includes(token));
}

/**
 * Attention between pieces [Q, K] as attention between groups [rows.length, cols.length]: entry (r, c) is the mean
 * over the pieces of row group r of the sum over the pieces of column group c. Every row and column must belong to
 * exactly one group; then each merged row sums to what its pieces' rows sum to on average (1 for attention).
 */
export function mergeMatrix(m: Matrix, rows: readonly TokenGroup[], cols: readonly TokenGroup[]): Matrix {
  const colOf = new Int32Array(m.cols).fill(-1);
  cols.forEach((g, c) => g.tokens.forEach((j) => { colOf[j] = c; }));
  const out = new Float32Array(rows.length * cols.length);
  rows.forEach((g, r) => {
    const w = 1 / g.tokens.length;
    for (const i of g.tokens) {
      for (let j = 0; j < m.cols; j++) if (colOf[j] >= 0) out[r * cols.length + colOf[j]] += m.data[i * m.cols + j] * w;
    }
  });
  return { rows: rows.length, cols: cols.length, data: out };
}
