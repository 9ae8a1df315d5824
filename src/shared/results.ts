// What a translation returns, on both sides of the webview boundary: plain data, no classes. Tensors are Float32Arrays:
// postMessage (worker -> page, webview <-> host) carries them as bytes, 4 per value, not as JSON numbers (up to 26).
import type { Lang } from './manifest';

/** One token of a strip, with its UTF-16 range in the sentence it came from (source side) or in the output text. */
export interface TokenInfo { id: number; piece: string; text: string; start: number; end: number }

/**
 * Row-major float32 tensor. `data` owns its buffer exactly (never a view into a larger one): VS Code's webview
 * messaging sends a typed array's whole underlying ArrayBuffer. JSON does not keep it: the CLI writes it as an array
 * (src/cli/jsonArrayFile.ts) and the panel's saved state as base64 (./savedResult.ts).
 */
export interface Tensor { dims: number[]; data: Float32Array }

/** A dense row-major matrix (one head's attention, a head mean, a rollout): rows = queries, columns = keys. */
export interface Matrix { rows: number; cols: number; data: Float32Array }

/**
 * Attention of one sentence, batch dimension removed:
 *  encoder  [Le, H, S, S]  encoder self-attention (queries and keys are source tokens)
 *  decoder  [Ld, H, T, T]  decoder self-attention, row t = the step that produced target token t (causal)
 *  cross    [Ld, H, T, S]  cross-attention, row t = which source tokens the step producing token t looked at
 * S counts the tag and </s>; T counts the generated tokens including </s>.
 */
export interface SentenceAttention {
  encoder: Tensor; decoder: Tensor; cross: Tensor;
  /** Encoder per-head queries and keys [Le, H, S, dh], when the package exports them (Q·Kᵀ/√dk with real numbers). */
  queries?: Tensor; keys?: Tensor;
}

/** One decoding step for the step-through player: the top candidates of each live hypothesis. */
export interface DecodeStep { chosen: number; candidates: { id: number; piece: string; prob: number }[] }

export interface SentenceResult {
  source: string;
  /** Offset of this sentence in the translated input (UTF-16). */
  sourceOffset: number;
  from: Lang;
  to: Lang;
  text: string;
  srcTokens: TokenInfo[];
  tgtTokens: TokenInfo[];
  /** Sum of log-probabilities of the output, and the length-normalised score beam search ranked by. */
  score: number;
  normalizedScore: number;
  attention?: SentenceAttention;
  /** Attention was asked for but left out: the translation's attention budget had no room for it (see attentionLeftOut). */
  attentionLeftOut?: true;
  steps?: DecodeStep[];
  /** The English text in between when the model has no direct direction (ko<->de); no attention then. */
  pivot?: string;
}

export interface TranslationResult {
  text: string;
  from: Lang;
  to: Lang;
  backend: Backend;
  modelId: string;
  beam: number;
  sentences: SentenceResult[];
  millis: number;
  /** Present when some sentences came without the attention asked for, to keep the result within its size bound. */
  attentionLeftOut?: AttentionLeftOut;
}

/** How many sentences have no attention because one translation carries at most `limitBytes` of it (as JSON). */
export interface AttentionLeftOut {
  sentences: number;
  of: number;
  limitBytes: number;
  /** The same in English words, for the CLI and logs (the editor words it in the display language). */
  message: string;
}

export type Backend = 'webgpu' | 'wasm';
export type BackendSetting = 'auto' | Backend;

/**
 * Why the engine runs on `backend` (src/engine/backendChoice.ts decides; the editor words it in the status tooltip):
 * the setting asked for it; `auto` found no WebGPU adapter; `auto` found only a software one (SwiftShader, llvmpipe:
 * slower than WebAssembly); `auto` found a hardware one. `adapter` names the WebGPU adapter when there was one.
 */
export interface BackendChoice {
  backend: Backend;
  reason: 'setting' | 'noAdapter' | 'softwareAdapter' | 'hardwareAdapter';
  adapter?: string;
}
