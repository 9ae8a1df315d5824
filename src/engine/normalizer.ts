// SentencePiece's Normalizer::Normalize for our configuration (identity rule, remove_extra_whitespaces,
// add_dummy_prefix, escape_whitespaces): the code points the lattice is built over, each with its UTF-16 offset in
// the input. No Node or DOM imports.
import type { TokenizerJSON } from './tokenizerFormat';

/** U+2581, the escaped whitespace. */
export const SPACE_SYMBOL = 0x2581;
export const SPACE_SYMBOL_STR = '\u2581';

/**
 * Normalizes `text` into `norm` (code points) and `orig` (UTF-16 offset in `text` of each, spm's norm_to_orig),
 * both at least text.length + 2 long. Returns the number of code points `n`; orig[n] is the offset where the
 * normalized text ends (trailing spaces that spm strips are outside every piece). n = 0: nothing but spaces.
 */
export function normalize(text: string, cfg: Pick<TokenizerJSON, 'removeExtraWhitespaces' | 'addDummyPrefix' | 'escapeWhitespaces'>,
  norm: Int32Array, orig: Int32Array): number {
  const len = text.length;
  let n = 0;
  let i = 0;
  // Only U+0020 counts as whitespace here: the identity rule does not map tabs, NBSP, U+3000...
  // to ' ', and spm's whitespace handling looks for ' ' alone.
  if (cfg.removeExtraWhitespaces) while (i < len && text.charCodeAt(i) === 0x20) i++;
  if (i === len) return 0;
  const spaceCp = cfg.escapeWhitespaces ? SPACE_SYMBOL : 0x20;
  if (cfg.addDummyPrefix) {
    norm[n] = spaceCp;
    orig[n++] = i;
  }
  let prevSpace = cfg.removeExtraWhitespaces;
  while (i < len) {
    let cp = text.charCodeAt(i);
    let w = 1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const lo = i + 1 < len ? text.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        w = 2;
      } else {
        cp = 0xfffd; // a lone surrogate has no UTF-8 form; TextEncoder (and spm on bad bytes) use U+FFFD
      }
    }
    if (cp === 0x20) {
      if (!prevSpace) {
        norm[n] = spaceCp;
        orig[n++] = i;
      }
      prevSpace = cfg.removeExtraWhitespaces;
    } else {
      norm[n] = cp;
      orig[n++] = i;
      prevSpace = false;
    }
    i += w;
  }
  let consumed = len;
  if (cfg.removeExtraWhitespaces) {
    // spm strips trailing U+2581 from the normalized string, including ones typed literally.
    while (n > 0 && norm[n - 1] === spaceCp) consumed = orig[--n];
  }
  orig[n] = consumed;
  return n;
}
