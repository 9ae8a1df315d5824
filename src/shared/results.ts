// What a translation returns, on both sides of the webview boundary: plain JSON, no classes.
import type { Lang } from './manifest';

/** One token of a strip, with its UTF-16 range in the sentence it came from (source side) or in the output text. */
export interface TokenInfo { id: number; piece: string; text: string; start: number; end: number }

/** Row-major tensor as plain numbers (survives postMessage and JSON). */
export interface Tensor { dims: number[]; data: number[] }

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
}

export type Backend = 'webgpu' | 'wasm';
export type BackendSetting = 'auto' | Backend;
