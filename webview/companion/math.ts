// Pure maths behind the paper companion: Table 1 evaluated for n and d, the sinusoidal positional encoding and
// its similarity, scaled dot-product attention from the exported queries and keys, and what a head does. Slicing
// attention lives in src/engine/attention.ts, words in src/engine/words.ts. No DOM: test/unit/companion-math.test.ts.
import { headRow } from '../../src/engine/attention';
import type { Matrix, Tensor } from '../../src/shared/results';

// ---------------------------------------------------------------- Table 1

export type LayerType = 'selfAttention' | 'recurrent' | 'convolutional' | 'restricted';

export interface Table1Row {
  type: LayerType;
  /** The paper's asymptotic expressions. */
  complexity: string;
  sequential: string;
  path: string;
  /** Evaluated for this n, d, k, r (constants dropped, as in the paper). */
  ops: number;
  sequentialOps: number;
  pathLength: number;
}

/**
 * The paper's Table 1 (section 4) for a sequence of n tokens and representation size d: operations per layer,
 * sequential operations and the maximum path length between two positions. k is the convolution's kernel
 * width, r the neighbourhood of restricted self-attention.
 */
export function table1(n: number, d: number, k = 3, r = 8): Table1Row[] {
  if (!(n >= 1 && d >= 1 && k >= 2 && r >= 1)) throw new RangeError(`table1 needs n >= 1, d >= 1, k >= 2, r >= 1 (got ${n}, ${d}, ${k}, ${r})`);
  return [
    { type: 'selfAttention', complexity: 'O(n²·d)', sequential: 'O(1)', path: 'O(1)', ops: n * n * d, sequentialOps: 1, pathLength: 1 },
    { type: 'recurrent', complexity: 'O(n·d²)', sequential: 'O(n)', path: 'O(n)', ops: n * d * d, sequentialOps: n, pathLength: n },
    { type: 'convolutional', complexity: 'O(k·n·d²)', sequential: 'O(1)', path: 'O(logₖ(n))', ops: k * n * d * d, sequentialOps: 1, pathLength: Math.max(1, Math.ceil(Math.log(n) / Math.log(k) - 1e-9)) },
    { type: 'restricted', complexity: 'O(r·n·d)', sequential: 'O(1)', path: 'O(n/r)', ops: r * n * d, sequentialOps: 1, pathLength: Math.max(1, Math.ceil(n / r)) },
  ];
}

// ---------------------------------------------------------------- positional encoding (section 3.5)

/** PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)); rows are positions 0..positions-1. */
export function positionalEncoding(positions: number, d: number): Matrix {
  const data = new Float32Array(positions * d);
  for (let pos = 0; pos < positions; pos++) {
    for (let j = 0; j < d; j++) {
      const i2 = j - (j % 2);                                   // 2i
      const angle = pos / Math.pow(10000, i2 / d);
      data[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return { rows: positions, cols: d, data };
}

/** Dot products between every pair of rows: [rows, rows]. For PE the diagonal is d/2 (sin² + cos² per pair). */
export function rowSimilarity(m: Matrix): Matrix {
  const n = m.rows, d = m.cols;
  const data = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m.data[a * d + j] * m.data[b * d + j];
      data[a * n + b] = s;
      data[b * n + a] = s;
    }
  }
  return { rows: n, cols: n, data };
}

/** Wavelength of dimension pair i (dims 2i and 2i+1): 2π·10000^(2i/d). */
export function wavelength(i: number, d: number): number {
  return 2 * Math.PI * Math.pow(10000, (2 * i) / d);
}

// ---------------------------------------------------------------- scaled dot-product attention (section 3.2.1)

export function softmax(xs: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i] > max) max = xs[i];
  const e = Array.from(xs, (x) => Math.exp(x - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export interface ScaledDotProduct {
  dk: number;
  /** The query vector q of the chosen token. */
  query: number[];
  /** q·k_j / √d_k for every key j. */
  scores: number[];
  /** softmax(scores): the attention weights. */
  weights: number[];
}

/** One row of softmax(QKᵀ/√d_k) from the exported per-head queries and keys ([L, H, S, dh]). */
export function scaledDotProduct(queries: Tensor, keys: Tensor, layer: number, head: number, row: number): ScaledDotProduct {
  const [, , S, dk] = queries.dims;
  if (keys.dims.join() !== queries.dims.join()) throw new RangeError(`queries ${queries.dims} and keys ${keys.dims} differ`);
  const q = headRow(queries, layer, head, row);
  const scale = 1 / Math.sqrt(dk);
  const scores: number[] = [];
  for (let j = 0; j < S; j++) {
    const k = headRow(keys, layer, head, j);
    let dot = 0;
    for (let x = 0; x < dk; x++) dot += q[x] * k[x];
    scores.push(dot * scale);
  }
  return { dk, query: Array.from(q), scores, weights: softmax(scores) };
}

// ---------------------------------------------------------------- what a head does

export type HeadPattern = 'previous' | 'self' | 'next' | 'special' | 'broad' | 'focused';

/**
 * A one-word summary of a self-attention head [S, S]: where the average non-special query puts its weight.
 * previous / self / next token, the special tokens (tag, </s>: a "no-op" the paper's heads also show), broad
 * (close to uniform) or focused on particular content tokens.
 */
export function describeHead(m: Matrix, special: boolean[]): { pattern: HeadPattern; share: number } {
  const n = m.rows;
  const sums = { previous: 0, self: 0, next: 0, special: 0 };
  let entropy = 0, queries = 0;
  for (let i = 0; i < n; i++) {
    if (special[i]) continue;
    queries++;
    const row = m.data.subarray(i * n, i * n + n);
    if (i > 0 && !special[i - 1]) sums.previous += row[i - 1];
    sums.self += row[i];
    if (i + 1 < n && !special[i + 1]) sums.next += row[i + 1];
    for (let j = 0; j < n; j++) {
      if (special[j]) sums.special += row[j];
      if (row[j] > 0) entropy -= row[j] * Math.log(row[j]);
    }
  }
  if (queries === 0 || n < 2) return { pattern: 'broad', share: 1 };
  // A pattern counts when it takes at least 40% of the weight and twice what a uniform head would give it.
  const specials = special.filter(Boolean).length;
  const baseline = { previous: 1 / n, self: 1 / n, next: 1 / n, special: specials / n };
  let best: keyof typeof sums | undefined;
  for (const k of Object.keys(sums) as (keyof typeof sums)[]) {
    const share = sums[k] / queries;
    if (share >= 0.4 && share >= 2 * baseline[k] && (!best || sums[k] > sums[best])) best = k;
  }
  if (best) return { pattern: best, share: sums[best] / queries };
  const normEntropy = entropy / queries / Math.log(n);
  return normEntropy > 0.8 ? { pattern: 'broad', share: normEntropy } : { pattern: 'focused', share: 1 - normEntropy };
}

/** The layer that corresponds to the paper's "layer 5 of 6" in a model with `layers` encoder layers (0-based). */
export function paperLayer(layers: number, paper = 5, paperLayers = 6): number {
  return Math.min(layers - 1, Math.max(0, Math.round((paper / paperLayers) * layers) - 1));
}
