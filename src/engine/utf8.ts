// UTF-8 as SentencePiece's byte pieces (<0xNN>) need it: the bytes of a code point, and byte runs read back into
// characters. Shared by the tokenizer (byte fallback, decode) and the token labels (a byte piece shows its character).

/** UTF-8 bytes of one code point, appended to `out`. */
export function utf8Bytes(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** Length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** A stretch of a byte run: `length` bytes from `start` that form `codePoint`, or one byte that forms none (-1). */
export interface Utf8Sequence { start: number; length: number; codePoint: number }

/**
 * Splits a byte run into characters the way spm's decoder reads them (util.cc DecodeUTF8: well-formed,
 * shortest-form, non-surrogate). A byte that starts no such sequence is a sequence of its own with codePoint -1.
 */
export function utf8Sequences(b: ArrayLike<number>): Utf8Sequence[] {
  const out: Utf8Sequence[] = [];
  const n = b.length;
  const trail = (k: number) => k < n && (b[k] & 0xc0) === 0x80;
  let i = 0;
  while (i < n) {
    const c = b[i];
    let cp = -1;
    let len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) === 0xc0 && trail(i + 1)) {
      const v = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      if (v >= 0x80) { cp = v; len = 2; }
    } else if ((c & 0xf0) === 0xe0 && trail(i + 1) && trail(i + 2)) {
      const v = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) { cp = v; len = 3; }
    } else if ((c & 0xf8) === 0xf0 && trail(i + 1) && trail(i + 2) && trail(i + 3)) {
      const v = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      if (v >= 0x10000 && v <= 0x10ffff) { cp = v; len = 4; }
    }
    out.push({ start: i, length: len, codePoint: cp });
    i += len;
  }
  return out;
}

/**
 * Decodes a run of byte pieces as UTF-8 (see utf8Sequences), except that a byte that starts no character is
 * dropped where spm writes U+FFFD. The model does emit byte runs that form no character (for emoji and bidi
 * controls it has rarely seen); shown as U+FFFD they made most of such a translation unreadable, and they carry no text.
 */
export function decodeBytes(b: ArrayLike<number>): string {
  let s = '';
  for (const seq of utf8Sequences(b)) if (seq.codePoint >= 0) s += String.fromCodePoint(seq.codePoint);
  return s;
}
