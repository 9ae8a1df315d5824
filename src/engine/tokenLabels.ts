// How a token is labelled, one rule for every view: the Attention panel (strips, heatmap axes, tooltips), the
// hover, the Paper Companion, exported figures and the CLI's attention file. Pure: no DOM, no vscode.
//
// - Special tokens (the target tag <2ko>, <s>, </s>, <pad>, <unk>) show their piece. Byte pieces (<0xEC>) are not
//   special: they are bytes of a character the vocabulary lacks, so each shows that character with its byte number
//   (😀₁ 😀₂ 😀₃ 😀₄); bytes that form no character show their piece.
// - Other tokens show their text. A word start (SentencePiece ▁) is a flag for the views to show as space, never a
//   glyph; a piece that is nothing but ▁ shows ␣.
// - Controls never reach the screen raw: line breaks show as ⏎, tabs as ⇥, and every other control, bidi control
//   or invisible character as ⟨U+XXXX⟩, so a label can neither break a line, vanish, nor reorder the text around it.
import type { TokenInfo } from '../shared/results';
import { utf8Sequences } from './utf8';

/** SentencePiece's escaped space: a piece starting with it starts a word. */
export const WORD_START = '\u2581';
/** What a piece that is only a space shows. */
export const SPACE_MARK = '\u2423';

export interface TokenLabel {
  /** What is shown: never empty, never a raw control. */
  text: string;
  /** The token starts a word: views show a space before it, not a glyph. */
  wordStart: boolean;
  /** Drawn as a marker rather than as text (muted): special tokens, a bare ▁, bytes that form no character. */
  special: boolean;
}

const SPECIAL_PIECE = /^<(?:\/?s|pad|unk|2[a-z]{2,3})>$/;
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** Tokens that are not text: the target tag, <s>, </s>, <pad>, <unk>. Byte pieces are text (part of a character). */
export function isSpecialPiece(piece: string): boolean {
  return SPECIAL_PIECE.test(piece);
}

export function isSpecialToken(t: Pick<TokenInfo, 'piece'>): boolean {
  return isSpecialPiece(t.piece);
}

/** The byte of a byte piece (<0xEC> → 0xEC), else undefined. */
export function pieceByte(piece: string): number | undefined {
  const m = BYTE_PIECE.exec(piece);
  return m ? parseInt(m[1], 16) : undefined;
}

/**
 * Characters that would break or reorder a label: C0 and C1 controls, DEL, bidi marks, embeddings, overrides and
 * isolates (U+061C, U+200E/F, U+202A-202E, U+2066-2069), line and paragraph separators, U+FFFE/U+FFFF, lone surrogates.
 */
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** A label made only of these shows nothing: format characters (ZWSP, ZWJ, BOM…), variation selectors, spaces. */
const INVISIBLE_ONLY = /^[\p{Cf}\p{Zs}\ufe00-\ufe0f\u180b-\u180f]+$/u;

const escape = (c: string) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;

/** `text` with nothing that breaks a line, vanishes or reorders what follows (see the rules at the top). */
export function visibleText(text: string): string {
  const s = text.replace(/\r\n|\n|\r/g, '⏎').replace(/\t/g, '⇥').replace(BREAKING, escape);
  return INVISIBLE_ONLY.test(s) ? [...s].map(escape).join('') : s;
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';
const subscript = (n: number) => [...String(n)].map((d) => SUBSCRIPT[Number(d)]).join('');

/** Label of a token that is not a byte piece. */
function plainLabel(piece: string, text: string): TokenLabel {
  if (isSpecialPiece(piece)) return { text: visibleText(piece), wordStart: false, special: true };
  const wordStart = piece.startsWith(WORD_START);
  const shown = text.trim() || (wordStart ? piece.slice(WORD_START.length) : piece);
  if (shown === '') return { text: SPACE_MARK, wordStart: false, special: true };
  return { text: visibleText(shown), wordStart, special: false };
}

/**
 * Labels of a sentence's tokens (source or target), in order. Byte pieces need their neighbours: a run of them is
 * read as UTF-8, and each byte of a character is labelled with the character and its byte number.
 */
export function tokenLabels(tokens: readonly Pick<TokenInfo, 'piece' | 'text'>[]): TokenLabel[] {
  const out: TokenLabel[] = [];
  for (let i = 0; i < tokens.length;) {
    if (pieceByte(tokens[i].piece) === undefined) {
      out.push(plainLabel(tokens[i].piece, tokens[i].text ?? ''));
      i++;
      continue;
    }
    let j = i;
    const bytes: number[] = [];
    for (let b = pieceByte(tokens[j].piece); b !== undefined; b = j < tokens.length ? pieceByte(tokens[j].piece) : undefined) { bytes.push(b); j++; }
    for (const seq of utf8Sequences(bytes)) {
      if (seq.codePoint < 0) {
        out.push({ text: tokens[i + seq.start].piece, wordStart: false, special: true });
        continue;
      }
      const ch = visibleText(String.fromCodePoint(seq.codePoint));
      for (let k = 0; k < seq.length; k++) out.push({ text: seq.length > 1 ? ch + subscript(k + 1) : ch, wordStart: false, special: false });
    }
    i = j;
  }
  return out;
}

/** Label of a piece out of context (a decoding candidate): its text without ▁; a lone byte piece shows itself. */
export function pieceLabel(piece: string): TokenLabel {
  if (pieceByte(piece) !== undefined) return { text: piece, wordStart: false, special: true };
  return plainLabel(piece, piece.startsWith(WORD_START) ? piece.slice(WORD_START.length) : piece);
}
