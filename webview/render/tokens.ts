// How tokens are labelled in strips, on heatmap axes and in tooltips. No DOM.

/** What a label shows: the surface text, whether the piece starts a word (SentencePiece ▁), whether it is special. */
export interface TokenLabel { text: string; wordStart: boolean; special: boolean }

export const WORD_START = '\u2581'; // ▁

const SPECIAL_PIECE = /^<(?:\/?s|unk|pad|2[a-z]{2,3}|0x[0-9A-Fa-f]{2})>$/;

/** Makes control characters visible so a label never breaks a line or vanishes. */
function visible(s: string): string {
  return s.replace(/\r\n|\n|\r/g, '⏎').replace(/\t/g, '⇥').replace(/[\u0000-\u001f\u007f]/g, '�');
}

/**
 * Label of one token: special tokens (<2ko>, </s>, <s>, <unk>, byte pieces like <0xEC>) and tokens without
 * surface text show their piece; others show their text (leading/trailing spaces trimmed), marked as
 * word starts when the piece begins with ▁.
 */
export function tokenLabel(t: { piece: string; text?: string }): TokenLabel {
  const piece = t.piece ?? '';
  const text = (t.text ?? '').trim();
  if (SPECIAL_PIECE.test(piece) || (text === '' && /^<.+>$/.test(piece))) return { text: visible(piece), wordStart: false, special: true };
  const wordStart = piece.startsWith(WORD_START);
  if (text === '') {
    const bare = piece.startsWith(WORD_START) ? piece.slice(1) : piece;
    return bare === '' ? { text: WORD_START, wordStart: false, special: true } : { text: visible(bare), wordStart, special: false };
  }
  return { text: visible(text), wordStart, special: false };
}

/** Label of a candidate piece (step player): the piece without its ▁, marked as a word start. */
export function pieceLabel(piece: string): TokenLabel {
  return tokenLabel({ piece, text: piece.startsWith(WORD_START) ? piece.slice(WORD_START.length) : piece });
}

/** The label's text for tooltips and aria labels (no ▁ marker). */
export function labelText(l: TokenLabel): string {
  return l.text;
}

/** Shortens a label to at most `max` characters (code points), ending in "…". */
export function truncateLabel(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max || max < 2) return chars.length <= max ? text : chars.slice(0, Math.max(1, max)).join('');
  return chars.slice(0, max - 1).join('') + '…';
}

/** A text on one line, shortened to at most `max` characters for captions and pickers. */
export function quote(text: string, max = 48): string {
  return truncateLabel(text.replace(/\s+/g, ' ').trim(), max);
}

/** The label as drawn on a canvas: the ▁ marker (drawn faintly) and the text, each possibly empty. */
export function labelParts(l: TokenLabel, maxChars = 16): { marker: string; text: string } {
  return { marker: l.wordStart ? WORD_START : '', text: truncateLabel(l.text, maxChars) };
}
