// The pieces of a text the model translates one at a time: its sentences, and any sentence with more tokens
// than the model reads cut again into chunks that fit, so no character is dropped. Offsets are UTF-16.
import { chooseCut, isCodePointBoundary } from './cutPoints';
import { splitSentences, type SentenceSpan } from './sentences';

/** What the cutter needs from the tokenizer: each token's [start, end) range in the string it encoded. */
export interface TokenRanges {
  encode(text: string): { offsets: readonly (readonly [number, number])[] };
}

/** Sentences of `text`, each cut where needed into chunks of at most `maxTokens` tokens. */
export function sourceChunks(text: string, tokenizer: TokenRanges, maxTokens: number): SentenceSpan[] {
  return splitSentences(text, Infinity).flatMap((span) => fitTokenLimit(text, span, tokenizer, maxTokens));
}

/**
 * Cuts `span` (a trimmed span of `text`) into chunks of at most `maxTokens` tokens each, as the tokenizer
 * counts the chunk on its own (which is how the translator encodes it). Whitespace between chunks is left
 * out, as between sentences. Only a single code point with more tokens than the limit (its bytes and the
 * dummy prefix: at most 5) can give a longer chunk.
 */
export function fitTokenLimit(text: string, span: SentenceSpan, tokenizer: TokenRanges, maxTokens: number): SentenceSpan[] {
  const chunks: SentenceSpan[] = [];
  // Characters tokenized at once: a 10,000-character sentence is not re-read whole for each of its chunks.
  let window = 4 * maxTokens;
  let start = span.start;
  while (start < span.end) {
    let end = span.end;
    let overflow = firstOverflow(text, start, end, tokenizer, maxTokens, window);
    while (overflow !== undefined) {
      let cut = chooseCut(text, start, overflow);
      while (cut > start + 1 && /\s/.test(text[cut - 1])) cut--;
      if (cut >= end) break;                                  // cannot get shorter: one oversized code point
      end = cut;
      // A chunk tokenizes on its own a little differently from inside the longer text: count it again.
      overflow = firstOverflow(text, start, end, tokenizer, maxTokens, Infinity);
    }
    chunks.push({ text: text.slice(start, end), start, end });
    window = Math.max(window, 2 * (end - start));
    start = end;
    while (start < span.end && /\s/.test(text[start])) start++;
  }
  return chunks;
}

/**
 * Where the first token past `maxTokens` starts when text[start, end) is tokenized, or undefined when it
 * all fits. Tokenizes growing prefixes of `window` characters (doubling) until one overflows or all is read.
 */
function firstOverflow(text: string, start: number, end: number, tokenizer: TokenRanges, maxTokens: number, window: number): number | undefined {
  for (let size = window; ; size *= 2) {
    let stop = Math.min(end, start + size);
    if (!isCodePointBoundary(text, stop)) stop++;
    const offsets = tokenizer.encode(text.slice(start, stop)).offsets;
    if (offsets.length > maxTokens) return start + offsets[maxTokens][0];
    if (stop >= end) return undefined;
  }
}
