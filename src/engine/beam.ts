// Beam search (and greedy = beam 1) over an abstract decoder step. Same algorithm as models/training/decode.py.
import { yieldToEventLoop } from './concurrency';

/** One decoder step for n live hypotheses; the engine backs it with ONNX sessions and a KV cache. */
export interface StepDecoder<S> {
  readonly vocab: number;
  /** State (KV cache) for a single empty hypothesis. */
  start(): S;
  /**
   * Runs `tokens` (one per hypothesis) -> the grown state and, per hypothesis, either all logits (n x vocab
   * row-major) or its best `candidatesPerRow` candidates already ranked (a search step graph computes them).
   */
  step(state: S, tokens: number[], candidatesPerRow: number): Promise<StepOutput<S>>;
  /** Keeps the hypotheses at `parents` (in that order), for the next step. */
  reorder(state: S, parents: number[]): S;
  release?(state: S): void;
}

/** Per-hypothesis extras of one step (attention rows), indexed like the step's hypotheses. */
export interface StepRows { perHypothesis: unknown[] }

/** A step's result: the grown state and one of `logits` (n x vocab, row-major) or each row's `candidates`. */
export interface StepOutput<S> { state: S; rows?: StepRows; logits?: Float32Array; candidates?: RowCandidates }

/**
 * The best `k` candidates of each of `n` rows, best first (ties: lower token id first): ids[r * k + j] and its
 * log-probability logp[r * k + j].
 */
export interface RowCandidates { k: number; ids: ArrayLike<number>; logp: Float64Array }

export interface BeamOptions {
  beam: number;
  bos: number;
  eos: number;
  maxSteps: number;
  /** GNMT length penalty exponent; 0.6 in the paper's setup. */
  alpha?: number;
  /** How many candidates to keep per step for the step-through player. */
  topCandidates?: number;
  signal?: AbortSignal;
}

export interface StepRecord { chosen: number; candidates: { id: number; prob: number }[] }

export interface Hypothesis {
  tokens: number[];            // generated tokens, without <s>; with </s> when finished
  score: number;               // sum of log-probabilities
  normalized: number;          // score / lengthPenalty(tokens.length)
  finished: boolean;
  rows: unknown[];             // one entry per step: what the decoder reported for this hypothesis
  steps: StepRecord[];
}

export function lengthPenalty(length: number, alpha: number): number {
  return Math.pow((5 + length) / 6, alpha);
}

export function maxTargetLength(srcLen: number, maxLen: number): number {
  return Math.min(maxLen - 1, 2 * srcLen + 10);
}

/** Row-wise log-softmax in float64: n x vocab -> n x vocab. */
export function logSoftmaxRows(logits: Float32Array, n: number, vocab: number): Float64Array {
  const out = new Float64Array(n * vocab);
  for (let r = 0; r < n; r++) {
    const o = r * vocab;
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) max = Math.max(max, logits[o + i]);
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(logits[o + i] - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < vocab; i++) out[o + i] = logits[o + i] - lse;
  }
  return out;
}

/** Indices of the k best values (ties: lower index first). */
export function topK(values: Float64Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length === k && !(v > values[best[k - 1]])) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (j > 0 && values[best[j - 1]] < v) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best;
}

export class CancelledError extends Error {
  constructor() {
    super('Translation cancelled.');
    this.name = 'CancelledError';
  }
}

export async function beamSearch<S>(dec: StepDecoder<S>, opts: BeamOptions): Promise<Hypothesis> {
  const { beam, bos, eos, maxSteps } = opts;
  const alpha = opts.alpha ?? 0.6;
  const topN = opts.topCandidates ?? 0;
  const V = dec.vocab;
  // The best 2*beam candidates over all rows are among each row's best 2*beam; the step player wants topN.
  const perRow = Math.min(V, Math.max(2 * beam, topN));
  let alive: Hypothesis[] = [{ tokens: [], score: 0, normalized: 0, finished: false, rows: [], steps: [] }];
  let state = dec.start();
  let last = [bos];
  const finished: Hypothesis[] = [];
  try {
    for (let t = 0; t < maxSteps; t++) {
      // A turn for the event loop before every step: cancel messages, timeouts and the UI get through, and an
      // abort stops the search within one step.
      await yieldToEventLoop();
      if (opts.signal?.aborted) throw new CancelledError();
      const n = alive.length;
      const out = await dec.step(state, last, perRow);
      state = out.state;
      const cands = out.candidates ?? rowCandidates(stepLogits(out), n, V, perRow);
      const ranked = rankCandidates(cands, alive.map((h) => h.score), Math.min(2 * beam, n * V));
      const next: Hypothesis[] = [];
      const parents: number[] = [];
      ranked.forEach(({ h, tok, score }, rank) => {
        const parent = alive[h];
        const tokens = [...parent.tokens, tok];
        const steps = topN > 0 ? [...parent.steps, stepRecord(cands, h, tok, topN)] : parent.steps;
        const rows = out.rows ? [...parent.rows, out.rows.perHypothesis[h]] : parent.rows;
        if (tok === eos) {
          if (rank < beam) finished.push({ tokens, score, normalized: score / lengthPenalty(tokens.length, alpha), finished: true, rows, steps });
        } else if (next.length < beam) {
          next.push({ tokens, score, normalized: 0, finished: false, rows, steps });
          parents.push(h);
        }
      });
      if (finished.length >= beam || next.length === 0) break;
      state = dec.reorder(state, parents);
      alive = next;
      last = next.map((hyp) => hyp.tokens[hyp.tokens.length - 1]);
    }
  } finally {
    dec.release?.(state);
  }
  const pool = finished.length > 0
    ? finished
    : alive.map((h) => ({ ...h, normalized: h.score / lengthPenalty(h.tokens.length, alpha) }));
  return pool.reduce((a, b) => (b.normalized > a.normalized ? b : a));
}

function stepLogits(out: StepOutput<unknown>): Float32Array {
  if (!out.logits) throw new Error('A decoder step returned neither logits nor candidates.');
  return out.logits;
}

/** Each row's best k by log-probability, from all logits (log-softmax in float64, as decode.py's reference). */
export function rowCandidates(logits: Float32Array, n: number, V: number, k: number): RowCandidates {
  const logp = logSoftmaxRows(logits, n, V);
  const ids = new Int32Array(n * k);
  const best = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const row = logp.subarray(r * V, (r + 1) * V);
    topK(row, k).forEach((id, j) => {
      ids[r * k + j] = id;
      best[r * k + j] = row[id];
    });
  }
  return { k, ids, logp: best };
}

export interface RankedCandidate { h: number; tok: number; score: number }

/**
 * The `m` best extensions over all rows by score (row score + log-probability), ties to the lower row, then the
 * lower token id: exactly the first m of the whole n x vocab table ranked that way (what topK over it gave),
 * since each of them is within its own row's best m.
 */
export function rankCandidates(c: RowCandidates, scores: number[], m: number): RankedCandidate[] {
  const all: RankedCandidate[] = [];
  for (let h = 0; h < scores.length; h++) {
    for (let j = 0; j < c.k; j++) all.push({ h, tok: c.ids[h * c.k + j], score: scores[h] + c.logp[h * c.k + j] });
  }
  all.sort((a, b) => (b.score - a.score) || (a.h - b.h) || (a.tok - b.tok));
  return all.slice(0, m);
}

function stepRecord(c: RowCandidates, h: number, chosen: number, n: number): StepRecord {
  const candidates = [];
  for (let j = 0; j < Math.min(n, c.k); j++) candidates.push({ id: c.ids[h * c.k + j], prob: Math.exp(c.logp[h * c.k + j]) });
  return { chosen, candidates };
}
