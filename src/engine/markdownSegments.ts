// Splits a Markdown text into the prose the model translates and the structure that stays as it is: front matter,
// code blocks (fenced and indented), HTML blocks, display math, link definitions, table pipes and delimiter rows,
// heading marks, list markers and task boxes, blockquote marks, indentation and blank lines.
//
// A line-by-line reading of CommonMark + GFM blocks, enough to keep a post's structure; inline syntax (emphasis,
// links, code spans) is verbatim.ts's. Plain text is Markdown without structure: all of it is prose.

/** A [start, end) UTF-16 range of the text. */
export interface TextRange { start: number; end: number }

interface Line { start: number; end: number }

/** Multi-line blocks whose lines are all kept: where the block ends. */
type OpenBlock =
  | { kind: 'fence'; char: string; length: number }
  | { kind: 'html'; until: RegExp | 'blank' }
  | { kind: 'math' };

const FENCE = /^(`{3,}|~{3,})(.*)$/;
const THEMATIC_BREAK = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
const ATX_HEADING = /^#{1,6}(?:[ \t]+|$)/;
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const TASK_BOX = /^\[[ xX]\][ \t]+/;
const BLOCKQUOTE = /^>[ \t]?/;
const LINK_DEFINITION = /^\[(?!\^)(?:[^\]\\]|\\.)+\]:[ \t]*\S/;
const FOOTNOTE_DEFINITION = /^\[\^[^\]]+\]:[ \t]*/;
const TABLE_DELIMITER = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const HTML_BLOCK_TAGS = 'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul';
const HTML_STARTS: [RegExp, RegExp | 'blank'][] = [
  [/^<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^<!--/, /-->/],
  [/^<\?/, /\?>/],
  [/^<![A-Za-z]/, />/],
  [/^<!\[CDATA\[/, /\]\]>/],
  [new RegExp(`^</?(?:${HTML_BLOCK_TAGS})(?:[\\s/>]|$)`, 'i'), 'blank'],
];
/** A complete open or closing tag alone on its line (CommonMark's HTML block type 7; it cannot interrupt a paragraph). */
const HTML_LONE_TAG = /^(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$/;
/** YAML front matter lines: key: value, list items, indented continuations, comments. */
const YAML_LINE = /^(?:[ \t]*#.*|[ \t]*-(?:[ \t].*)?|[ \t]+\S.*|["']?[\p{L}\p{N}_$@. -]+["']?[ \t]*:(?:[ \t].*)?)$/u;

/** The prose of `text`, in order: each range trimmed, on one line, non-empty. Everything outside stays as it is. */
export function proseRanges(text: string): TextRange[] {
  const lines = splitLines(text);
  const out: TextRange[] = [];
  const prose = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end > start) out.push({ start, end });
  };
  const first = frontMatterEnd(text, lines);
  const base = commonIndent(text, lines.slice(first));
  let open: OpenBlock | undefined;
  let listIndents: number[] = [];
  let inParagraph = false;
  let inTable = false;
  for (let n = first; n < lines.length; n++) {
    const line = lines[n];
    // Container marks (blockquote ">", list markers) are structure; what follows them is read as a line of its own.
    let at = line.start + Math.min(base, leadingChars(text, line));
    let quoted = false;
    for (let m: RegExpExecArray | null; (m = BLOCKQUOTE.exec(text.slice(skipSpaces(text, at, line.end, 3), line.end))); ) {
      at = skipSpaces(text, at, line.end, 3) + m[0].length;
      quoted = true;
    }
    const rest = () => text.slice(at, line.end);
    if (open) {
      if (closes(open, rest())) open = undefined;
      continue;
    }
    if (!rest().trim()) {
      inParagraph = inTable = false;
      continue;
    }
    const indent = columnWidth(text, at, line.end);
    while (listIndents.length && indent < listIndents[listIndents.length - 1] && !inParagraph) listIndents.pop();
    const container = quoted ? 0 : listIndents[listIndents.length - 1] ?? 0;
    if (indent - container >= 4 && !inParagraph && !inTable) continue;       // an indented code block
    at = skipSpaces(text, at, line.end, Infinity);
    for (let m: RegExpExecArray | null; (m = LIST_MARKER.exec(rest())) && !THEMATIC_BREAK.test(rest()); ) {
      listIndents = [...listIndents.filter((x) => x <= indent), indent + m[0].length];
      at += m[0].length;
      inParagraph = false;
      const box = TASK_BOX.exec(rest());
      if (box) at += box[0].length;
    }
    const body = rest();
    const start = blockStart(body, inParagraph);
    if (start) {
      inParagraph = false;
      if (start.kind === 'heading') {
        const closing = /[ \t]+#+[ \t]*$/.exec(body.slice(start.marker));
        prose(at + start.marker, closing ? at + start.marker + closing.index : line.end);
      } else if (start.kind === 'footnote') {
        prose(at + start.marker, line.end);
        inParagraph = true;
      } else if (start.kind === 'open') {
        open = start.block;
        if (closes(open, body.slice(start.marker))) open = undefined;        // $$ … $$ or <!-- … --> on one line
      }
      continue;
    }
    if (inTable || (body.includes('|') && n + 1 < lines.length && isDelimiterRow(text, lines[n + 1], base))) {
      if (!isDelimiterRow(text, line, base)) for (const cell of tableCells(text, at, line.end)) prose(cell.start, cell.end);
      inTable = true;
      continue;
    }
    prose(at, line.end);
    inParagraph = true;
  }
  return out;
}

type BlockStart =
  | { kind: 'heading'; marker: number }
  | { kind: 'footnote'; marker: number }
  | { kind: 'open'; block: OpenBlock; marker: number }
  | { kind: 'fixed' };

/** What the line `body` (container marks and indentation removed) starts, or undefined for a paragraph line. */
function blockStart(body: string, inParagraph: boolean): BlockStart | undefined {
  const fence = FENCE.exec(body);
  if (fence && !(fence[1][0] === '`' && fence[2].includes('`'))) {
    return { kind: 'open', block: { kind: 'fence', char: fence[1][0], length: fence[1].length }, marker: body.length };
  }
  if (body.startsWith('$$')) return { kind: 'open', block: { kind: 'math' }, marker: 2 };
  for (const [re, until] of HTML_STARTS) {
    if (re.test(body)) return { kind: 'open', block: { kind: 'html', until }, marker: 0 };
  }
  if (!inParagraph && HTML_LONE_TAG.test(body)) return { kind: 'open', block: { kind: 'html', until: 'blank' }, marker: 0 };
  if (THEMATIC_BREAK.test(body) || (inParagraph && SETEXT_UNDERLINE.test(body))) return { kind: 'fixed' };
  const heading = ATX_HEADING.exec(body);
  if (heading) return { kind: 'heading', marker: heading[0].length };
  const footnote = FOOTNOTE_DEFINITION.exec(body);
  if (footnote) return { kind: 'footnote', marker: footnote[0].length };
  if (!inParagraph && LINK_DEFINITION.test(body)) return { kind: 'fixed' };
  return undefined;
}

/** True when `rest` (a line inside `block`, container marks removed) ends the block; that line is kept too. */
function closes(block: OpenBlock, rest: string): boolean {
  switch (block.kind) {
    case 'fence': {
      const m = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(rest);
      return !!m && m[1][0] === block.char && m[1].length >= block.length;
    }
    case 'math':
      return rest.includes('$$');
    case 'html':
      return block.until === 'blank' ? !rest.trim() : block.until.test(rest);
  }
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    lines.push({ start, end: stop > start && text[stop - 1] === '\r' ? stop - 1 : stop });
    if (nl < 0) return lines;
    start = nl + 1;
  }
}

/** Lines of YAML (--- … --- or ...) or TOML (+++ … +++) front matter at the very start: how many, else 0. */
function frontMatterEnd(text: string, lines: Line[]): number {
  const first = text.slice(lines[0].start, lines[0].end).trimEnd();
  if (first !== '---' && first !== '+++') return 0;
  const closing = first === '---' ? /^(?:---|\.\.\.)[ \t]*$/ : /^\+\+\+[ \t]*$/;
  for (let n = 1; n < lines.length; n++) {
    const line = text.slice(lines[n].start, lines[n].end);
    if (closing.test(line)) return n > 1 ? n + 1 : 0;
    // A line that is no YAML: the first "---" was a thematic break, not front matter.
    if (first === '---' && line.trim() && !YAML_LINE.test(line)) return 0;
  }
  return 0;
}

/** Columns of indentation shared by every non-blank line: a selection from inside a list item is not code. */
function commonIndent(text: string, lines: Line[]): number {
  let common = Infinity;
  for (const line of lines) {
    if (!text.slice(line.start, line.end).trim()) continue;
    common = Math.min(common, columnWidth(text, line.start, line.end));
  }
  return Number.isFinite(common) ? common : 0;
}

/** Columns of spaces and tabs at `at` (a tab reaches the next multiple of 4). */
function columnWidth(text: string, at: number, end: number): number {
  let col = 0;
  for (let i = at; i < end; i++) {
    if (text[i] === ' ') col++;
    else if (text[i] === '\t') col += 4 - (col % 4);
    else break;
  }
  return col;
}

/** Characters of leading spaces and tabs on `line`. */
function leadingChars(text: string, line: Line): number {
  let i = line.start;
  while (i < line.end && (text[i] === ' ' || text[i] === '\t')) i++;
  return i - line.start;
}

function skipSpaces(text: string, at: number, end: number, most: number): number {
  let i = at;
  while (i < end && i - at < most && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function isDelimiterRow(text: string, line: Line, base: number): boolean {
  let body = text.slice(line.start, line.end).slice(Math.min(base, leadingChars(text, line)));
  while (BLOCKQUOTE.test(body.trimStart())) body = body.trimStart().replace(BLOCKQUOTE, '');
  return body.includes('-') && TABLE_DELIMITER.test(body.trim());
}

/** The cells of a table row in [start, end): split at pipes that are neither escaped nor inside a code span. */
function tableCells(text: string, start: number, end: number): TextRange[] {
  const cells: TextRange[] = [];
  let cellStart = start;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '\\') { i++; continue; }
    if (c === '`') {
      let run = 0;
      while (text[i + run] === '`') run++;
      const close = text.indexOf('`'.repeat(run), i + run);
      if (close >= 0 && close < end) i = close + run - 1;
      continue;
    }
    if (c === '|') {
      cells.push({ start: cellStart, end: i });
      cellStart = i + 1;
    }
  }
  cells.push({ start: cellStart, end });
  return cells;
}
