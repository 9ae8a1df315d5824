// The decoder's KV cache, kept here between steps. Step graphs return only the new position's keys and values
// (new_k, new_v: [Ld, rows, H, 1, dh]); the cache grows in two buffers that are reused, one written from the other.
// Before, every step returned the whole cache ([Ld, rows, H, T+1, dh]) and onnxruntime-web copied it into a fresh
// typed array: in Chromium (the webview) that allocation cost more than the step's arithmetic (docs/PERFORMANCE.md,
// "The KV cache stays"). Older packages' graphs still return the whole cache (present_k, present_v): it is copied in.
import type * as Ort from 'onnxruntime-web';

/**
 * Float32 buffers handed from one decoder's cache to the next (a model keeps one): making large typed arrays is slow
 * in Chromium, and every sentence's cache grows to about the same sizes. Keeps at most `keep` buffers, the largest.
 */
export class BufferPool {
  private readonly free: Float32Array[] = [];

  constructor(private readonly keep = 8) {}

  /** A buffer of at least `min` floats: the smallest kept one that is large enough, else a new one of `size`. */
  take(min: number, size = min): Float32Array {
    let best = -1;
    this.free.forEach((b, i) => { if (b.length >= min && (best < 0 || b.length < this.free[best].length)) best = i; });
    return best >= 0 ? this.free.splice(best, 1)[0] : new Float32Array(Math.max(min, size));
  }

  give(buffer: Float32Array): void {
    if (buffer.length === 0) return;
    this.free.push(buffer);
    if (this.free.length > this.keep) {
      this.free.sort((a, b) => b.length - a.length);
      this.free.length = this.keep;
    }
  }
}

export class KvCache {
  /** Positions cached per row. */
  length = 0;
  private k: Float32Array;
  private v: Float32Array;
  private spareK: Float32Array;
  private spareV: Float32Array;

  /** An empty cache of `rows` rows for a decoder of `layers` layers, `heads` heads of `dHead` dimensions. */
  constructor(private readonly ort: typeof Ort, private readonly layers: number, private readonly heads: number,
    private readonly dHead: number, public rows: number, private readonly pool = new BufferPool(0)) {
    this.k = this.v = this.spareK = this.spareV = new Float32Array(0);
  }

  /** Hands the buffers back to the pool: the cache is not used again. */
  release(): void {
    for (const b of new Set([this.k, this.v, this.spareK, this.spareV])) this.pool.give(b);
    this.k = this.v = this.spareK = this.spareV = new Float32Array(0);
    this.length = 0;
  }

  /** past_k and past_v for the next run, [Ld, rows, H, T, dh]: views of the buffers (the run copies them in). */
  feeds(): { past_k: Ort.Tensor; past_v: Ort.Tensor } {
    const dims = [this.layers, this.rows, this.heads, this.length, this.dHead];
    const n = this.layers * this.rows * this.blockSize(this.length);
    return { past_k: new this.ort.Tensor('float32', this.k.subarray(0, n), dims), past_v: new this.ort.Tensor('float32', this.v.subarray(0, n), dims) };
  }

  /**
   * After a step: each row's new position (`newK`, `newV`: [Ld, n, H, 1, dh]) appended to the cache row it continues
   * (`parents[r]` for row r; null: row r continues row r), so the cache holds n rows of length + 1.
   */
  append(newK: Float32Array, newV: Float32Array, parents: number[] | null): void {
    const n = newK.length / (this.layers * this.heads * this.dHead);
    this.rebuild(n, this.length + 1, parents, newK, newV);
  }

  /** Keeps the rows at `parents`, in that order (the plain step's beam reorder, between steps). */
  gather(parents: number[]): void {
    this.rebuild(parents.length, this.length, parents);
  }

  /** A whole cache as an older package's step returns it (present_k, present_v: [Ld, rows, H, T, dh]). */
  replace(presentK: Ort.Tensor, presentV: Ort.Tensor): void {
    const [, rows, , T] = presentK.dims;
    const size = presentK.data.length;
    this.ensureSpare(size);
    this.spareK.set(presentK.data as Float32Array);
    this.spareV.set(presentV.data as Float32Array);
    this.swap(rows, T);
  }

  /** Floats of one row in one layer: H x T x dh. */
  private blockSize(T: number): number {
    return this.heads * T * this.dHead;
  }

  /**
   * Writes rows `parents` (all rows in order when null) of the cache into the spare buffers as `rows` rows of
   * length `T`, the last position taken from `newK`/`newV` when T grew, then swaps the buffers.
   */
  private rebuild(rows: number, T: number, parents: number[] | null, newK?: Float32Array, newV?: Float32Array): void {
    const { layers: L, heads: H, dHead: dh } = this;
    const old = this.length;
    const oldRows = this.rows;
    this.ensureSpare(L * rows * this.blockSize(T));
    for (const [from, to, fresh] of [[this.k, this.spareK, newK], [this.v, this.spareV, newV]] as const) {
      for (let l = 0; l < L; l++) {
        for (let r = 0; r < rows; r++) {
          const src = parents ? parents[r] : r;
          for (let h = 0; h < H; h++) {
            const at = ((l * rows + r) * H + h) * T * dh;
            if (old > 0) to.set(from.subarray(((l * oldRows + src) * H + h) * old * dh, ((l * oldRows + src) * H + h + 1) * old * dh), at);
            if (fresh && T > old) to.set(fresh.subarray(((l * rows + r) * H + h) * dh, ((l * rows + r) * H + h + 1) * dh), at + old * dh);
          }
        }
      }
    }
    this.swap(rows, T);
  }

  /**
   * The spare buffers hold at least `size` floats: from the pool, or new ones half as large again (so a growing cache
   * reallocates rarely).
   */
  private ensureSpare(size: number): void {
    if (this.spareK.length >= size) return;
    const capacity = Math.max(size, Math.ceil(this.spareK.length * 1.5));
    if (this.spareK !== this.spareV) this.pool.give(this.spareV);
    this.pool.give(this.spareK);
    this.spareK = this.pool.take(size, capacity);
    this.spareV = this.pool.take(size, capacity);
  }

  private swap(rows: number, T: number): void {
    [this.k, this.spareK] = [this.spareK, this.k];
    [this.v, this.spareV] = [this.spareV, this.v];
    this.rows = rows;
    this.length = T;
  }
}
