// Checks shared by the tokenizer tests (golden lines and the fuzz): fixture lookup and well-formed offsets.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SentencePieceTokenizer, type TokenizerJSON } from '../../src/engine/tokenizer';

/** The bundle runs from out/test/unit, the sources from test/unit: look upwards for the fixtures. */
export function fixture(name: string): string {
  const starts = [typeof __dirname === 'string' ? __dirname : process.cwd(), process.cwd()];
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'test', 'fixtures', name);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`fixture ${name} not found`);
}

/** The tokenizer the golden lines were written with (test/fixtures/tokenizer-golden.model.json). */
export function goldenTokenizer(): SentencePieceTokenizer {
  return SentencePieceTokenizer.fromJSON(JSON.parse(readFileSync(fixture('tokenizer-golden.model.json'), 'utf8')) as TokenizerJSON);
}

export const SP = '\u2581';
/** What the tokenizer sees: a lone surrogate has no UTF-8 form and is read as U+FFFD. */
export const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
export const show = (s: string) => JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s);

/** Checks one encoding's offsets; returns a description of the first problem, or null. */
export function offsetProblem(tok: SentencePieceTokenizer, text: string): string | null {
  const { ids, pieces, offsets } = tok.encode(text);
  if (offsets.length !== ids.length || pieces.length !== ids.length) return 'lengths differ';
  const covered = new Uint8Array(text.length);
  let prevStart = 0;
  let prevEnd = 0;
  for (let i = 0; i < offsets.length; i++) {
    const [s, e] = offsets[i];
    if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e <= text.length)) return `piece ${i} range [${s}, ${e})`;
    if (s < prevStart || e < prevEnd) return `piece ${i} range [${s}, ${e}) goes backwards`;
    prevStart = s;
    prevEnd = e;
    covered.fill(1, s, e);
    const slice = wellFormed(text.slice(s, e));
    if (/^<0x[0-9A-F]{2}>$/.test(pieces[i])) {
      // A byte piece: all the byte pieces of one character share its range, and their bytes spell it.
      let j = i;
      while (j + 1 < offsets.length && offsets[j + 1][0] === s && offsets[j + 1][1] === e && /^<0x/.test(pieces[j + 1])) j++;
      const run = tok.decode(ids.slice(i, j + 1));
      if (run !== slice) return `byte pieces ${i}..${j} spell ${show(run)}, slice is ${show(slice)}`;
      i = j;
      prevStart = offsets[j][0];
      prevEnd = offsets[j][1];
      continue;
    }
    // Other pieces: the slice is the piece, modulo ▁ (a dummy prefix or a collapsed run of spaces).
    if (pieces[i].split(SP).join('') !== slice.replace(/[ \u2581]/g, '')) return `piece ${i} ${show(pieces[i])} vs slice ${show(slice)}`;
  }
  // Nothing but spaces (and spm's stripping of trailing ▁) may fall outside every piece.
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (!covered[k] && c !== ' ' && c !== SP) return `character ${k} ${show(c)} is not in any piece`;
  }
  return null;
}
