// Attention math shared by the panel, the hover and the tests: slicing, head mean, rollout.
import type { Matrix, Tensor } from '../shared/results';

/** Head `head` of layer `layer` of a [L, H, Q, K] tensor. */
export function headMatrix(t: Tensor, layer: number, head: number): Matrix {
  const [L, H, Q, K] = t.dims;
  if (layer < 0 || layer >= L || head < 0 || head >= H) throw new RangeError(`layer ${layer} / head ${head} outside [${L}, ${H}]`);
  const start = ((layer * H) + head) * Q * K;
  return { rows: Q, cols: K, data: Float32Array.from(t.data.slice(start, start + Q * K)) };
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
