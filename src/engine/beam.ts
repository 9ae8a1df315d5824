// Beam search (and greedy = beam 1) over an abstract decoder step. Same algorithm as models/training/decode.py.
import { yieldToEventLoop } from './concurrency';

/** One decoder step for n live hypotheses; the engine backs it with ONNX sessions and a KV cache. */
export interface StepDecoder<S> {
  readonly vocab: number;
  /** State (KV cache) with one empty hypothesis per encoded sentence, in order. */
  start(): S;
  /** Runs `tokens` (one per hypothesis) -> logits, n x vocab row-major, and the grown state. */
  step(state: S, tokens: number[]): Promise<{ logits: Float32Array; state: S; rows?: StepRows }>;
  /** Keeps the hypotheses at `parents` (in that order; rows left out leave the batch), for the next step. */
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

/**
 * One sentence's beam search, advanced one decoder step at a time: by beamSearch alone, or with other sentences in one
 * batch (searchBatch). The algorithm lives here once, so a sentence gets the same hypotheses either way.
 */
export class SentenceSearch {
  alive: Hypothesis[] = [{ tokens: [], score: 0, normalized: 0, finished: false, rows: [], steps: [] }];
  readonly finished: Hypothesis[] = [];
  done = false;
  private stepsTaken = 0;

  constructor(private readonly opts: BeamOptions, private readonly vocab: number) {
    if (opts.maxSteps <= 0) this.done = true;
  }

  /** The token each live hypothesis feeds the next step, in the order of `alive`. */
  lastTokens(): number[] {
    return this.stepsTaken === 0 ? [this.opts.bos] : this.alive.map((hyp) => hyp.tokens[hyp.tokens.length - 1]);
  }

  /**
   * Takes this sentence's rows of one step (`logp`: alive.length x vocab log-probabilities, `perHypothesis`: what the
   * decoder reported for each) and returns the parents (indices into the old `alive`) of the hypotheses kept, in the
   * order of the new `alive`; sets `done` when the search has ended (the decoder state then needs no reorder).
   */
  advance(logp: Float64Array, perHypothesis?: unknown[]): number[] {
    const { beam, eos } = this.opts;
    const alpha = this.opts.alpha ?? 0.6;
    const topN = this.opts.topCandidates ?? 0;
    const V = this.vocab;
    const alive = this.alive;
    const n = alive.length;
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
      const rows = perHypothesis ? [...parent.rows, perHypothesis[h]] : parent.rows;
      const score = total[flat];
      if (tok === eos) {
        if (rank < beam) this.finished.push({ tokens, score, normalized: score / lengthPenalty(tokens.length, alpha), finished: true, rows, steps });
      } else if (next.length < beam) {
        next.push({ tokens, score, normalized: 0, finished: false, rows, steps });
        parents.push(h);
      }
    });
    this.stepsTaken++;
    if (this.finished.length >= beam || next.length === 0 || this.stepsTaken >= this.opts.maxSteps) this.done = true;
    // Cut off at maxSteps, the live hypotheses are still candidates (the last step's, as the loop always kept them).
    if (next.length > 0) this.alive = next;
    return parents;
  }

  /** The best finished hypothesis by length-normalised score (the live ones when none finished). */
  best(): Hypothesis {
    const alpha = this.opts.alpha ?? 0.6;
    const pool = this.finished.length > 0
      ? this.finished
      : this.alive.map((h) => ({ ...h, normalized: h.score / lengthPenalty(h.tokens.length, alpha) }));
    return pool.reduce((a, b) => (b.normalized > a.normalized ? b : a));
  }
}

export async function beamSearch<S>(dec: StepDecoder<S>, opts: BeamOptions): Promise<Hypothesis> {
  const search = new SentenceSearch(opts, dec.vocab);
  await searchBatch(dec, [search], opts.signal);
  return search.best();
}

/**
 * Advances `searches` together, one decoder run per step: `dec` holds one row per live hypothesis of every sentence
 * still searching, in the order of `searches` (dec.start() gives one row per sentence). A sentence that finishes
 * leaves the batch at once (its rows are dropped in the reorder), so later steps run only the sentences still going.
 */
export async function searchBatch<S>(dec: StepDecoder<S>, searches: SentenceSearch[], signal?: AbortSignal): Promise<void> {
  const V = dec.vocab;
  let live = searches.filter((s) => !s.done);
  let state = dec.start();
  if (live.length !== searches.length) state = dec.reorder(state, searches.flatMap((s, i) => (s.done ? [] : [i])));
  try {
    while (live.length > 0) {
      // A turn for the event loop before every step: cancel messages, timeouts and the UI get through, and an
      // abort stops the search within one step.
      await yieldToEventLoop();
      if (signal?.aborted) throw new CancelledError();
      const tokens = live.flatMap((s) => s.lastTokens());
      const out = await dec.step(state, tokens);
      state = out.state;
      const logp = logSoftmaxRows(out.logits, tokens.length, V);
      const parents: number[] = [];
      const going: SentenceSearch[] = [];
      let row = 0;
      for (const s of live) {
        const n = s.alive.length;
        const kept = s.advance(logp.subarray(row * V, (row + n) * V), out.rows?.perHypothesis.slice(row, row + n));
        if (!s.done) {
          for (const p of kept) parents.push(row + p);
          going.push(s);
        }
        row += n;
      }
      live = going;
      // Greedy rows of sentences all still going keep their order: nothing to gather.
      if (live.length > 0 && !isIdentity(parents, tokens.length)) state = dec.reorder(state, parents);
    }
  } finally {
    dec.release?.(state);
  }
}

function isIdentity(parents: number[], n: number): boolean {
  return parents.length === n && parents.every((p, i) => p === i);
}

function stepRecord(logp: Float64Array, h: number, V: number, chosen: number, n: number): StepRecord {
  const row = logp.subarray(h * V, (h + 1) * V);
  return { chosen, candidates: topK(row, n).map((id) => ({ id, prob: Math.exp(row[id]) })) };
}
