// "Translate the first N characters" of a selection over the length limit: where to end that part. No vscode.
import { chooseCut } from '../engine/cutPoints';
import { splitSentences } from '../engine/sentences';

/**
 * The length of the part of `text` to translate when only `limit` characters (UTF-16) may go: the end of the last
 * whole sentence that fits when that keeps at least half the limit, else a cut at a space or punctuation (never inside
 * a character or a cluster that reads as one), with trailing whitespace left out. All of `text` when it fits.
 */
export function leadingPartLength(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  if (limit <= 0) return 0;
  // Every sentence of the first limit + 1 characters but the last one ends where a sentence really ends.
  const spans = splitSentences(text.slice(0, limit + 1), Number.POSITIVE_INFINITY);
  const lastSentenceEnd = spans.length > 1 ? spans[spans.length - 2].end : 0;
  let end = lastSentenceEnd >= limit / 2 ? lastSentenceEnd : chooseCut(text, 0, limit);
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  return end;
}
