// Attention tensors for tests: [L, H, Q, K] rows that are softmax distributions (optionally causal), from a seeded
// linear congruential generator so that every run sees the same numbers.
import type { Tensor } from '../../../src/shared/results';

export function softmaxTensor(dims: number[], causal = false, seed = 1): Tensor {
  const [L, H, Q, K] = dims;
  const data: number[] = [];
  let s = seed;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) {
    const e = Array.from({ length: K }, (_, k) => (causal && k > q ? 0 : Math.exp(3 * rnd())));
    const sum = e.reduce((a, b) => a + b, 0);
    data.push(...e.map((x) => x / sum));
  }
  return { dims, data: Float32Array.from(data) };
}
