// Where text may be cut when a sentence is too long for the model: never inside a character (a surrogate pair)
// or a cluster that reads as one (a base and its combining marks, an emoji sequence), preferably at a space.

const ZWJ = 0x200d;

/**
 * Code points that continue the cluster before them (an approximation of Unicode's extended grapheme
 * clusters that needs no Intl.Segmenter): combining marks (including variation selectors), the zero-width
 * joiner, emoji skin-tone modifiers, emoji tag characters, and Hangul medial/final jamo.
 */
const CONTINUES_CLUSTER = /^[\p{M}\u200d\p{Emoji_Modifier}\u{E0020}-\u{E007F}\u1160-\u11ff\ud7b0-\ud7ff]$/u;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const isRegionalIndicator = (cp: number) => cp >= 0x1f1e6 && cp <= 0x1f1ff;

/** True unless `i` falls between the two halves of a surrogate pair. */
export function isCodePointBoundary(text: string, i: number): boolean {
  return i <= 0 || i >= text.length || !(isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i)));
}

function codePointBefore(text: string, i: number): number {
  const low = text.charCodeAt(i - 1);
  if (i >= 2 && isLow(low) && isHigh(text.charCodeAt(i - 2))) return text.codePointAt(i - 2)!;
  return low;
}

/** True when cutting `text` at `i` splits neither a character nor a cluster that reads as one. */
export function isClusterBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return true;
  if (!isCodePointBoundary(text, i)) return false;
  const next = text.codePointAt(i)!;
  const prev = codePointBefore(text, i);
  if (prev === ZWJ || CONTINUES_CLUSTER.test(String.fromCodePoint(next))) return false;
  if (isRegionalIndicator(prev) && isRegionalIndicator(next)) {
    // Flags are pairs of regional indicators: cut only after an even number of them.
    let run = 0;
    for (let k = i; k >= 2 && isRegionalIndicator(codePointBefore(text, k)); k -= 2) run++;
    return run % 2 === 0;
  }
  return true;
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
const isPunctuation = (ch: string | undefined) => ch !== undefined && /\p{P}/u.test(ch);

/**
 * Where to end a piece of text that starts at `start` and must end at or before `limit`: a position in
 * (start, limit]. In order of preference: before a space or after punctuation in the second half (so pieces
 * stay long), the same anywhere, any cluster boundary, any code point boundary (one cluster longer than the
 * limit). When not even one code point fits, the end of the first one: the caller must accept that piece.
 */
export function chooseCut(text: string, start: number, limit: number): number {
  const half = start + Math.ceil((limit - start) / 2);
  const atSpace = (i: number) => isSpace(text[i]) && !isSpace(text[i - 1]);
  const afterPunctuation = (i: number) => isPunctuation(text[i - 1]) && isClusterBoundary(text, i);
  const preferences: [number, (i: number) => boolean][] = [
    [half, atSpace], [half, afterPunctuation], [start + 1, atSpace], [start + 1, afterPunctuation],
    [start + 1, (i) => isClusterBoundary(text, i)], [start + 1, (i) => isCodePointBoundary(text, i)],
  ];
  for (const [lowest, ok] of preferences) {
    for (let i = limit; i >= lowest && i > start; i--) if (ok(i)) return i;
  }
  return start + (isCodePointBoundary(text, start + 1) ? 1 : 2);
}
