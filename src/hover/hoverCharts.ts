// What the hover inspector shows for one token, as data (the Markdown and its words are in ./attentionHover.ts):
// over source text, what the word attends to (encoder) and which output words attended to it (cross-attention);
// over a translation written into the document, which source words it looked at (cross-attention) and which
// earlier output it attended to (decoder self-attention). No vscode import: unit-tested.
import { layerMatrix, matrixCol, matrixRow, strongestHead as strongestOf, topEntries } from '../engine/attention';
import { tokenLabels } from '../engine/tokenLabels';
import type { Matrix, SentenceResult, Tensor } from '../shared/results';
import type { Bar } from './barsSvg';
import type { Side } from './attentionCache';

export type HeadKind = 'encoder' | 'cross' | 'decoder';

/** The head the user pinned for the hover: it replaces the default of charts of its kind. */
export interface PinnedHead { kind: HeadKind; layer: number; head: number }

/** One bar chart: which attention it reads (a head, or the head mean), and its top bars. */
export interface ChartSpec {
  role: 'attendsTo' | 'attendedBy' | 'looksAt' | 'earlierOutput';
  kind: HeadKind;
  layer: number;
  head: number | 'mean';
  bars: Bar[];
}

export interface HoverFacts {
  label: string;
  charts: [ChartSpec, ChartSpec];
  /** The head of the first chart's kind that puts the most weight from this token elsewhere: the one worth pinning. */
  strongest: PinnedHead;
}

export const TOP_BARS = 4;

/**
 * A stored pin, checked: pins saved before pins had a kind were encoder heads. Anything malformed is no pin.
 */
export function readPin(value: unknown): PinnedHead | undefined {
  const v = value as Partial<PinnedHead> | undefined;
  if (!v || !Number.isInteger(v.layer) || !Number.isInteger(v.head) || v.layer! < 0 || v.head! < 0) return undefined;
  const kind = v.kind ?? 'encoder';
  return kind === 'encoder' || kind === 'cross' || kind === 'decoder' ? { kind, layer: v.layer!, head: v.head! } : undefined;
}

/** Layer/head a chart of `kind` shows: the pin when it is of this kind and exists in this model, else the last layer's head mean. */
function pick(t: Tensor, kind: HeadKind, pinned: PinnedHead | undefined): { m: Matrix; layer: number; head: number | 'mean' } {
  const [L, H] = t.dims;
  const choice = pinned && pinned.kind === kind && pinned.layer < L && pinned.head < H
    ? { layer: pinned.layer, head: pinned.head } : { layer: L - 1, head: 'mean' as const };
  return { m: layerMatrix(t, choice.layer, choice.head), ...choice };
}

/** The single head of `t` [L, H, Q, K] that puts the most weight from query row `query` on a key `counts` accepts. */
export function strongestHead(t: Tensor, kind: HeadKind, query: number, counts: (key: number) => boolean): PinnedHead {
  return { kind, ...strongestOf(t, query, counts) };
}

function bars(values: ArrayLike<number>, labels: readonly string[]): Bar[] {
  return topEntries(values, TOP_BARS).map((e) => ({ label: labels[e.index] ?? '?', value: e.value }));
}

function chart(role: ChartSpec['role'], kind: HeadKind, p: ReturnType<typeof pick>, b: Bar[]): ChartSpec {
  return { role, kind, layer: p.layer, head: p.head, bars: b };
}

/** The facts of the hover over token `tokenIndex` of `sentence` (which must carry attention). */
export function hoverFacts(sentence: SentenceResult, side: Side, tokenIndex: number, pinned: PinnedHead | undefined): HoverFacts {
  const att = sentence.attention;
  if (!att) throw new Error('hoverFacts: the sentence has no attention');
  // The labelling rule of every view (engine/tokenLabels.ts): the hover names a piece as the panel and companion do.
  const src = tokenLabels(sentence.srcTokens).map((l) => l.text), tgt = tokenLabels(sentence.tgtTokens).map((l) => l.text);
  const q = tokenIndex;
  if (side === 'source') {
    const enc = pick(att.encoder, 'encoder', pinned);
    const cross = pick(att.cross, 'cross', pinned);
    return {
      label: src[q] ?? '?',
      charts: [
        chart('attendsTo', 'encoder', enc, bars(matrixRow(enc.m, q), src)),
        chart('attendedBy', 'cross', cross, bars(matrixCol(cross.m, q), tgt)),
      ],
      strongest: strongestHead(att.encoder, 'encoder', q, (k) => k !== q),
    };
  }
  // Target side: row q of the cross-attention is the step that produced token q; its decoder inputs are <s>, then
  // the tokens before it.
  const cross = pick(att.cross, 'cross', pinned);
  const dec = pick(att.decoder, 'decoder', pinned);
  const S = att.cross.dims[3];
  const decoderInput = ['<s>', ...tgt];
  return {
    label: tgt[q] ?? '?',
    charts: [
      chart('looksAt', 'cross', cross, bars(matrixRow(cross.m, q), src)),
      chart('earlierOutput', 'decoder', dec, bars(matrixRow(dec.m, q).slice(0, q + 1), decoderInput)),
    ],
    // The language tag and </s> take much weight in every head: the head worth pinning looks at words.
    strongest: strongestHead(att.cross, 'cross', q, (k) => k > 0 && k < S - 1),
  };
}
