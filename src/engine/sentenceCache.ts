// Sentences translated before, kept by the Translator so that the same sentence asked again (a paragraph with one
// sentence edited, Translate after Show Attention, the hover's re-request after a reload of the view) costs no
// decoding. A result depends only on the model, the direction, the beam width and the sentence's text (the engine
// gives a sentence the tokens it gets alone, batched or not), so those are the key; what a request asks for beyond
// the text (attention, queries and keys, the step player's candidates) decides whether an entry can answer it.
import type { SentenceResult } from '../shared/results';

/** What one request wants of a sentence besides its text. */
export interface SentenceWants { attention: boolean; queriesAndKeys: boolean; steps: boolean }

/** Default bound of the cache: room for a few hundred plain sentences or a few dozen with attention. */
export const DEFAULT_SENTENCE_CACHE_BYTES = 16 * 1024 * 1024;

export class SentenceCache {
  private readonly entries = new Map<string, { result: SentenceResult; bytes: number }>();
  private bytes = 0;

  constructor(readonly limitBytes = DEFAULT_SENTENCE_CACHE_BYTES) {
    if (!(limitBytes >= 0)) throw new RangeError(`sentence cache size must be a number of bytes >= 0, not ${limitBytes}`);
  }

  static key(from: string, to: string, beam: number, source: string): string {
    return `${from}>${to}|${beam}|${source}`;
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /**
   * A copy of the sentence's result with what `wants` asks for and nothing more (the caller may change it), or
   * undefined when there is none that has all of it. A hit becomes the most recently used entry.
   */
  get(key: string, wants: SentenceWants): SentenceResult | undefined {
    const entry = this.entries.get(key);
    if (!entry || !serves(entry.result, wants)) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    const { attention, steps, ...rest } = entry.result;
    const copy: SentenceResult = structuredClone(rest);
    if (wants.attention && attention) {
      const { queries, keys, ...maps } = attention;
      copy.attention = structuredClone(wants.queriesAndKeys ? attention : maps);
    }
    if (wants.steps && steps) copy.steps = structuredClone(steps);
    return copy;
  }

  /**
   * Keeps a copy of a finished result. One whose attention was asked for and left out is kept without it (its text
   * is as good as any); one larger than the whole cache is not kept. The least recently used entries make room.
   */
  set(key: string, result: SentenceResult): void {
    const { attentionLeftOut, ...rest } = result;
    const kept: SentenceResult = structuredClone({ ...rest, sourceOffset: 0 });
    const bytes = approxBytes(kept);
    this.delete(key);
    if (bytes > this.limitBytes) return;
    this.entries.set(key, { result: kept, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.limitBytes) break;
      this.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

function serves(r: SentenceResult, wants: SentenceWants): boolean {
  if (r.pivot) return true;                  // through English: never has attention or steps, whatever was asked
  if (wants.steps && !r.steps) return false;
  if (!wants.attention) return true;
  return !!r.attention && (!wants.queriesAndKeys || !!r.attention.queries);
}

/**
 * About how much memory a result holds: typed arrays by their bytes, strings at 2 bytes a character, 8 per number,
 * 16 per object or array slot. It only has to rank and bound entries, not match the heap to the byte.
 */
export function approxBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  if (ArrayBuffer.isView(value)) return 64 + value.byteLength;
  let sum = 16;
  for (const v of Array.isArray(value) ? value : Object.values(value)) sum += 8 + approxBytes(v);
  return sum;
}
