// Beam search (and greedy = beam 1) over an abstract decoder step. Same algorithm as models/training/decode.py.
import { yieldToEventLoop } from './concurrency';

/** One decoder step for n live hypotheses; the engine backs it with ONNX sessions and a KV cache. */
export interface StepDecoder<S> {
  readonly vocab: number;
  /** State (KV cache) for a single empty hypothesis. */
  start(): S;
  /** Runs `tokens` (one per hypothesis) -> logits, n x vocab row-major, and the grown state. */
  step(state: S, tokens: number[]): Promise<{ logits: Float32Array; state: S; rows?: StepRows }>;
  /** Keeps the hypotheses at `parents` (in that order), for the next step. */
  reorder(state: S, parents: number[]): S;
  release?(state: S): void;
}

/** Per-hypothesis extras of one step (attention rows), indexed like the step's hypotheses. */
export interface StepRows { perHypothesis: unknown[] }

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
      const out = await dec.step(state, last);
      state = out.state;
      const logp = logSoftmaxRows(out.logits, n, V);
      const total = new Float64Array(n * V);
      for (let h = 0; h < n; h++) for (let i = 0; i < V; i++) total[h * V + i] = alive[h].score + logp[h * V + i];
      const ranked = topK(total, Math.min(2 * beam, n * V));
      const next: Hypothesis[] = [];
      const parents: number[] = [];
      ranked.forEach((flat, rank) => {
        const h = Math.floor(flat / V);
        const tok = flat % V;
        const parent = alive[h];
        const tokens = [...parent.tokens, tok];
        const steps = topN > 0 ? [...parent.steps, stepRecord(logp, h, V, tok, topN)] : parent.steps;
        const rows = out.rows ? [...parent.rows, out.rows.perHypothesis[h]] : parent.rows;
        const score = total[flat];
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

function stepRecord(logp: Float64Array, h: number, V: number, chosen: number, n: number): StepRecord {
  const row = logp.subarray(h * V, (h + 1) * V);
  return { chosen, candidates: topK(row, n).map((id) => ({ id, prob: Math.exp(row[id]) })) };
}
