// Finds the spans of a line of prose that the model must not touch (emoji, URLs, e-mail addresses, inline code,
// numbers, math, Markdown link and emphasis syntax): the translator copies them and translates the words between.
//
// Why the translator cuts a sentence around a span instead of sending a placeholder: the shipped model copies neither
// reliably. Measured with scripts/measure-verbatim.ts (ac-small-cpu-v2, the default then, en→ko, beam 4, 12 sentences): spans left in
// place came back intact in 0 of 12, placeholders (X1, #1, [1]) exactly once in at most 8 of 12, often with the words
// around them dropped. Translating the words on each side of a span on their own gives a rougher sentence but can
// never garble the span (ARCHITECTURE.md, "Engine: text the model does not touch").

export type VerbatimKind = 'emoji' | 'symbol' | 'url' | 'email' | 'code' | 'math' | 'number' | 'acronym' | 'markup';

/** A [start, end) UTF-16 range of the text that stays as it is. */
export interface VerbatimSpan { start: number; end: number; kind: VerbatimKind }

export interface VerbatimOptions {
  /** Read Markdown inline syntax too: emphasis markers, link brackets and destinations, inline HTML, escapes. */
  markdown?: boolean;
  /**
   * True for a character the model can only spell as UTF-8 bytes. Symbols and format characters that are (a rare
   * arrow, a bidi mark) stay as they are: the model turns such byte runs into other characters or drops them.
   */
  spelledInBytes?: (ch: string) => boolean;
}

/** One emoji as it reads: a flag (two regional indicators), a keycap, or a pictograph with modifiers and joins. */
const EMOJI = /\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3|(?:\p{Extended_Pictographic}|\p{Emoji_Modifier})[\uFE0E\uFE0F\p{Emoji_Modifier}\u{E0020}-\u{E007F}]*(?:\u200D(?:\p{Extended_Pictographic}|\p{Emoji_Modifier})[\uFE0E\uFE0F\p{Emoji_Modifier}\u{E0020}-\u{E007F}]*)*|\p{Regional_Indicator}/uy;
const URL = /(?:https?:\/\/|ftp:\/\/|mailto:|www\.)[^\s<>]+/iy;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/y;
/**
 * Acronyms (BLEU, GPUs, NLP): the model spells them anew ("BLEU" came back as "BUUCT" and "BUND"), and Korean and
 * German text keeps them in Latin letters anyway.
 */
const ACRONYM = /[A-Z]{2,}s?/y;
/** snake_case identifiers (d_k, max_len): words the model cannot know. */
const IDENTIFIER = /[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+/y;
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>|<!--[\s\S]*?-->/y;
const AUTOLINK = /<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>/y;
const ENTITY = /&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/y;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
/** Format and control characters (bidi marks, zero-width spaces) and private-use ones: never the model's to write.
 * Those that join or break inside a word (soft hyphen, ZWNJ, ZWJ, word joiner) stay with their word. */
const FORMAT_OR_PRIVATE = /^(?![\t\n\r\f\v\u00AD\u200C\u200D\u2060])[\p{Cf}\p{Co}\p{Cc}]$/u;
const SYMBOL = /^\p{S}$/u;

function sticky(re: RegExp, text: string, at: number, end: number): number {
  re.lastIndex = at;
  const m = re.exec(text);
  return m && m[0].length > 0 && at + m[0].length <= end ? at + m[0].length : at;
}

const isWordChar = (ch: string | undefined) => ch !== undefined && WORD_CHAR.test(ch);

/**
 * The verbatim spans of text[start, end), in order and not overlapping. Text outside them is prose the model may
 * translate (it may still hold punctuation and spaces). With `markdown`, `[text](url)` gives the brackets and
 * the destination as spans and leaves the link text as prose, so link text is translated and the URL kept.
 */
export function verbatimSpans(text: string, start = 0, end = text.length, opts: VerbatimOptions = {}): VerbatimSpan[] {
  const spans: VerbatimSpan[] = [];
  const push = (s: number, e: number, kind: VerbatimKind) => {
    const last = spans[spans.length - 1];
    if (last && last.end === s && last.kind === kind) last.end = e;
    else spans.push({ start: s, end: e, kind });
  };
  scan(text, start, end, opts, push);
  return spans;
}

type Push = (start: number, end: number, kind: VerbatimKind) => void;

function scan(text: string, start: number, end: number, opts: VerbatimOptions, push: Push): void {
  const md = opts.markdown !== false;
  let i = start;
  while (i < end) {
    const next = md ? markdownAt(text, i, end, opts, push) : i;
    if (next > i) { i = next; continue; }
    const plain = plainAt(text, i, end, opts);
    if (plain) { push(i, plain.end, plain.kind); i = plain.end; continue; }
    i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  }
}

/** A span that is not Markdown syntax starting at `i`, or undefined. */
function plainAt(text: string, i: number, end: number, opts: VerbatimOptions): { end: number; kind: VerbatimKind } | undefined {
  const ch = text[i];
  const prev = text[i - 1];
  const atWordStart = !isWordChar(prev) && prev !== '.' && prev !== '@';
  if (atWordStart && /[hfmwHFMW]/.test(ch)) {
    const e = trimUrl(text, i, sticky(URL, text, i, end));
    if (e > i) return { end: e, kind: 'url' };
  }
  // An address is read from the start of its local part only (from anywhere inside it, "a-a-a-…" is read n times).
  if (!/[A-Za-z0-9._%+-]/.test(prev ?? '') && /[A-Za-z0-9._%+-]/.test(ch)) {
    let e = sticky(EMAIL, text, i, end);
    while (e > i && /[.-]/.test(text[e - 1])) e--;
    if (e > i && text.slice(i, e).includes('@')) return { end: e, kind: 'email' };
  }
  const emoji = sticky(EMOJI, text, i, end);
  if (emoji > i) return { end: emoji, kind: 'emoji' };
  // Numbers start where no ASCII word they would join starts earlier (that word was read from its start).
  if (!/[A-Za-z0-9_\-]/.test(prev ?? '')) {
    const n = numberEnd(text, i, end);
    if (n > i) return { end: n, kind: 'number' };
  }
  if (atWordStart && /[A-Za-z]/.test(ch)) {
    let e = sticky(IDENTIFIER, text, i, end);
    if (e > i && !isWordChar(text[e])) return { end: e, kind: 'code' };
    e = sticky(ACRONYM, text, i, end);
    if (e > i && !isWordChar(text[e]) && !shouting(text, i, e)) return { end: e, kind: 'acronym' };
  }
  const cp = String.fromCodePoint(text.codePointAt(i)!);
  if (FORMAT_OR_PRIVATE.test(cp) || (SYMBOL.test(cp) && opts.spelledInBytes?.(cp))) return { end: i + cp.length, kind: 'symbol' };
  return undefined;
}

/**
 * End of a number at `i` with its separators (65,000,000 · 3.5 · 2017-06-12 · 10:30), sign, currency and percent
 * sign, or of a word of ASCII letters and digits that holds a digit (P100, GPT-4, x86_64, 3D); else `i`. The model
 * garbles digits in both. Digits glued to letters of another script ("2017년") end there: those letters are prose.
 */
function numberEnd(text: string, i: number, end: number): number {
  let j = i;
  if (/\p{Sc}/u.test(text[j] ?? '')) j++;
  if (/[+\-−]/.test(text[j] ?? '') && /\d/.test(text[j + 1] ?? '')) j++;
  const alnum = (k: number) => k < end && /[A-Za-z0-9]/.test(text[k]);
  const digit = (k: number) => k < end && /\d/.test(text[k]);
  if (!alnum(j)) return i;
  const bodyStart = j;
  for (;;) {
    while (alnum(j)) j++;
    // Thousands and decimal separators, dates and times: a digit on both sides.
    if (/[.,:/'’\u202F]/.test(text[j] ?? '') && digit(j - 1) && digit(j + 1)) { j++; continue; }
    // Joined parts: GPT-4, x86_64, 8-GPU.
    if (/[-_]/.test(text[j] ?? '') && alnum(j + 1)) { j++; continue; }
    break;
  }
  if (!/\d/.test(text.slice(bodyStart, j))) return i;
  if (j < end && /[%‰]/.test(text[j])) j++;
  else if (text[j] === '°') j += /[CF]/.test(text[j + 1] ?? '') ? 2 : 1;
  return j;
}

/** True when the capitals at [start, end) stand beside another word in capitals: a heading or a shout, not an acronym. */
function shouting(text: string, start: number, end: number): boolean {
  return /\b[A-Z]{2,}s?[ \t]+$/.test(text.slice(Math.max(0, start - 32), start)) || /^[ \t]+[A-Z]{2,}\b/.test(text.slice(end, end + 32));
}

/** URLs end before trailing punctuation and before a closing parenthesis they did not open (GFM's rule). */
function trimUrl(text: string, start: number, end: number): number {
  let e = end;
  for (;;) {
    const last = text[e - 1];
    if (e > start && /[?!.,:;*_~'"]/.test(last)) { e--; continue; }
    if (e > start && last === ')') {
      const body = text.slice(start, e);
      if ((body.match(/\)/g)?.length ?? 0) > (body.match(/\(/g)?.length ?? 0)) { e--; continue; }
    }
    break;
  }
  // "www." or "https://" alone is no address.
  return /^(?:https?:\/\/|ftp:\/\/|mailto:|www\.)$/i.test(text.slice(start, e)) ? start : e;
}

/** Markdown inline syntax at `i`: pushes its spans and returns where scanning goes on (`i` when none). */
function markdownAt(text: string, i: number, end: number, opts: VerbatimOptions, push: Push): number {
  const ch = text[i];
  switch (ch) {
    case '\\': {
      const math = latexMath(text, i, end);
      if (math > i) { push(i, math, 'math'); return math; }
      if (i + 1 < end && ASCII_PUNCTUATION.test(text[i + 1])) { push(i, i + 2, 'markup'); return i + 2; }
      if (i + 1 === end) { push(i, i + 1, 'markup'); return i + 1; }       // a hard line break
      return i;
    }
    case '`': {
      const run = runLength(text, i, end, '`');
      const close = findBacktickRun(text, i + run, end, run);
      const e = close >= 0 ? close + run : i + run;
      push(i, e, 'code');
      return e;
    }
    case '$': {
      const e = dollarMath(text, i, end);
      if (e > i) push(i, e, 'math');
      return e;
    }
    case '<': {
      let e = sticky(AUTOLINK, text, i, end);
      if (e > i) { push(i, e, text.slice(i, e).includes('@') && !text.slice(i, e).includes(':') ? 'email' : 'url'); return e; }
      e = sticky(HTML_TAG, text, i, end);
      if (e > i) push(i, e, 'markup');
      return e;
    }
    case '&': {
      const e = sticky(ENTITY, text, i, end);
      if (e > i) push(i, e, 'markup');
      return e;
    }
    case '!':
    case '[':
      return link(text, i, end, opts, push);
    case '*':
    case '~': {
      const run = runLength(text, i, end, ch);
      if (ch === '~' && run < 2) return i;
      push(i, i + run, 'markup');
      return i + run;
    }
    case '_': {
      // Underscores inside a word (snake_case) are no emphasis (CommonMark's rule for "_").
      const run = runLength(text, i, end, '_');
      if (isWordChar(text[i - 1]) && isWordChar(text[i + run])) return i;
      push(i, i + run, 'markup');
      return i + run;
    }
    default:
      return i;
  }
}

function runLength(text: string, i: number, end: number, ch: string): number {
  let n = 0;
  while (i + n < end && text[i + n] === ch) n++;
  return n;
}

/** Start of the next run of exactly `run` backticks in [from, end), or -1. */
function findBacktickRun(text: string, from: number, end: number, run: number): number {
  for (let j = from; j < end; j++) {
    if (text[j] !== '`') continue;
    const n = runLength(text, j, end, '`');
    if (n === run) return j;
    j += n - 1;
  }
  return -1;
}

/** \( … \) or \[ … \] on one line: end of the math, else `i`. */
function latexMath(text: string, i: number, end: number): number {
  const open = text[i + 1];
  if (open !== '(' && open !== '[') return i;
  const close = text.slice(i + 2, Math.min(end, i + INLINE_MATH_MAX)).indexOf(open === '(' ? '\\)' : '\\]');
  return close >= 0 ? i + 2 + close + 2 : i;
}

/**
 * $$ … $$, or $ … $ by Pandoc's rule (no space after the opening $, none before the closing one, and no digit
 * right after it), so that "$5 and $10" stays prose: end of the math, else `i`.
 */
function dollarMath(text: string, i: number, end: number): number {
  const stop = Math.min(end, i + INLINE_MATH_MAX);
  if (text[i + 1] === '$') {
    const close = text.slice(i + 2, stop).indexOf('$$');
    return close >= 0 ? i + 2 + close + 2 : i;
  }
  if (i + 1 >= end || /\s/.test(text[i + 1])) return i;
  for (let j = i + 1; j < stop; j++) {
    if (text[j] === '\\') { j++; continue; }
    if (text[j] !== '$') continue;
    if (/\s/.test(text[j - 1]) || /\d/.test(text[j + 1] ?? '')) return i;
    return j + 1;
  }
  return i;
}

/**
 * A link or image at `i` ("[text](dest)", "![alt](dest "title")", "[text][ref]", "[^note]"): the brackets and the
 * destination become spans, the text inside is scanned again (it may hold code or emoji) and stays prose.
 */
function link(text: string, i: number, end: number, opts: VerbatimOptions, push: Push): number {
  const open = text[i] === '!' ? i + 1 : i;
  if (text[open] !== '[') return i;
  const close = closingBracket(text, open, end);
  if (close < 0) return i;
  if (text[open + 1] === '^' && open === i) { push(i, close + 1, 'markup'); return close + 1; }   // footnote reference
  let destEnd = -1;
  if (text[close + 1] === '(') destEnd = closingParen(text, close + 1, end);
  else if (text[close + 1] === '[') destEnd = text.indexOf(']', close + 2);
  if (destEnd < 0 || destEnd >= end) return i;
  push(i, open + 1, 'markup');
  scan(text, open + 1, close, opts, push);
  push(close, destEnd + 1, text[close + 1] === '(' ? 'url' : 'markup');
  return destEnd + 1;
}

/**
 * How far a closing bracket, parenthesis or math delimiter is looked for, in characters: without a bound, a line of
 * 20,000 unclosed "[" or "\\(" would be read 20,000 times over. Longer links and math are read as prose and URLs.
 */
const LINK_TEXT_MAX = 500;
const DESTINATION_MAX = 2000;
const INLINE_MATH_MAX = 1000;

/** The `]` closing the `[` at `open` (brackets nest; code spans and escapes are skipped), or -1. */
function closingBracket(text: string, open: number, end: number): number {
  let depth = 0;
  for (let j = open; j < Math.min(end, open + LINK_TEXT_MAX); j++) {
    const c = text[j];
    if (c === '\\') { j++; continue; }
    if (c === '`') {
      const run = runLength(text, j, end, '`');
      const e = findBacktickRun(text, j + run, end, run);
      j = e >= 0 ? e + run - 1 : j + run - 1;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j;
  }
  return -1;
}

/** The `)` closing the `(` at `open` (parentheses nest; a title in quotes may hold any), or -1. */
function closingParen(text: string, open: number, end: number): number {
  let depth = 0;
  let quote = '';
  for (let j = open; j < Math.min(end, open + DESTINATION_MAX); j++) {
    const c = text[j];
    if (c === '\\') { j++; continue; }
    if (quote) { if (c === quote) quote = ''; continue; }
    if ((c === '"' || c === "'") && /\s/.test(text[j - 1])) { quote = c; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}
