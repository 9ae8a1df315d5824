// Beam search (and greedy = beam 1) over an abstract decoder step. Same algorithm as models/training/decode.py.
import { yieldToEventLoop } from './concurrency';

/** One decoder step for n live hypotheses; the engine backs it with ONNX sessions and a KV cache. */
export interface StepDecoder<S> {
  readonly vocab: number;
  /** State (KV cache) with one empty hypothesis per encoded sentence, in order. */
  start(): S;
  /**
   * Runs `tokens` (one per hypothesis) -> the grown state and, per hypothesis, either all logits (n x vocab
   * row-major) or its best `candidatesPerRow` candidates already ranked (a search step graph computes them).
   */
  step(state: S, tokens: number[], candidatesPerRow: number): Promise<StepOutput<S>>;
  /** Keeps the hypotheses at `parents` (in that order; rows left out leave the batch), for the next step. */
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
export interface RowCandidates { k: number; ids: Int32Array; logp: Float64Array }

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
  alive: Hypothesis[] = [{ tokens: [], score: 0, normalized: 0, finished: false, steps: [] }];
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
   * Takes this sentence's rows of one step (`cands`: each of its alive.length rows' best candidates) and returns the
   * parents (indices into the old `alive`) of the hypotheses kept, in the order of the new `alive`; sets `done` when
   * the search has ended (the decoder state then needs no reorder).
   */
  advance(cands: RowCandidates): number[] {
    const { beam, eos } = this.opts;
    const alpha = this.opts.alpha ?? 0.6;
    const topN = this.opts.topCandidates ?? 0;
    const alive = this.alive;
    const ranked = rankCandidates(cands, alive.map((h) => h.score), Math.min(2 * beam, alive.length * this.vocab));
    const next: Hypothesis[] = [];
    const parents: number[] = [];
    ranked.forEach(({ h, tok, score }, rank) => {
      const parent = alive[h];
      const tokens = [...parent.tokens, tok];
      const steps = topN > 0 ? [...parent.steps, stepRecord(cands, h, tok, topN)] : parent.steps;
      if (tok === eos) {
        if (rank < beam) this.finished.push({ tokens, score, normalized: score / lengthPenalty(tokens.length, alpha), finished: true, steps });
      } else if (next.length < beam) {
        next.push({ tokens, score, normalized: 0, finished: false, steps });
        parents.push(h);
      }
    });
    this.stepsTaken++;
    if (this.finished.length >= beam || next.length === 0 || this.stepsTaken >= this.opts.maxSteps) this.done = true;
    // Cut off at maxSteps, the live hypotheses are still candidates (the last step's, as the loop always kept them).
    if (next.length > 0) this.alive = next;
    return parents;
  }

  /** Candidates per row this search needs: the best 2*beam over all rows are among each row's best 2*beam; the step
   * player wants topN. */
  candidatesPerRow(): number {
    return Math.min(this.vocab, Math.max(2 * this.opts.beam, this.opts.topCandidates ?? 0));
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
      const perRow = Math.max(...live.map((s) => s.candidatesPerRow()));
      const out = await dec.step(state, tokens, perRow);
      state = out.state;
      const cands = out.candidates ?? rowCandidates(stepLogits(out), tokens.length, V, perRow);
      const parents: number[] = [];
      const going: SentenceSearch[] = [];
      let row = 0;
      for (const s of live) {
        const n = s.alive.length;
        const kept = s.advance(sliceRows(cands, row, n));
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

/** Rows [row, row + n) of a step's candidates. */
function sliceRows(c: RowCandidates, row: number, n: number): RowCandidates {
  return { k: c.k, ids: c.ids.subarray(row * c.k, (row + n) * c.k), logp: c.logp.subarray(row * c.k, (row + n) * c.k) };
}

function isIdentity(parents: number[], n: number): boolean {
  return parents.length === n && parents.every((p, i) => p === i);
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
