// The decoder step of plain translation when the package has the search step graph (manifest graphs.decoderStepSearch,
// written by models/training/step_graph.py): the beam reorder, log-sum-exp and each row's top-k run inside the
// graph, so a step hands JavaScript k candidates per row instead of the whole vocabulary's logits, and the KV cache
// is never gathered in JavaScript (docs/PERFORMANCE.md, "A search step in the graph").
import type * as Ort from 'onnxruntime-web';
import type { RowCandidates, StepDecoder } from './beam';
import { KvCache, type BufferPool } from './kvCache';

/**
 * A decoder's KV cache (kvCache.ts: its rows in the order of the last step), and which of its rows each row of the
 * next step continues (null: row i continues row i). The search step's reorder only sets `parents` (its graph
 * gathers the rows it attends with, `beam_idx`, and the cache follows when the step's new positions are appended);
 * the plain step's reorder gathers the cache at once and leaves `parents` null.
 */
export interface KvState {
  cache: KvCache; parents: number[] | null;
  /** owners[r]: the encoded sentence that row r of the next step decodes (a batch holds several). */
  owners: number[];
}

export interface SearchStepParts {
  ort: typeof Ort;
  dims: { vocab: number; decoderLayers: number; heads: number; dHead: number };
  /** Runs the search step graph on these feeds (one run at a time, realm-wide). */
  run(feeds: Ort.InferenceSession.FeedsType): Promise<Ort.InferenceSession.ReturnType>;
  /** Sentences the encoder output holds (the first step's rows, one per sentence). */
  sentences: number;
  /** The cross-attention keys and values for rows decoding these sentences. */
  cross(owners: number[]): [Ort.Tensor, Ort.Tensor];
  /** Feeds telling the graph these rows' source lengths ({src_len}), or none for a graph without that input. */
  lengths(owners: number[]): Record<string, Ort.Tensor>;
  /** Where the cache's buffers come from and go back to. */
  pool?: BufferPool;
}

export function searchStepDecoder({ ort, dims, run, cross, lengths, sentences, pool }: SearchStepParts): StepDecoder<KvState> {
  const { decoderLayers: Ld, heads: H, dHead: dh, vocab } = dims;
  return {
    vocab,
    start: () => ({ cache: new KvCache(ort, Ld, H, dh, sentences, pool), parents: null, owners: Array.from({ length: sentences }, (_, b) => b) }),
    step: async (state, tokens, candidatesPerRow) => {
      const n = tokens.length;
      const k = Math.min(vocab, candidatesPerRow);
      const parents = state.parents ?? Array.from({ length: n }, (_, i) => i);
      if (parents.length !== n) throw new Error(`search step: ${n} tokens for ${parents.length} cache rows`);
      const [ck, cv] = cross(state.owners);
      const out = await run({
        tokens: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [n, 1]),
        beam_idx: new ort.Tensor('int64', BigInt64Array.from(parents, BigInt), [n]),
        ...state.cache.feeds(), cross_k: ck, cross_v: cv, ...lengths(state.owners),
        top_k: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]),
      });
      growCache(state.cache, out, state.parents);
      return { candidates: rowCandidates(out, n, k), state: { cache: state.cache, parents: null, owners: state.owners } };
    },
    // The graph gathers the cache (beam_idx); the rows' sentences follow their parents here.
    reorder: (state, parents) => ({ ...state, parents, owners: parents.map((p) => state.owners[p]) }),
    release: (state) => state.cache.release(),
  };
}

/**
 * The cache after a step: the graph's new positions appended to the rows they continue (`parents`: the rows the step
 * gathered, null for the rows in order), or an older package's whole cache (present_k, present_v) copied in.
 */
export function growCache(cache: KvCache, out: Ort.InferenceSession.ReturnType, parents: number[] | null): void {
  if (out.new_k) cache.append(out.new_k.data as Float32Array, out.new_v.data as Float32Array, parents);
  else cache.replace(out.present_k, out.present_v);
}

/**
 * log p = logit - log-sum-exp of the row, subtracted in float64 as beam.ts's logSoftmaxRows does. The graph's
 * log-sum-exp is float32 (the browser's WASM build has no float64 kernels); packages exported before that
 * gave it in float64.
 */
function rowCandidates(out: Ort.InferenceSession.ReturnType, n: number, k: number): RowCandidates {
  const top = out.top_logits.data as Float32Array;
  const ids = out.top_ids.data as BigInt64Array;
  const norm = out.log_norm.data as Float32Array | Float64Array;
  const logp = new Float64Array(n * k);
  const rowIds = new Int32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      logp[r * k + j] = top[r * k + j] - norm[r];
      rowIds[r * k + j] = Number(ids[r * k + j]);
    }
  }
  return { k, ids: rowIds, logp };
}
