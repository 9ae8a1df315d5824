// Which matrix the panel shows for a kind / layer / head and units (pieces or words), what its axes are, and how strip
// chips map onto heatmap rows and columns. Pure (no DOM): the view and the unit tests share it.
import { type HeadChoice, layerMatrix, rollout } from '../../src/engine/attention';
import type { Matrix, SentenceAttention, SentenceResult } from '../../src/shared/results';
import type { TokenLabel } from '../../src/engine/tokenLabels';
import { type TokenGroup, mergeMatrix, pieceGroups, wordGroups } from '../../src/engine/words';

export type AttentionKind = 'encoder' | 'decoder' | 'cross' | 'rollout';
export const KINDS: readonly AttentionKind[] = ['encoder', 'decoder', 'cross', 'rollout'];
export type { HeadChoice };

export interface Selection { kind: AttentionKind; layer: number; head: HeadChoice }

/** A chip in one of the two strips: a piece, or a word in the word view (an index into stripGroups). */
export interface StripRef { strip: 'source' | 'target'; index: number }

function tensorOf(att: SentenceAttention, kind: AttentionKind) {
  return kind === 'rollout' ? att.encoder : att[kind];
}

/** Number of layers of a kind (rollout: encoder layers). */
export function layerCount(att: SentenceAttention, kind: AttentionKind): number {
  return tensorOf(att, kind).dims[0] ?? 0;
}

/** Number of heads of a kind (rollout has none: it is over head means). */
export function headCount(att: SentenceAttention, kind: AttentionKind): number {
  return kind === 'rollout' ? 0 : tensorOf(att, kind).dims[1] ?? 0;
}

/** Clamps a selection to what the attention has: layer within range, head within range (mean for rollout). */
export function normalizeSelection(att: SentenceAttention, s: Selection): Selection {
  const layers = layerCount(att, s.kind);
  const layer = Math.max(0, Math.min(layers - 1, Number.isFinite(s.layer) ? Math.trunc(s.layer) : layers - 1));
  const heads = headCount(att, s.kind);
  const head: HeadChoice = s.kind === 'rollout' || s.head === 'mean' || !(s.head >= 0 && s.head < heads) ? 'mean' : Math.trunc(s.head);
  return { kind: s.kind, layer, head };
}

/** The matrix shown for a selection (rows = queries, columns = keys). */
export function selectMatrix(att: SentenceAttention, s: Selection): Matrix {
  if (s.kind === 'rollout') return rollout(att.encoder, s.layer);
  return layerMatrix(tensorOf(att, s.kind), s.layer, s.head);
}

/** Pieces as the model reads them, or the words they make (engine/words.ts says how attention is merged). */
export type Units = 'pieces' | 'words';

const BOS: TokenLabel = { text: '<s>', wordStart: false, special: true };

/** stripGroups' answers by sentence: a head pick asks for the axes of the map and of every thumbnail again. */
const groupsOf = new WeakMap<SentenceResult, Partial<Record<Units, { source: TokenGroup[]; target: TokenGroup[] }>>>();

/**
 * The chips of the two strips under `units`: pieces, or words and special tokens. Strip indices are group indices.
 * Computed once per sentence and units (a result is never changed once made); callers must not change the groups.
 */
export function stripGroups(sentence: SentenceResult, units: Units): { source: TokenGroup[]; target: TokenGroup[] } {
  let known = groupsOf.get(sentence);
  if (!known) groupsOf.set(sentence, known = {});
  return known[units] ??= units === 'words'
    ? { source: wordGroups(sentence.source, sentence.srcTokens), target: wordGroups(sentence.text, sentence.tgtTokens) }
    : { source: pieceGroups(sentence.srcTokens), target: pieceGroups(sentence.tgtTokens) };
}

/**
 * Groups for an axis of `n` matrix rows or columns: the token indices past `n` left out (a group left empty goes),
 * and any index no group holds added as its own group labelled #i (never expected; the merge must see every index).
 */
function fitGroups(groups: TokenGroup[], n: number): TokenGroup[] {
  const out = groups.map((g) => ({ ...g, tokens: g.tokens.filter((i) => i < n) })).filter((g) => g.tokens.length > 0);
  const held = new Set(out.flatMap((g) => g.tokens));
  for (let i = 0; i < n; i++) if (!held.has(i)) out.push({ tokens: [i], label: { text: `#${i + 1}`, wordStart: false, special: true } });
  return out;
}

/**
 * The groups along each axis of a kind: encoder / rollout: source × source; cross: target × source;
 * decoder: target × decoder inputs (<s>, then the target tokens shifted by one).
 */
export function axisGroups(sentence: SentenceResult, kind: AttentionKind, rows: number, cols: number, units: Units = 'pieces'): { rows: TokenGroup[]; cols: TokenGroup[] } {
  const { source, target } = stripGroups(sentence, units);
  switch (kind) {
    case 'encoder':
    case 'rollout':
      return { rows: fitGroups(source, rows), cols: fitGroups(source, cols) };
    case 'cross':
      return { rows: fitGroups(target, rows), cols: fitGroups(source, cols) };
    case 'decoder':
      return { rows: fitGroups(target, rows), cols: fitGroups([{ tokens: [0], label: BOS }, ...target.map((g) => ({ ...g, tokens: g.tokens.map((i) => i + 1) }))], cols) };
  }
}

/** What the heatmap shows for a selection in `units`: the matrix (merged into words: engine/words.ts) and its axes. */
export function selectView(sentence: SentenceResult, s: Selection, units: Units): { matrix: Matrix; rows: TokenGroup[]; cols: TokenGroup[] } {
  const pieces = selectMatrix(sentence.attention!, s);
  const axes = axisGroups(sentence, s.kind, pieces.rows, pieces.cols, units);
  return { matrix: units === 'words' ? mergeMatrix(pieces, axes.rows, axes.cols) : pieces, ...axes };
}

/** The strip token a heatmap row (query) stands for. */
export function rowToken(kind: AttentionKind, row: number): StripRef {
  return kind === 'encoder' || kind === 'rollout' ? { strip: 'source', index: row } : { strip: 'target', index: row };
}

/** The strip token a heatmap column (key) stands for; undefined for the decoder's <s>. */
export function colToken(kind: AttentionKind, col: number): StripRef | undefined {
  if (kind === 'decoder') return col === 0 ? undefined : { strip: 'target', index: col - 1 };
  return { strip: 'source', index: col };
}

/** The heatmap row and/or column a strip token corresponds to under a kind (either may be missing). */
export function tokenToCells(kind: AttentionKind, ref: StripRef, rows: number, cols: number): { row?: number; col?: number } {
  const inR = (i: number) => (i >= 0 && i < rows ? i : undefined);
  const inC = (j: number) => (j >= 0 && j < cols ? j : undefined);
  switch (kind) {
    case 'encoder':
    case 'rollout':
      return ref.strip === 'source' ? { row: inR(ref.index), col: inC(ref.index) } : {};
    case 'cross':
      return ref.strip === 'source' ? { col: inC(ref.index) } : { row: inR(ref.index) };
    case 'decoder':
      return ref.strip === 'target' ? { row: inR(ref.index), col: inC(ref.index + 1) } : {};
  }
}

/** Strips whose tokens are the rows / columns of a kind. */
export function axisStrips(kind: AttentionKind): { rows: 'source' | 'target'; cols: 'source' | 'target' } {
  return kind === 'encoder' || kind === 'rollout' ? { rows: 'source', cols: 'source' } : kind === 'cross' ? { rows: 'target', cols: 'source' } : { rows: 'target', cols: 'target' };
}

/** A file-name-friendly name of a selection, e.g. "attention-cross-L2-mean". */
export function selectionName(s: Selection): string {
  if (s.kind === 'rollout') return `attention-rollout-L1-${s.layer + 1}`;
  return `attention-${s.kind}-L${s.layer + 1}-${s.head === 'mean' ? 'mean' : `H${s.head + 1}`}`;
}
