// Attention math, the one home for it: slicing a [L, H, Q, K] tensor (a head, a row, the mean over heads, the
// strongest head), rows and columns of a matrix, rollout. The panel, the hover, the companion and the tests use it.
import type { Matrix, Tensor } from '../shared/results';

/** One head, or the mean over the heads of a layer. */
export type HeadChoice = number | 'mean';

/** Head `head` of layer `layer` of a [L, H, Q, K] tensor. */
export function headMatrix(t: Tensor, layer: number, head: number): Matrix {
  const [L, H, Q, K] = t.dims;
  if (layer < 0 || layer >= L || head < 0 || head >= H) throw new RangeError(`layer ${layer} / head ${head} outside [${L}, ${H}]`);
  const start = ((layer * H) + head) * Q * K;
  return { rows: Q, cols: K, data: t.data.slice(start, start + Q * K) };
}

/** Mean over heads of one layer. */
export function headMean(t: Tensor, layer: number): Matrix {
  const [, H, Q, K] = t.dims;
  const out = new Float32Array(Q * K);
  for (let h = 0; h < H; h++) {
    const m = headMatrix(t, layer, h).data;
    for (let i = 0; i < out.length; i++) out[i] += m[i] / H;
  }
  return { rows: Q, cols: K, data: out };
}

/** One head of a layer, or the mean of its heads. */
export function layerMatrix(t: Tensor, layer: number, head: HeadChoice): Matrix {
  return head === 'mean' ? headMean(t, layer) : headMatrix(t, layer, head);
}

/**
 * Row `row` of head `head` in layer `layer` of any [L, H, R, C] tensor: a query's attention over the keys of an
 * attention tensor, or one token's query / key vector of a [L, H, S, dh] tensor.
 */
export function headRow(t: Tensor, layer: number, head: number, row: number): Float32Array {
  const [L, H, R, C] = t.dims;
  if (layer < 0 || layer >= L || head < 0 || head >= H || row < 0 || row >= R) throw new RangeError(`layer ${layer} / head ${head} / row ${row} outside [${L}, ${H}, ${R}]`);
  const start = ((layer * H + head) * R + row) * C;
  return t.data.subarray(start, start + C);
}

/**
 * What a group of queries (the pieces of one word) attends to: the mean of their rows, for one head or the mean
 * over heads. Rows of attention sum to 1, and so does their mean. No rows: all zeros.
 */
export function meanOfRows(t: Tensor, layer: number, head: HeadChoice, rows: number[]): number[] {
  const [, H, , K] = t.dims;
  const out = new Array<number>(K).fill(0);
  const heads = head === 'mean' ? Array.from({ length: H }, (_, h) => h) : [head];
  if (rows.length === 0) return out;
  const w = 1 / (rows.length * heads.length);
  for (const h of heads) for (const r of rows) headRow(t, layer, h, r).forEach((v, j) => { out[j] += v * w; });
  return out;
}

/**
 * The single head whose row for `query` puts the most weight on one key that `counts` accepts (by default any key but
 * the query itself): the head worth pinning in the hover. Ties go to the earlier layer and head.
 */
export function strongestHead(t: Tensor, query: number, counts: (key: number) => boolean = (k) => k !== query): { layer: number; head: number } {
  const [L, H] = t.dims;
  let best = { layer: L - 1, head: 0, w: -1 };
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      headRow(t, l, h, query).forEach((v, k) => { if (counts(k) && v > best.w) best = { layer: l, head: h, w: v }; });
    }
  }
  return { layer: best.layer, head: best.head };
}

/** One row of a matrix (a query's attention over the keys), as a view. */
export function matrixRow(m: Matrix, row: number): Float32Array {
  return m.data.subarray(row * m.cols, (row + 1) * m.cols);
}

/** One column of a matrix (what every query gives one key), copied. */
export function matrixCol(m: Matrix, col: number): Float32Array {
  const out = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + col];
  return out;
}

/** Largest entry (0 for an empty matrix), ignoring non-finite values: the top of a heatmap's colour scale. */
export function matrixMax(m: Matrix): number {
  let max = 0;
  for (let i = 0; i < m.data.length; i++) { const v = m.data[i]; if (Number.isFinite(v) && v > max) max = v; }
  return max;
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const out = new Float32Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k];
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += v * b.data[k * b.cols + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/**
 * Attention rollout (Abnar & Zuidema, 2020) of self-attention [L, H, N, N] up to layer `upTo` (inclusive):
 * each layer's head mean, with the residual connection as 0.5 A + 0.5 I and rows renormalised, multiplied
 * from the first layer up. Row i says how much each input token flows into position i.
 */
export function rollout(t: Tensor, upTo = t.dims[0] - 1): Matrix {
  const N = t.dims[2];
  let acc: Matrix | undefined;
  for (let l = 0; l <= upTo; l++) {
    const a = headMean(t, l);
    for (let i = 0; i < N; i++) {
      let sum = 0;
      for (let j = 0; j < N; j++) {
        const v = 0.5 * a.data[i * N + j] + (i === j ? 0.5 : 0);
        a.data[i * N + j] = v;
        sum += v;
      }
      for (let j = 0; j < N; j++) a.data[i * N + j] /= sum;
    }
    acc = acc ? matmul(a, acc) : a;
  }
  if (!acc) throw new RangeError('rollout needs at least one layer');
  return acc;
}

/** Cross-attention rollout: decoder cross-attention of the last layer (head mean) times the encoder rollout. */
export function crossRollout(cross: Tensor, encoder: Tensor): Matrix {
  return matmul(headMean(cross, cross.dims[0] - 1), rollout(encoder));
}

export function rowSums(m: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j];
    out.push(s);
  }
  return out;
}

/** Indices of a row's largest entries, largest first. */
export function topEntries(values: ArrayLike<number>, n: number): { index: number; value: number }[] {
  return Array.from(values, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, n);
}

/** Largest value and its index (the first on ties; index -1 when empty). */
export function argmax(xs: ArrayLike<number>): { index: number; value: number } {
  let index = -1, value = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i] > value) { value = xs[i]; index = i; }
  return { index, value };
}
