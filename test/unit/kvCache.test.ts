// The engine's KV cache (src/engine/kvCache.ts) against a plain model of it: per layer and row, a list of positions.
// Steps append one position per row, continuing the rows the search chose (parents); the plain step's reorder
// gathers rows between steps; older packages hand back the whole cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { BufferPool, KvCache } from '../../src/engine/kvCache';

const [L, H, dh] = [2, 3, 4];

/** model[l][r][h][t]: the dh values of one position. */
type Model = number[][][][][];

/** A step's new positions for `rows` rows ([L, rows, H, 1, dh]), values that name the step, layer, row and head. */
function fresh(step: number, rows: number): { data: Float32Array; at: (l: number, r: number, h: number) => number[] } {
  const data = new Float32Array(L * rows * H * dh);
  const at = (l: number, r: number, h: number) => Array.from({ length: dh }, (_, d) => step * 1000 + l * 100 + r * 10 + h + d / 10);
  for (let l = 0; l < L; l++) for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) data.set(at(l, r, h), ((l * rows + r) * H + h) * dh);
  return { data, at };
}

/** The cache's feeds as the model: past_k and past_v must agree with it, dims included. */
function check(cache: KvCache, k: Model, v: Model, note: string): void {
  const { past_k, past_v } = cache.feeds();
  const rows = k[0].length;
  const T = rows ? k[0][0][0].length : 0;
  assert.deepEqual(past_k.dims, [L, rows, H, T, dh], `${note}: dims`);
  for (const [tensor, model] of [[past_k, k], [past_v, v]] as const) {
    const want = model.flat(4);
    assert.deepEqual([...(tensor.data as Float32Array)], want.map((x) => Math.fround(x)), `${note}: values`);
  }
}

test('appended positions follow the rows they continue; a gather keeps the rows asked for', () => {
  const cache = new KvCache(ort, L, H, dh, 1);
  let k: Model = Array.from({ length: L }, () => [Array.from({ length: H }, () => [])]);
  let v: Model = structuredClone(k);
  check(cache, k, v, 'empty');
  // Step 0: one row (a sentence's <s>); step 1: four beams from it; step 2: beams reordered; then a gather to 2 rows.
  const plan: (number[] | null)[] = [null, [0, 0, 0, 0], [2, 0, 3, 1]];
  plan.forEach((parents, step) => {
    const rows = parents ? parents.length : k[0].length;
    const nk = fresh(step, rows), nv = fresh(step + 50, rows);
    cache.append(nk.data, nv.data, parents);
    const grow = (m: Model, add: typeof nk) => m.map((layer, l) => Array.from({ length: rows }, (_, r) =>
      layer[parents ? parents[r] : r].map((head, h) => [...head, add.at(l, r, h)])));
    k = grow(k, nk);
    v = grow(v, nv);
    check(cache, k, v, `step ${step}`);
  });
  cache.gather([3, 1]);
  k = k.map((layer) => [layer[3], layer[1]]);
  v = v.map((layer) => [layer[3], layer[1]]);
  check(cache, k, v, 'gathered');
  assert.equal(cache.length, 3);
  assert.equal(cache.rows, 2);
});

test('a whole cache from an older package replaces what was kept', () => {
  const cache = new KvCache(ort, L, H, dh, 1);
  cache.append(fresh(0, 1).data, fresh(1, 1).data, null);
  const T = 5, rows = 2;
  const data = Float32Array.from({ length: L * rows * H * T * dh }, (_, i) => i);
  cache.replace(new ort.Tensor('float32', data, [L, rows, H, T, dh]), new ort.Tensor('float32', data.map((x) => -x), [L, rows, H, T, dh]));
  const { past_k, past_v } = cache.feeds();
  assert.deepEqual(past_k.dims, [L, rows, H, T, dh]);
  assert.deepEqual([...(past_k.data as Float32Array)], [...data]);
  assert.deepEqual([...(past_v.data as Float32Array)], [...data].map((x) => -x));
});

test('a released cache hands its buffers to the next one, which still starts empty and grows right', () => {
  const pool = new BufferPool();
  const first = new KvCache(ort, L, H, dh, 2, pool);
  for (let step = 0; step < 6; step++) first.append(fresh(step, 2).data, fresh(step + 50, 2).data, null);
  const kept = first.feeds().past_k.data as Float32Array;
  first.release();
  const taken = pool.take(L * 2 * H * 6 * dh);
  assert.ok(taken.some((x) => x !== 0), 'a released buffer (with the old values), not a new one');
  pool.give(taken);
  const next = new KvCache(ort, L, H, dh, 1, pool);
  assert.equal(next.feeds().past_k.dims[3], 0, 'empty');
  next.append(fresh(7, 1).data, fresh(8, 1).data, null);
  const { past_k } = next.feeds();
  assert.deepEqual(past_k.dims, [L, 1, H, 1, dh]);
  assert.deepEqual([...(past_k.data as Float32Array)], [...fresh(7, 1).data], 'values of its own, not the last cache\'s');
  assert.ok(kept.length > 0);
});
