// How much attention one translation may carry. Attention grows with the square of a sentence's length and with
// the number of sentences (one maximum-length sentence was 48.5 MB of JSON; a 10,001-character line ran out of
// memory). It is bounded in JSON bytes, the CLI's file's form; that bounds the webview -> host crossing too, where a
// value is 4 bytes (tensors cross as Float32Arrays).
import type { AttentionLeftOut, SentenceAttention, Tensor } from '../shared/results';

/**
 * The most JSON bytes one float32 value takes, separator included: "-0.0000012345678901234567," is 26 (JavaScript
 * writes numbers from 1e-6 to 1e-7 in positional form with up to 17 significant digits; smaller ones as 1.2e-7).
 */
export const MAX_JSON_BYTES_PER_VALUE = 26;

/** Room for a tensor's `{"dims":[...],"data":[]}` and the attention object's keys around its values. */
const TENSOR_OVERHEAD_BYTES = 64;
const ATTENTION_OVERHEAD_BYTES = 64;

/** Default bound of one translation's attention: 16 MiB of JSON, about 645,000 values (sentences up to ~130 tokens). */
export const DEFAULT_ATTENTION_BUDGET_BYTES = 16 * 1024 * 1024;

/** At most the JSON length of `t`: its values at their longest, plus the dims and keys. */
export function tensorJsonBound(t: Tensor): number {
  return t.data.length * MAX_JSON_BYTES_PER_VALUE + TENSOR_OVERHEAD_BYTES;
}

/** At most the JSON length of an attention object with these tensors. */
export function attentionJsonBound(parts: Tensor[]): number {
  return parts.reduce((sum, t) => sum + tensorJsonBound(t), ATTENTION_OVERHEAD_BYTES);
}

/** The model sizes that decide how much attention a sentence has. */
export interface AttentionDims { encoderLayers: number; decoderLayers: number; heads: number }

/**
 * The least attention a source of `srcLen` tokens (tag and </s> included) can have: encoder [Le, H, S, S] and one
 * target token. When even this does not fit, the attention graphs are not run at all.
 */
export function smallestAttentionBound(d: AttentionDims, srcLen: number): number {
  const values = d.encoderLayers * d.heads * srcLen * srcLen + d.decoderLayers * d.heads * (1 + srcLen);
  return values * MAX_JSON_BYTES_PER_VALUE + 3 * TENSOR_OVERHEAD_BYTES + ATTENTION_OVERHEAD_BYTES;
}

/**
 * The bytes left for one translation's attention. Sentences are admitted in order while they fit; one that does
 * not is left out (counted), and later, smaller ones may still fit. Queries and keys (only the Paper Companion's
 * Q·Kᵀ/√dk uses them) are dropped before the attention itself is.
 */
export class AttentionBudget {
  private used = 0;
  /** Sentences whose attention was asked for and left out. */
  leftOut = 0;

  constructor(readonly limitBytes = DEFAULT_ATTENTION_BUDGET_BYTES) {
    if (!(limitBytes >= 0)) throw new RangeError(`attention budget must be a number of bytes >= 0, not ${limitBytes}`);
  }

  get remainingBytes(): number {
    return this.limitBytes - this.used;
  }

  /** Whether a sentence needing at least `bytes` could still fit; when not, it is counted as left out. */
  mayFit(bytes: number): boolean {
    if (bytes <= this.remainingBytes) return true;
    this.leftOut++;
    return false;
  }

  /** `attention` as much of it fits (without queries and keys when only that fits), or undefined, counted as left out. */
  admit(attention: SentenceAttention): SentenceAttention | undefined {
    const { encoder, decoder, cross, queries, keys } = attention;
    const core = attentionJsonBound([encoder, decoder, cross]);
    const qk = queries && keys ? tensorJsonBound(queries) + tensorJsonBound(keys) : 0;
    if (core + qk <= this.remainingBytes) {
      this.used += core + qk;
      return attention;
    }
    if (core <= this.remainingBytes) {
      this.used += core;
      return { encoder, decoder, cross };
    }
    this.leftOut++;
    return undefined;
  }
}

/** What a translation of `sentenceCount` sentences reports when the budget left some attention out. */
export function attentionLeftOut(budget: AttentionBudget, sentenceCount: number): AttentionLeftOut | undefined {
  if (budget.leftOut === 0) return undefined;
  const mb = formatMegabytes(budget.limitBytes);
  return {
    sentences: budget.leftOut, of: sentenceCount, limitBytes: budget.limitBytes,
    message: `Attention was left out for ${budget.leftOut} of ${sentenceCount} sentences: one translation carries at most ${mb} MB of attention. Translate less text at a time to see it.`,
  };
}

/** Megabytes (2^20 bytes) with at most one decimal: 16, 0.5. */
export function formatMegabytes(bytes: number): string {
  return String(Math.round((bytes / 2 ** 20) * 10) / 10);
}
