// The Markdown link to an exported figure, and where it goes: on its own line after the paragraph that holds the
// sentence (or the cursor), never inside a line. No vscode import: unit-tested.

/** `to` relative to the folder `fromDir` (both '/'-separated paths). */
export function relativePath(fromDir: string, to: string): string {
  const a = fromDir.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/') || '.';
}

/** `![alt](path)` with the alternative text on one line, its brackets and backslashes escaped, and the path made safe. */
export function markdownImage(alt: string, path: string): string {
  const text = alt.replace(/\s+/g, ' ').trim().replace(/[\\[\]]/g, '\\$&');
  // Spaces and parentheses would end the destination: percent-encode them (and nothing else, so Hangul stays readable).
  const dest = path.replace(/[ ()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `![${text}](${dest})`;
}

const isBlank = (line: string) => line.trim() === '';
const isHeading = (line: string) => /^ {0,3}#{1,6}(\s|$)/.test(line);
const isFence = (line: string) => /^ {0,3}(```|~~~)/.test(line);

/**
 * Where to insert `link` in `text` so that it stands on its own line right after the block holding `anchor` (an
 * offset): the end of that block's last line, with a blank line before the link. A block is a run of non-blank lines;
 * a heading is a block of its own, and a fenced code block is one block whatever its blank lines. On a blank line the
 * link goes there, between blank lines. Returns the offset and the text to insert (line ends as `eol`).
 */
export function linkInsertion(text: string, anchor: number, link: string, eol = '\n'): { offset: number; insert: string } {
  const lines = text.split(/\r?\n/);
  const starts: number[] = [];
  for (let i = 0, pos = 0; i < lines.length; i++) {
    starts.push(pos);
    pos += lines[i].length + (text.startsWith('\r\n', pos + lines[i].length) ? 2 : 1);
  }
  let at = 0;
  while (at + 1 < lines.length && starts[at + 1] <= Math.max(0, anchor)) at++;
  const lineEnd = (i: number) => starts[i] + lines[i].length;
  if (isBlank(lines[at])) {
    const before = at > 0 && !isBlank(lines[at - 1]) ? eol : '';
    const after = at + 1 < lines.length && !isBlank(lines[at + 1]) ? eol : '';
    return { offset: lineEnd(at), insert: `${before}${link}${after}` };
  }
  let last = at;
  const fence = fenceAround(lines, at);
  if (fence) last = fence.end;
  else if (!isHeading(lines[at])) {
    while (last + 1 < lines.length && !isBlank(lines[last + 1]) && !isHeading(lines[last + 1]) && !isFence(lines[last + 1])) last++;
  }
  return { offset: lineEnd(last), insert: `${eol}${eol}${link}` };
}

/** The fenced code block (first and last line) that line `at` is part of, if any. */
function fenceAround(lines: string[], at: number): { start: number; end: number } | undefined {
  let open = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!isFence(lines[i])) continue;
    if (open < 0) open = i;
    else {
      if (at >= open && at <= i) return { start: open, end: i };
      open = -1;
    }
  }
  return open >= 0 && at >= open ? { start: open, end: lines.length - 1 } : undefined;
}
