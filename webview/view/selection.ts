// Which matrix the panel shows for a kind / layer / head, what its axes are, and how strip tokens map onto
// heatmap rows and columns. Pure (no DOM): the view and the unit tests share it.
import { type HeadChoice, layerMatrix, rollout } from '../../src/engine/attention';
import type { Matrix, SentenceAttention, SentenceResult } from '../../src/shared/results';
import { type TokenLabel, tokenLabel } from '../render/tokens';

export type AttentionKind = 'encoder' | 'decoder' | 'cross' | 'rollout';
export const KINDS: readonly AttentionKind[] = ['encoder', 'decoder', 'cross', 'rollout'];
export type { HeadChoice };

export interface Selection { kind: AttentionKind; layer: number; head: HeadChoice }

/** A token in one of the two strips. */
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

const fallback = (i: number): TokenLabel => ({ text: `#${i + 1}`, wordStart: false, special: true });
const BOS: TokenLabel = { text: '<s>', wordStart: false, special: true };

/**
 * Axis labels of a kind: encoder / rollout: source × source; cross: target × source;
 * decoder: target × decoder inputs (<s>, then the target tokens shifted by one).
 */
export function axisLabels(sentence: SentenceResult, kind: AttentionKind, rows: number, cols: number): { rows: TokenLabel[]; cols: TokenLabel[] } {
  const src = sentence.srcTokens.map(tokenLabel), tgt = sentence.tgtTokens.map(tokenLabel);
  const pick = (xs: TokenLabel[], n: number) => Array.from({ length: n }, (_, i) => xs[i] ?? fallback(i));
  switch (kind) {
    case 'encoder':
    case 'rollout':
      return { rows: pick(src, rows), cols: pick(src, cols) };
    case 'cross':
      return { rows: pick(tgt, rows), cols: pick(src, cols) };
    case 'decoder':
      return { rows: pick(tgt, rows), cols: Array.from({ length: cols }, (_, j) => (j === 0 ? BOS : tgt[j - 1] ?? fallback(j))) };
  }
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
