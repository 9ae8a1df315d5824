// Loads a model package into onnxruntime-web sessions (WebGPU or WASM) and runs the encoder and decoder steps.
import type * as Ort from 'onnxruntime-web';
import type { FileDigest, GraphSpec, Lang, ManifestGraphs, ModelManifest } from '../shared/manifest';
import type { GraphUse } from '../shared/protocol';
import { widenSpans } from './widenedWeights';
import { PackageError } from '../shared/packageError';
import type { Backend, BackendChoice, BackendSetting, Tensor } from '../shared/results';
import { chooseBackend } from './backendChoice';
import type { StepDecoder } from './beam';
import { SerialQueue } from './concurrency';
import { CheckedPackage } from './checkedPackage';
import { readManifest, readTokenizer } from './packageFiles';
import { encoderGroups } from './sentenceBatches';
import { BufferPool, KvCache } from './kvCache';
import { growCache, searchStepDecoder, type KvState } from './searchStep';
import type { SentencePieceTokenizer } from './tokenizer';

export type OrtModule = typeof Ort;

/** Where a package's files come from: fetch() in the webview, the file system in Node. */
export interface PackageSource {
  readonly location: string;
  read(name: string): Promise<Uint8Array>;
  /**
   * Optional: checks these files' sizes and sha256 without handing their bytes over (streamed, cached by file
   * identity); throws a PackageError naming the first bad one. Without it, load() reads and hashes each file.
   */
  verify?(expected: Record<string, FileDigest>): Promise<void>;
}

export interface EncoderOutput {
  crossK: Ort.Tensor; crossV: Ort.Tensor;
  /** Each sentence's source length: a batch is right-padded to the longest (cross_k's S). */
  srcLens: number[];
  encAttn?: Tensor; encQ?: Tensor; encK?: Tensor;
}

/** Per-hypothesis attention rows of one step: dec [Ld*H*(t+1)], cross [Ld*H*S]. */
export interface StepAttention { dec: Float32Array; cross: Float32Array }

/**
 * Every session run in this realm, one at a time. onnxruntime-web keeps one WASM instance per realm, and two
 * runs in flight at once corrupt it ("output name cannot be empty", then failures in later runs): two
 * translations on one engine, or two models, take turns step by step instead.
 */
const runs = new SerialQueue();

function runExclusive(session: Ort.InferenceSession, feeds: Ort.InferenceSession.FeedsType): Promise<Ort.InferenceSession.ReturnType> {
  return runs.run(() => session.run(feeds));
}

/** A session of the engine: one of the manifest's graphs, or the search step shortlisted for a target language. */
export type SessionName = keyof ManifestGraphs | `shortlist:${Lang}`;

/**
 * Which step plain translation runs, at most: the search step shortlisted to the target language's tokens
 * (`shortlist`), the search step over the whole vocabulary (`search`: every id a candidate, for exact comparisons),
 * or the plain step with the search in JavaScript (`plain`). A package without the graph falls back to the next.
 */
export type PlainStep = 'shortlist' | 'search' | 'plain';

export class OnnxModel {
  private readonly sessions = new Map<SessionName, Promise<Ort.InferenceSession>>();
  private weights?: Promise<Uint8Array>;
  private widened?: Promise<Uint8Array>;
  private creating: Promise<unknown> = Promise.resolve();
  /** The decoders' KV cache buffers, passed from one sentence to the next. */
  private readonly kvBuffers = new BufferPool();

  private constructor(
    private readonly ort: OrtModule,
    private readonly source: PackageSource,
    readonly manifest: ModelManifest,
    readonly tokenizer: SentencePieceTokenizer,
    /** The execution provider and why it was chosen. */
    readonly backendChoice: BackendChoice,
    /** The step plain translation runs, at most (PlainStep). */
    readonly plainStep: PlainStep,
  ) {}

  get backend(): Backend {
    return this.backendChoice.backend;
  }

  /**
   * Whether sentences of different lengths can share a run: packages exported since the decoder graphs take each
   * row's source length (src_len) to mask the padding out of cross-attention. Older ones batch equal lengths only.
   */
  get padsSources(): boolean {
    return this.manifest.graphs.decoderStep.inputs.some((i) => i.name === 'src_len');
  }

  /**
   * Fails with a PackageError naming the file and the problem when any part of the package is wrong. Opens the
   * sessions of `firstUse` (default plain translation's); the others open on first use. `onMark` hears each stage
   * as it ends (the webview's cold-start timeline).
   */
  static async load(ort: OrtModule, source: PackageSource, backendSetting: BackendSetting | BackendChoice,
    { onMark, firstUse = 'plain', runtimeReady, plainStep = 'shortlist' }: {
      onMark?: (label: string) => void; firstUse?: GraphUse;
      /**
       * Sessions wait for it (the worker's runtime warm-up, engineWarmup.ts): called once the package's files the
       * sessions need are in (the manifest, tokenizer and weights are read meanwhile).
       */
      runtimeReady?: () => Promise<unknown>;
      /** See PlainStep (default: the shortlisted search step). */
      plainStep?: PlainStep;
    } = {}): Promise<OnnxModel> {
    const mark = onMark ?? (() => undefined);
    // A setting: an adapter probe, run while the files are read. A choice: the caller probed already (the webview's
    // worker does, to pick the onnxruntime build for the backend) and `ort` is the build for it.
    const backend = typeof backendSetting === 'string' ? chooseBackend(backendSetting) : Promise.resolve(backendSetting);
    backend.then((b) => mark(`backend chosen: ${b.backend} (${b.reason})`), () => undefined);
    const manifest = await readManifest(source);
    const files = new CheckedPackage(source, manifest);
    await files.verifyAll();
    mark('package files checked');
    const tokenizerFile = manifest.tokenizer.json;
    const tokenizer = readTokenizer(await files.read(tokenizerFile), files.label(tokenizerFile), manifest);
    mark('tokenizer read');
    const model = new OnnxModel(ort, files, manifest, tokenizer, await backend, plainStep);
    try {
      if (runtimeReady) {
        // The weights (widened) before the runtime is asked for: it goes on warming up while they travel.
        await model.widenedBytes();
        await model.weightBytes();
        await runtimeReady();
      }
      for (const graph of model.firstSessions(firstUse)) {
        await model.session(graph);
        mark(`${graph} session created`);
      }
    } catch (e) {
      await model.release();
      throw e;
    }
    return model;
  }

  /**
   * The sessions a load opens. Plain translation's step is the search step graph when the package has it
   * (searchStep.ts); when it has shortlisted ones, the target language is not known yet, so the first translation
   * opens its own (a shortlisted graph is quicker to open than the full one: its projection is smaller to prepack).
   */
  private firstSessions(firstUse: GraphUse): SessionName[] {
    return this.searchSessionsFor(undefined, firstUse === 'attention');
  }

  /**
   * The sessions the search of a translation runs (into `target`, when known: its shortlist's step). With attention
   * its encoder is the one with attention outputs (one run serves the search and the maps); the attention graph is
   * not among them: it opens after the search, so the text is shown before it is ready.
   */
  searchSessionsFor(target: Lang | undefined, attention: boolean): SessionName[] {
    return [attention ? 'encoderAttn' : 'encoder', ...this.searchSessions(target)];
  }

  /** The search's session when it is known: into `target`, or into any language when the package has no shortlists. */
  private searchSessions(target?: Lang): SessionName[] {
    const shortlisted = this.plainStep === 'shortlist' && Object.keys(this.manifest.searchShortlists ?? {}).length > 0;
    return target || !shortlisted ? [this.searchSession(target)] : [];
  }

  /** The session whose step the search runs: into `target`, its shortlist when the package has one. */
  private searchSession(target?: Lang): SessionName {
    if (this.plainStep === 'shortlist' && target && this.manifest.searchShortlists?.[target]) return `shortlist:${target}`;
    return this.searchStep ? 'decoderStepSearch' : 'decoderStep';
  }

  /** Whether plain translation runs the full-vocabulary search step graph (where no shortlist applies). */
  private get searchStep(): boolean {
    return this.plainStep !== 'plain' && !!this.manifest.graphs.decoderStepSearch;
  }

  /** The graphs whose sessions are open or opening, in the order they were asked for. */
  get openGraphs(): SessionName[] {
    return [...this.sessions.keys()];
  }

  /** Sessions are created on first use: the attention graphs only when attention is first asked for. */
  session(name: SessionName): Promise<Ort.InferenceSession> {
    let s = this.sessions.get(name);
    if (!s) {
      // One at a time: onnxruntime-web's WebGPU provider refuses to create two sessions concurrently.
      s = this.creating.then(() => this.createSession(name));
      this.creating = s.then(() => undefined, () => undefined);
      this.sessions.set(name, s);
      s.catch(() => this.sessions.delete(name));
    }
    return s;
  }

  private graphSpec(name: SessionName): GraphSpec | undefined {
    return name.startsWith('shortlist:') ? this.manifest.searchShortlists?.[name.slice('shortlist:'.length) as Lang]
      : this.manifest.graphs[name as keyof ManifestGraphs];
  }

  /** A PackageError naming the graph file when onnxruntime cannot open it (at load, or at its first use). */
  private async createSession(name: SessionName): Promise<Ort.InferenceSession> {
    const spec = this.graphSpec(name);
    if (!spec) throw new PackageError(this.source.location, `the manifest has no graph ${name}`);
    const [graph, weights, widened] = await Promise.all([this.source.read(spec.file), this.weightBytes(), this.widenedBytes()]);
    const externalData = [{ path: this.manifest.weights, data: weights }];
    if (widened) externalData.push({ path: this.manifest.widenedWeights!.file, data: widened });
    try {
      return await this.ort.InferenceSession.create(graph, {
        executionProviders: [this.backend],
        externalData,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      const label = this.source instanceof CheckedPackage ? this.source.label(spec.file) : spec.file;
      throw new PackageError(label, `onnxruntime could not open this graph: ${(e as Error).message}`);
    }
  }

  async encode(srcIds: number[], withAttention: boolean): Promise<EncoderOutput> {
    const session = await this.session(withAttention ? 'encoderAttn' : 'encoder');
    const src = new this.ort.Tensor('int64', BigInt64Array.from(srcIds, BigInt), [1, srcIds.length]);
    const out = await runExclusive(session, { src_ids: src });
    const result: EncoderOutput = { crossK: out.cross_k, crossV: out.cross_v, srcLens: [srcIds.length] };
    if (withAttention) {
      // [1, Le, H, S, S] attention and [1, Le, H, S, dh] queries/keys: drop the batch dimension. Copied into a buffer
      // of their own: the output's may be shared (a view), and postMessage would send all of a shared one.
      const plain = (t: Ort.Tensor): Tensor => ({ dims: t.dims.slice(1), data: Float32Array.from(t.data as Float32Array) });
      result.encAttn = plain(out.enc_attn);
      if (out.enc_q && out.enc_k) {
        result.encQ = plain(out.enc_q);
        result.encK = plain(out.enc_k);
      }
    }
    return result;
  }

  /**
   * Encodes sentences together: cross_k/cross_v come out [Ld, B, H, S, dh], one batch entry per sentence, right-padded
   * to the longest (the decoder, told src_len, masks the padding). Sentences of similar length share an encoder run
   * (encoderGroups: the encoder masks pad ids, but computes them), and the runs' outputs are put side by side. A
   * package whose graphs predate src_len takes equal lengths only. No attention outputs.
   */
  async encodeBatch(sources: number[][]): Promise<EncoderOutput> {
    const lens = sources.map((ids) => ids.length);
    const S = Math.max(0, ...lens);
    if (S === 0 || lens.some((n) => n === 0)) throw new Error('encodeBatch takes one or more non-empty sources');
    if (!this.padsSources && lens.some((n) => n !== S)) throw new Error('this package\'s graphs batch sources of one length only');
    const groups = this.padsSources ? encoderGroups(lens) : [lens.map((_, i) => i)];
    const parts: Ort.InferenceSession.ReturnType[] = [];
    for (const group of groups) parts.push(await this.encodePadded(group.map((i) => sources[i])));
    if (parts.length === 1) return { crossK: parts[0].cross_k, crossV: parts[0].cross_v, srcLens: lens };
    const side = (name: 'cross_k' | 'cross_v') => {
      const [Ld, , H, , dh] = parts[0][name].dims;
      return new this.ort.Tensor('float32', sideBySide(parts.map((p) => p[name]), groups, S), [Ld, sources.length, H, S, dh]);
    };
    return { crossK: side('cross_k'), crossV: side('cross_v'), srcLens: lens };
  }

  /** One encoder run over `sources`, right-padded with the pad id to the longest. */
  private async encodePadded(sources: number[][]): Promise<Ort.InferenceSession.ReturnType> {
    const S = Math.max(...sources.map((ids) => ids.length));
    const session = await this.session('encoder');
    const ids = new BigInt64Array(sources.length * S).fill(BigInt(this.manifest.special.pad));
    sources.forEach((row, b) => row.forEach((id, i) => { ids[b * S + i] = BigInt(id); }));
    return runExclusive(session, { src_ids: new this.ort.Tensor('int64', ids, [sources.length, S]) });
  }

  /**
   * A decoder over encoded sentences (one, or a batch from encodeBatch): KV cache in, KV cache out, every live
   * hypothesis of every sentence one batch row. `owners` says which sentence each row decodes, so each row is fed its
   * own sentence's cross_k/cross_v. Without attention, the package's search step graph when it has one (top-k
   * candidates out, the reorder inside the graph), shortlisted to `target`'s tokens when the package has that. With
   * attention, the attention step graph (logits and each row's attention out): targetAttention's path for packages
   * without decoderAttn, and the golden test's teacher-forced steps.
   */
  stepDecoder(enc: EncoderOutput, withAttention: boolean, target?: Lang): StepDecoder<KvState> {
    const { decoderLayers: Ld, heads: H, dHead: dh, vocab } = this.manifest.dims;
    const ort = this.ort;
    const sentences = enc.crossK.dims[1];
    const S = enc.crossK.dims[3];
    const crossFor = crossRows(ort, enc, Ld, H * S * dh);
    const srcLenFor = this.padsSources ? (owners: number[]) => ({ src_len: new ort.Tensor('int64', BigInt64Array.from(owners, (o) => BigInt(enc.srcLens[o])), [owners.length]) }) : () => ({});
    const firstRows = Array.from({ length: sentences }, (_, b) => b);
    const shortlist = this.plainStep === 'shortlist' && target ? this.manifest.searchShortlists?.[target] : undefined;
    // Plain translation: the search step graph, shortlisted or not.
    const search = this.searchSession(target);
    if (!withAttention && search !== 'decoderStep') {
      const session = this.session(search);
      const dims = { ...this.manifest.dims, vocab: shortlist?.vocab ?? vocab };
      return searchStepDecoder({ ort, dims, sentences, cross: crossFor, lengths: srcLenFor, run: async (feeds) => runExclusive(await session, feeds), pool: this.kvBuffers });
    }
    return {
      vocab,
      start: () => ({ cache: new KvCache(ort, Ld, H, dh, sentences, this.kvBuffers), parents: null, owners: firstRows }),
      step: async (state, tokens) => {
        const session = await this.session(withAttention ? 'decoderStepAttn' : 'decoderStep');
        const n = tokens.length;
        const [ck, cv] = crossFor(state.owners);
        const out = await runExclusive(session, {
          tokens: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [n, 1]),
          ...state.cache.feeds(), cross_k: ck, cross_v: cv, ...srcLenFor(state.owners),
        });
        growCache(state.cache, out, null);
        const logits = out.logits.data as Float32Array;
        let rows;
        if (withAttention) {
          const T1 = out.dec_attn.dims[4];
          const dec = out.dec_attn.data as Float32Array;             // [n, Ld, H, 1, T+1]
          const cr = out.cross_attn.data as Float32Array;            // [n, Ld, H, 1, S]
          const perHypothesis: StepAttention[] = [];
          for (let h = 0; h < n; h++) {
            perHypothesis.push({
              dec: dec.slice(h * Ld * H * T1, (h + 1) * Ld * H * T1),
              cross: cr.slice(h * Ld * H * S, (h + 1) * Ld * H * S),
            });
          }
          rows = { perHypothesis };
        }
        return { logits, state: { cache: state.cache, parents: null, owners: state.owners }, rows };
      },
      reorder: (state, parents) => {
        state.cache.gather(parents);
        return { cache: state.cache, parents: null, owners: parents.map((p) => state.owners[p]) };
      },
      release: (state) => state.cache.release(),
    };
  }

  /**
   * The decoder and cross-attention of one encoded sentence's translation `tokens` (its generated ids, </s>
   * included): row t is what the step that chose tokens[t] attended to. One run of the decoderAttn graph over <s> and
   * the tokens before the last; a package without it runs the attention step graph along them.
   * -> decoder [Ld, H, T, T] (zero past each row's position), cross [Ld, H, T, S].
   */
  async targetAttention(enc: EncoderOutput, tokens: number[]): Promise<{ decoder: Tensor; cross: Tensor }> {
    const { decoderLayers: Ld, heads: H } = this.manifest.dims;
    const S = enc.crossK.dims[3];
    const T = tokens.length;
    const inputs = [this.manifest.special.bos, ...tokens.slice(0, -1)];
    const spec = this.manifest.graphs.decoderAttn;
    if (!spec) return stepwiseAttention(this.stepDecoder(enc, true), inputs, Ld, H, S);
    const session = await this.session('decoderAttn');
    const ort = this.ort;
    const feeds: Ort.InferenceSession.FeedsType = {
      tokens: new ort.Tensor('int64', BigInt64Array.from(inputs, BigInt), [1, T]),
      cross_k: enc.crossK, cross_v: enc.crossV, src_len: new ort.Tensor('int64', BigInt64Array.of(BigInt(S)), [1]),
    };
    // Only the inputs the graph has: a one-layer decoder's needs no cross_v (probabilities need queries and keys).
    const out = await runExclusive(session, Object.fromEntries(spec.inputs.map((i) => [i.name, feeds[i.name]])));
    // [1, Ld, H, T, T] and [1, Ld, H, T, S]: drop the batch dimension, in buffers of their own (postMessage sends
    // all of a shared one).
    return {
      decoder: { dims: [Ld, H, T, T], data: Float32Array.from(out.dec_attn.data as Float32Array) },
      cross: { dims: [Ld, H, T, S], data: Float32Array.from(out.cross_attn.data as Float32Array) },
    };
  }

  /** The weights file, read once for every session. */
  private weightBytes(): Promise<Uint8Array> {
    this.weights ??= this.source.read(this.manifest.weights);
    return this.weights;
  }

  /**
   * The float32 weights the package's graphs read when it has widened storage (undefined when not), written once
   * for every session: writing them takes 0.1-0.2 s, most of it the first touch of 37 MB of fresh memory, which
   * once per session would cost more than the widening saves.
   */
  private widenedBytes(): Promise<Uint8Array | undefined> {
    const widened = this.manifest.widenedWeights;
    if (!widened) return Promise.resolve(undefined);
    this.widened ??= this.weightBytes().then((w) => widenSpans(w, widened));
    return this.widened;
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) {
      try {
        const session = await s;
        await runs.run(() => session.release());     // not under a run in flight (a model switch mid-translation)
      } catch {
        // a session that failed to load has nothing to release
      }
    }
    this.sessions.clear();
  }
}

/**
 * cross_k/cross_v for decoder rows whose sentences are `owners`: the encoder's own tensors while the rows are its
 * sentences in order, else its batch entries gathered. The last gather is kept: owners change only when a sentence
 * starts its beams or leaves the batch.
 */
function crossRows(ort: OrtModule, enc: EncoderOutput, L: number, block: number): (owners: number[]) => [Ort.Tensor, Ort.Tensor] {
  const B = enc.crossK.dims[1];
  let last: { key: string; tensors: [Ort.Tensor, Ort.Tensor] } | undefined;
  return (owners) => {
    if (owners.length === B && owners.every((o, i) => o === i)) return [enc.crossK, enc.crossV];
    const key = owners.join(',');
    if (last?.key !== key) {
      const pick = (t: Ort.Tensor) => new ort.Tensor('float32', gatherBatch(t.data as Float32Array, L, B, block, owners), [L, owners.length, ...t.dims.slice(2)]);
      last = { key, tensors: [pick(enc.crossK), pick(enc.crossV)] };
    }
    return last.tensors;
  };
}

/**
 * Encoder runs' cross_k (or cross_v) [Ld, Bg, H, Sg, dh], run g holding the sentences `groups[g]`, put into one
 * [Ld, B, H, S, dh] in sentence order; each sentence's positions past its run's Sg stay zero (masked by src_len).
 */
function sideBySide(runs: Ort.Tensor[], groups: number[][], S: number): Float32Array {
  const [Ld, , H, , dh] = runs[0].dims;
  const B = groups.reduce((n, g) => n + g.length, 0);
  const out = new Float32Array(Ld * B * H * S * dh);
  runs.forEach((run, g) => {
    const data = run.data as Float32Array;
    const [, Bg, , Sg] = run.dims;
    for (let l = 0; l < Ld; l++) {
      for (let r = 0; r < Bg; r++) {
        const b = groups[g][r];
        for (let h = 0; h < H; h++) {
          const from = ((l * Bg + r) * H + h) * Sg * dh;
          out.set(data.subarray(from, from + Sg * dh), ((l * B + b) * H + h) * S * dh);
        }
      }
    }
  });
  return out;
}

/**
 * Attention along `inputs` from a step decoder with attention outputs (one row, teacher-forced), stacked into
 * decoder [Ld, H, T, T] and cross [Ld, H, T, S].
 */
async function stepwiseAttention(dec: StepDecoder<KvState>, inputs: number[], Ld: number, H: number, S: number): Promise<{ decoder: Tensor; cross: Tensor }> {
  const T = inputs.length;
  const decoder = new Float32Array(Ld * H * T * T);
  const cross = new Float32Array(Ld * H * T * S);
  let state = dec.start();
  try {
    for (const [t, token] of inputs.entries()) {
      const out = await dec.step(state, [token], 1);
      state = out.state;
      const row = out.rows!.perHypothesis[0] as StepAttention;
      const k = t + 1;                                   // keys at step t: <s> and the t tokens before
      for (let lh = 0; lh < Ld * H; lh++) {
        decoder.set(row.dec.subarray(lh * k, (lh + 1) * k), (lh * T + t) * T);
        cross.set(row.cross.subarray(lh * S, (lh + 1) * S), (lh * T + t) * S);
      }
    }
  } finally {
    dec.release?.(state);
  }
  return { decoder: { dims: [Ld, H, T, T], data: decoder }, cross: { dims: [Ld, H, T, S], data: cross } };
}

/** [L, n, ...block] -> [L, parents.length, ...block], batch entries taken at `parents`. */
export function gatherBatch(data: Float32Array, L: number, n: number, block: number, parents: number[]): Float32Array {
  const m = parents.length;
  const out = new Float32Array(L * m * block);
  for (let l = 0; l < L; l++) {
    parents.forEach((p, j) => out.set(data.subarray((l * n + p) * block, (l * n + p + 1) * block), (l * m + j) * block));
  }
  return out;
}
