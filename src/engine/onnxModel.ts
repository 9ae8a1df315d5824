// Loads a model package into onnxruntime-web sessions (WebGPU or WASM) and runs the encoder and decoder steps.
import type * as Ort from 'onnxruntime-web';
import type { FileDigest, GraphName, ModelManifest } from '../shared/manifest';
import { PackageError } from '../shared/packageError';
import type { Backend, BackendChoice, BackendSetting, Tensor } from '../shared/results';
import { chooseBackend } from './backendChoice';
import type { StepDecoder } from './beam';
import { SerialQueue } from './concurrency';
import { CheckedPackage } from './checkedPackage';
import { readManifest, readTokenizer } from './packageFiles';
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

export interface EncoderOutput { crossK: Ort.Tensor; crossV: Ort.Tensor; encAttn?: Tensor; encQ?: Tensor; encK?: Tensor }

/** Per-hypothesis attention rows of one step: dec [Ld*H*(t+1)], cross [Ld*H*S]. */
export interface StepAttention { dec: Float32Array; cross: Float32Array }

interface KvState { k: Ort.Tensor; v: Ort.Tensor; n: number }

/**
 * Every session run in this realm, one at a time. onnxruntime-web keeps one WASM instance per realm, and two
 * runs in flight at once corrupt it ("output name cannot be empty", then failures in later runs): two
 * translations on one engine, or two models, take turns step by step instead.
 */
const runs = new SerialQueue();

function runExclusive(session: Ort.InferenceSession, feeds: Ort.InferenceSession.FeedsType): Promise<Ort.InferenceSession.ReturnType> {
  return runs.run(() => session.run(feeds));
}

export class OnnxModel {
  private readonly sessions = new Map<GraphName, Promise<Ort.InferenceSession>>();
  private weights?: Promise<Uint8Array>;
  private creating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ort: OrtModule,
    private readonly source: PackageSource,
    readonly manifest: ModelManifest,
    readonly tokenizer: SentencePieceTokenizer,
    /** The execution provider and why it was chosen. */
    readonly backendChoice: BackendChoice,
  ) {}

  get backend(): Backend {
    return this.backendChoice.backend;
  }

  /** Fails with a PackageError naming the file and the problem when any part of the package is wrong. */
  static async load(ort: OrtModule, source: PackageSource, backendSetting: BackendSetting): Promise<OnnxModel> {
    const manifest = await readManifest(source);
    const files = new CheckedPackage(source, manifest);
    await files.verifyAll();
    const tokenizerFile = manifest.tokenizer.json;
    const tokenizer = readTokenizer(await files.read(tokenizerFile), files.label(tokenizerFile), manifest);
    const model = new OnnxModel(ort, files, manifest, tokenizer, await chooseBackend(backendSetting));
    for (const graph of ['encoder', 'decoderStep'] as const) {
      try {
        await model.session(graph);
      } catch (e) {
        await model.release();
        if (e instanceof PackageError) throw e;
        throw new PackageError(files.label(manifest.graphs[graph].file), `onnxruntime could not open this graph: ${(e as Error).message}`);
      }
    }
    return model;
  }

  /** Sessions are created on first use: the attention graphs only when attention is first asked for. */
  session(name: GraphName): Promise<Ort.InferenceSession> {
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

  private async createSession(name: GraphName): Promise<Ort.InferenceSession> {
    const spec = this.manifest.graphs[name];
    this.weights ??= this.source.read(this.manifest.weights);
    const [graph, weights] = await Promise.all([this.source.read(spec.file), this.weights]);
    return this.ort.InferenceSession.create(graph, {
      executionProviders: [this.backend],
      externalData: [{ path: this.manifest.weights, data: weights }],
      graphOptimizationLevel: 'all',
    });
  }

  async encode(srcIds: number[], withAttention: boolean): Promise<EncoderOutput> {
    const session = await this.session(withAttention ? 'encoderAttn' : 'encoder');
    const src = new this.ort.Tensor('int64', BigInt64Array.from(srcIds, BigInt), [1, srcIds.length]);
    const out = await runExclusive(session, { src_ids: src });
    const result: EncoderOutput = { crossK: out.cross_k, crossV: out.cross_v };
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

  /** A decoder over one encoded sentence: KV cache in, KV cache out, beams as the batch. */
  stepDecoder(enc: EncoderOutput, withAttention: boolean): StepDecoder<KvState> {
    const { decoderLayers: Ld, heads: H, dHead: dh, vocab } = this.manifest.dims;
    const ort = this.ort;
    const S = enc.crossK.dims[3];
    const crossFor = new Map<number, [Ort.Tensor, Ort.Tensor]>();
    const cross = (n: number): [Ort.Tensor, Ort.Tensor] => {
      let c = crossFor.get(n);
      if (!c) {
        const rep = (t: Ort.Tensor) => new ort.Tensor('float32', repeatBatch(t.data as Float32Array, Ld, n, H * S * dh), [Ld, n, H, S, dh]);
        c = n === 1 ? [enc.crossK, enc.crossV] : [rep(enc.crossK), rep(enc.crossV)];
        crossFor.set(n, c);
      }
      return c;
    };
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [Ld, 1, H, 0, dh]);
    return {
      vocab,
      start: () => ({ k: empty(), v: empty(), n: 1 }),
      step: async (state, tokens) => {
        const session = await this.session(withAttention ? 'decoderStepAttn' : 'decoderStep');
        const n = tokens.length;
        const [ck, cv] = cross(n);
        const out = await runExclusive(session, {
          tokens: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [n, 1]),
          past_k: state.k, past_v: state.v, cross_k: ck, cross_v: cv,
        });
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
        return { logits, state: { k: out.present_k, v: out.present_v, n }, rows };
      },
      reorder: (state, parents) => {
        const T = state.k.dims[3];
        const block = H * T * dh;
        const pick = (t: Ort.Tensor) => new ort.Tensor('float32', gatherBatch(t.data as Float32Array, Ld, state.n, block, parents), [Ld, parents.length, H, T, dh]);
        return { k: pick(state.k), v: pick(state.v), n: parents.length };
      },
    };
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

/** [L, 1, ...block] -> [L, n, ...block] */
export function repeatBatch(data: Float32Array, L: number, n: number, block: number): Float32Array {
  const out = new Float32Array(L * n * block);
  for (let l = 0; l < L; l++) for (let b = 0; b < n; b++) out.set(data.subarray(l * block, (l + 1) * block), (l * n + b) * block);
  return out;
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
