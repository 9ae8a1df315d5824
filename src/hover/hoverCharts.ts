// What the hover inspector shows for one token, as data (the Markdown and its words are in ./attentionHover.ts):
// over source text, what the word attends to (encoder) and which output words attended to it (cross-attention);
// over a translation written into the document, which source words it looked at (cross-attention) and which
// earlier output it attended to (decoder self-attention). No vscode import: unit-tested.
import { headMatrix, headMean, topEntries } from '../engine/attention';
import type { Matrix, SentenceResult, Tensor, TokenInfo } from '../shared/results';
import type { Bar } from './barsSvg';
import type { Side } from './attentionCache';
import { tokenLabel } from './hoverText';

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
  if (pinned && pinned.kind === kind && pinned.layer < L && pinned.head < H) {
    return { m: headMatrix(t, pinned.layer, pinned.head), layer: pinned.layer, head: pinned.head };
  }
  return { m: headMean(t, L - 1), layer: L - 1, head: 'mean' };
}

/** The single head of `t` [L, H, Q, K] that puts the most weight from query row `query` on a key `counts` accepts. */
export function strongestHead(t: Tensor, kind: HeadKind, query: number, counts: (key: number) => boolean): PinnedHead {
  const [L, H, , K] = t.dims;
  let best = { layer: L - 1, head: 0, w: -1 };
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const row = headMatrix(t, l, h).data.subarray(query * K, (query + 1) * K);
      for (let k = 0; k < K; k++) if (counts(k) && row[k] > best.w) best = { layer: l, head: h, w: row[k] };
    }
  }
  return { kind, layer: best.layer, head: best.head };
}

const row = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
const column = (m: Matrix, j: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
const unknown: Pick<TokenInfo, 'text' | 'piece'> = { text: '?', piece: '?' };

function bars(values: number[], labelOf: (i: number) => Pick<TokenInfo, 'text' | 'piece'> | undefined): Bar[] {
  return topEntries(values, TOP_BARS).map((e) => ({ label: tokenLabel(labelOf(e.index) ?? unknown), value: e.value }));
}

function chart(role: ChartSpec['role'], kind: HeadKind, p: ReturnType<typeof pick>, b: Bar[]): ChartSpec {
  return { role, kind, layer: p.layer, head: p.head, bars: b };
}

/** The facts of the hover over token `tokenIndex` of `sentence` (which must carry attention). */
export function hoverFacts(sentence: SentenceResult, side: Side, tokenIndex: number, pinned: PinnedHead | undefined): HoverFacts {
  const att = sentence.attention;
  if (!att) throw new Error('hoverFacts: the sentence has no attention');
  const src = sentence.srcTokens, tgt = sentence.tgtTokens;
  const q = tokenIndex;
  if (side === 'source') {
    const enc = pick(att.encoder, 'encoder', pinned);
    const cross = pick(att.cross, 'cross', pinned);
    return {
      label: tokenLabel(src[q]),
      charts: [
        chart('attendsTo', 'encoder', enc, bars(row(enc.m, q), (k) => src[k])),
        chart('attendedBy', 'cross', cross, bars(column(cross.m, q), (t) => tgt[t])),
      ],
      strongest: strongestHead(att.encoder, 'encoder', q, (k) => k !== q),
    };
  }
  // Target side: row q of the cross-attention is the step that produced token q; its decoder inputs are <s>, then
  // the tokens before it.
  const cross = pick(att.cross, 'cross', pinned);
  const dec = pick(att.decoder, 'decoder', pinned);
  const S = att.cross.dims[3];
  const decoderInput = (k: number) => (k === 0 ? { text: '<s>', piece: '<s>' } : tgt[k - 1]);
  return {
    label: tokenLabel(tgt[q]),
    charts: [
      chart('looksAt', 'cross', cross, bars(row(cross.m, q), (k) => src[k])),
      chart('earlierOutput', 'decoder', dec, bars(row(dec.m, q).slice(0, q + 1), decoderInput)),
    ],
    // The language tag and </s> take much weight in every head: the head worth pinning looks at words.
    strongest: strongestHead(att.cross, 'cross', q, (k) => k > 0 && k < S - 1),
  };
}
