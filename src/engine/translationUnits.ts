// What of a text the model translates: the prose of its Markdown (markdownSegments.ts) less the spans it must not
// touch (verbatim.ts), cut into sentences. Everything else is copied into the translation as it is. Numbers and
// acronyms may stay inside their sentence (`inPlace`): the translator keeps such a sentence's translation only when
// each of them came back (keptInPlace), and cuts the sentence around them otherwise.
import type { SentenceResult } from '../shared/results';
import { proseRanges } from './markdownSegments';
import { splitSentences, type SentenceSpan } from './sentences';
import { verbatimSpans, type VerbatimKind, type VerbatimOptions, type VerbatimSpan } from './verbatim';
import { pieceByte } from './tokenLabels';

/**
 * Spans a sentence may keep inside it. Cut out, they leave the words around them to be translated on their own, and
 * Korean, which puts the verb last, comes back out of order ("We used eight GPUs for training." gave "우리는 88개를
 * 사용했다 GPUs 훈련에는."); left in, ac-cpu-v25 brought every number and acronym back in 23 of 30 sentences
 * (scripts/measure-verbatim.ts --in-place). The other kinds (URLs, code, emoji, math, markup) are always cut.
 */
const IN_PLACE: ReadonlySet<VerbatimKind> = new Set<VerbatimKind>(['number', 'acronym']);

export interface UnitOptions extends VerbatimOptions {
  /** Numbers and acronyms stay inside their sentence instead of cutting it (IN_PLACE). */
  inPlace?: boolean;
}

const LETTER = /\p{L}/u;
const OPENERS = '([{«“‘';
const CLOSERS = ')]}»”’';
/** Punctuation that belongs to the text around a unit, not to the unit: a clause goes on after the span. */
const LEADING_PUNCTUATION = /[,;:.!?…)\]}»”’—–]/;
const TRAILING_PUNCTUATION = /[,;:([{«“‘—–]/;

/**
 * The ranges of `text` the model translates, in order, each trimmed and holding a letter of prose: sentences, cut
 * where a verbatim span (emoji, URL, code, number, math, link syntax) sits; with `inPlace`, not at numbers and
 * acronyms. The text between them is kept as it is.
 */
export function translationUnits(text: string, opts: UnitOptions = {}): SentenceSpan[] {
  const units: SentenceSpan[] = [];
  const { inPlace, ...verbatim } = opts;
  let kept: VerbatimSpan[] = [];
  const addPiece = (start: number, end: number) => {
    for (const s of splitSentences(text.slice(start, end), Infinity)) {
      const [a, b] = trimEdges(text, start + s.start, start + s.end);
      if (b > a && LETTER.test(outside(text, a, b, kept))) units.push({ text: text.slice(a, b), start: a, end: b });
    }
  };
  for (const range of proseRanges(text)) {
    let pos = range.start;
    kept = [];
    for (const span of verbatimSpans(text, range.start, range.end, { markdown: true, ...verbatim })) {
      if (inPlace && IN_PLACE.has(span.kind)) {
        kept.push(span);
        continue;
      }
      addPiece(pos, span.start);
      pos = span.end;
      kept = [];
    }
    addPiece(pos, range.end);
  }
  return units;
}

/** text[a, b) with the spans of `kept` in it blanked: a sentence of numbers and acronyms alone is not prose. */
function outside(text: string, a: number, b: number, kept: readonly VerbatimSpan[]): string {
  let out = '';
  let pos = a;
  for (const k of kept) {
    if (k.end <= pos || k.start >= b) continue;
    out += text.slice(pos, Math.max(pos, k.start));
    pos = Math.min(b, k.end);
  }
  return out + text.slice(pos, b);
}

/**
 * The numbers and acronyms of a unit translated with them in place (`source`; how symbols are spelled does not
 * change where they are), grouped by how they are found in a text: an acronym by its stem, so that "GPUs" may come back as "GPU" (Korean has no plural: "GPU 8개") and
 * "GPU" as "GPUs".
 */
function inPlaceMarks(source: string): Map<string, RegExp> {
  const marks = new Map<string, RegExp>();
  for (const span of verbatimSpans(source, 0, source.length, { markdown: true })) {
    if (!IN_PLACE.has(span.kind)) continue;
    const body = source.slice(span.start, span.end);
    const stem = span.kind === 'acronym' ? body.replace(/s$/, '') : body;
    const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Not part of a longer word or number: "2" is not found in "2014", nor "3.5" in "13.5" or "3.55".
    const tail = span.kind === 'acronym' ? 's?' : '';
    marks.set(`${span.kind}:${stem}`, new RegExp(`(?<![A-Za-z0-9]|[0-9][.,])${escaped}${tail}(?![A-Za-z0-9]|[.,][0-9])`, 'g'));
  }
  return marks;
}

/**
 * Whether `output`, the translation of `source` with its numbers and acronyms left in it, has each of them as often
 * as the source (digits as they are: "3.5" back as "3,5" does not count). When not, the translator cuts `source`
 * around them, which can never garble them.
 */
export function keptInPlace(source: string, output: string): boolean {
  for (const re of inPlaceMarks(source).values()) {
    if ((source.match(re)?.length ?? 0) !== (output.match(re)?.length ?? 0)) return false;
  }
  return true;
}

/**
 * [start, end) less the punctuation at its edges that belongs to what is around it: a comma or colon before a span,
 * a bracket or quote the piece does not close (the "(" of "(see [the paper](…))"), and the spaces they leave.
 */
function trimEdges(text: string, start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  for (let moved = true; moved && b > a;) {
    moved = false;
    const first = text[a];
    const last = text[b - 1];
    if (LEADING_PUNCTUATION.test(first) || (isOpener(first) && !balanced(text.slice(a, b), first))) { a++; moved = true; }
    else if (TRAILING_PUNCTUATION.test(last) || (isCloser(last) && !balanced(text.slice(a, b), last))) { b--; moved = true; }
    while (a < b && /\s/.test(text[a])) a++;
    while (b > a && /\s/.test(text[b - 1])) b--;
  }
  return [a, b];
}

const isOpener = (ch: string) => OPENERS.includes(ch) || ch === '"' || ch === "'";
const isCloser = (ch: string) => CLOSERS.includes(ch) || ch === '"' || ch === "'";

/** True when `piece` closes every `ch` it opens (straight quotes: an even number of them). */
function balanced(piece: string, ch: string): boolean {
  if (ch === '"' || ch === "'") return (piece.split(ch).length - 1) % 2 === 0;
  const k = OPENERS.includes(ch) ? OPENERS.indexOf(ch) : CLOSERS.indexOf(ch);
  let depth = 0;
  for (const c of piece) {
    if (c === OPENERS[k]) depth++;
    else if (c === CLOSERS[k] && --depth < 0) return false;
  }
  return depth === 0;
}

/** Whether the tokenizer can spell a character only as UTF-8 byte pieces; remembered per character. */
export function spelledInBytes(tokenizer: { encode(text: string): { pieces: readonly string[] } }): (ch: string) => boolean {
  const known = new Map<string, boolean>();
  return (ch) => {
    let bytes = known.get(ch);
    if (bytes === undefined) {
      bytes = tokenizer.encode(ch).pieces.some((p) => pieceByte(p) !== undefined);
      known.set(ch, bytes);
    }
    return bytes;
  };
}

const WORD_EDGE = /[\p{L}\p{N}]/u;

/**
 * The translation of `text`: each unit's output in its place, and everything between the units as it is. A unit
 * the model gave nothing for leaves no doubled space, and no space at the start or end of a line.
 * `spaced`: the target language puts spaces between words (English, German). Korean attaches particles to numbers
 * and names ("2017년 말", "ADT사와"), so the source has no space where the English output needs one: without it,
 * "2017" + "In late" read "2017In late". A Korean target keeps the source's spacing.
 */
export function assembleTranslation(text: string, units: readonly { start: number; end: number }[], outputs: readonly string[],
  spaced = false): string {
  let out = '';
  let pos = 0;
  units.forEach((unit, k) => {
    const before = text.slice(pos, unit.start);
    const joins = (a: string | undefined, b: string | undefined) => spaced && !!a && !!b && WORD_EDGE.test(a) && WORD_EDGE.test(b);
    out += before + (joins((out + before).slice(-1), outputs[k][0]) ? ' ' : '') + outputs[k];
    if (joins(outputs[k].slice(-1), text[unit.end])) out += ' ';
    pos = unit.end;
    if (outputs[k]) return;
    const spaces = /^[ \t]*/.exec(text.slice(pos))![0].length;
    if (out === '' || /\s$/.test(out)) pos += spaces;                                  // "A  B" → "A B", " B" → "B"
    if (pos + spaces >= text.length || /[\r\n]/.test(text[pos + spaces])) out = out.replace(/[ \t]+$/, '');   // "A \n" → "A\n"
  });
  return out + text.slice(pos);
}

const SENTENCE_END = /[.!?。！？…]$/;

/**
 * Drops a sentence mark the model added to a piece whose source ends without one ("… on eight" of "… on eight P100
 * GPUs." came back as "… 많습니다.", which then read "많습니다. P100 GPUs."): the translation ends as its source does.
 * Target tokens past the new end keep their piece with an empty range at the end, like byte pieces before their
 * character is complete.
 */
export function matchSourceEnding(s: SentenceResult): void {
  const body = s.text.trimEnd();
  if (SENTENCE_END.test(s.source) || !SENTENCE_END.test(body) || body.length < 2) return;
  s.text = body.slice(0, -1).trimEnd();
  const n = s.text.length;
  s.tgtTokens = s.tgtTokens.map((t) => {
    if (t.end <= n) return t;
    const start = Math.min(t.start, n);
    return { ...t, start, end: n, text: t.start === t.end ? t.text : s.text.slice(start, n) };      // </s> keeps its text
  });
}
