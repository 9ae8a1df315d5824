// Splits input text into sentences (with their offsets) so long selections translate piece by piece, in order.
import { chooseCut } from './cutPoints';

export interface SentenceSpan { text: string; start: number; end: number }

// A sentence ends at . ! ? 。 ！ ？ (or …) followed by whitespace, or at a line break. Korean often ends with
// "다." or "요." — the same rule applies. Abbreviations that must not end a sentence: a short list, kept small.
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'Fig', 'fig', 'Eq', 'eq', 'Dr', 'Mr', 'Mrs', 'Ms', 'No', 'z.B', 'd.h', 'u.a', 'bzw', 'ca', 'al']);

export function splitSentences(text: string, maxChars = 400): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const push = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end <= start) return;
    // Over-long sentences are cut, preferably at a space, never inside a character or a cluster. This is a cap
    // in characters (callers that only count pieces); the translator cuts by the model's limit in tokens.
    while (end - start > maxChars) {
      const cut = chooseCut(text, start, start + maxChars);
      let pieceEnd = cut;
      while (pieceEnd > start && /\s/.test(text[pieceEnd - 1])) pieceEnd--;
      spans.push({ text: text.slice(start, pieceEnd), start, end: pieceEnd });
      start = cut;
      while (start < end && /\s/.test(text[start])) start++;
    }
    if (end > start) spans.push({ text: text.slice(start, end), start, end });
  };
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      push(start, i);
      start = i + 1;
      continue;
    }
    if (!/[.!?。！？…]/.test(ch)) continue;
    let j = i + 1;
    while (j < text.length && /[.!?。！？…"'”’)\]]/.test(text[j])) j++;
    const atEnd = j >= text.length || /\s/.test(text[j]) || /[。！？]/.test(ch);
    if (!atEnd) continue;
    if (ch === '.' && isAbbreviation(text, i)) continue;
    push(start, j);
    start = j;
    i = j - 1;
  }
  push(start, text.length);
  return spans;
}

function isAbbreviation(text: string, dot: number): boolean {
  const m = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, dot - 8), dot));
  if (!m) return false;
  const word = m[1].replace(/^\.+/, '');
  return ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word) || /^\d+$/.test(text.slice(Math.max(0, dot - 3), dot).trim());
}
