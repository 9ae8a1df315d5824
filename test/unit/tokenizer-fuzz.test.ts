// Random texts through the tokenizer, seeded and time-bounded: offsets point back at the input, decode gives
// the input back (as spm normalises it), repeated encodes agree, and work stays linear.
// AC_FUZZ_SEED picks another seed, AC_FUZZ_MS another time budget; a failure prints both and a shrunk input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goldenTokenizer, offsetProblem, show, SP, wellFormed } from './tokenizerProperties';
import { randomText, seededRandom } from './randomText';

const SEED = Number(process.env.AC_FUZZ_SEED ?? 20250611);
const BUDGET_MS = Number(process.env.AC_FUZZ_MS ?? 1500);
const MIN_CASES = 40;        // however slow the machine
const MAX_CASES = 2000;

const tok = goldenTokenizer();
let longestPiece = 0;
for (let id = 0; id < tok.vocabSize; id++) longestPiece = Math.max(longestPiece, [...tok.idToPiece(id)].length);
const controlIds = new Set([tok.bosId, tok.eosId, tok.padId]);

/** What decode(encode(text)) must give: spm's view of the text (U+FFFD for lone surrogates, runs of spaces as one, none at the ends). */
const normalised = (text: string) => wellFormed(text).replace(/ {2,}/g, ' ').replace(/^ +| +$/g, '');

/** The first property `text` breaks, or null. `other` is encoded in between to catch state kept across calls. */
function problem(text: string, other: string): string | null {
  const offsets = offsetProblem(tok, text);
  if (offsets) return `offsets: ${offsets}`;
  const first = tok.encode(text);
  const work = tok.lastEncodeWork;
  if (work > (text.length + 2) * longestPiece) return `${work} trie lookups for ${text.length} characters`;
  const bad = first.ids.find((id) => !(Number.isInteger(id) && id >= 0 && id < tok.vocabSize) || controlIds.has(id));
  if (bad !== undefined) return `id ${bad} is out of range or a control id`;
  // The literal ▁ is spm's own space symbol: it decodes to a space, so only texts without it round-trip exactly.
  if (!text.includes(SP)) {
    const decoded = tok.decode(first.ids);
    if (decoded !== normalised(text)) return `decodes to ${show(decoded)}, expected ${show(normalised(text))}`;
  }
  tok.encode(other);
  const again = tok.encode(text);
  if (JSON.stringify(again) !== JSON.stringify(first)) return 'a second encode (after another text) differs from the first';
  return null;
}

/** Deletes ranges of code points while the problem persists, to report a short failing input. */
function shrink(text: string, other: string): string {
  let chars = [...text];
  for (let size = Math.floor(chars.length / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let at = 0; at + size <= chars.length;) {
      const candidate = [...chars.slice(0, at), ...chars.slice(at + size)];
      if (problem(candidate.join(''), other) !== null) chars = candidate;
      else at += size;
    }
  }
  return chars.join('');
}

test(`tokenizer fuzz: seed ${SEED}, ${BUDGET_MS} ms`, (t) => {
  const random = seededRandom(SEED);
  const t0 = performance.now();
  let cases = 0;
  let longest = 0;
  while (cases < MAX_CASES && (cases < MIN_CASES || performance.now() - t0 < BUDGET_MS)) {
    // Mostly short texts, sometimes long ones (the scratch buffers grow, then serve shorter texts again).
    const text = randomText(random, random() < 0.1 ? 200 + Math.floor(random() * 400) : 1 + Math.floor(random() * 30));
    const other = randomText(random, 1 + Math.floor(random() * 60));
    const p = problem(text, other);
    if (p !== null) {
      const small = shrink(text, other);
      assert.fail(`case ${cases} (AC_FUZZ_SEED=${SEED}): ${p}\n  input ${JSON.stringify(text)}\n  shrunk ${JSON.stringify(small)}: ${problem(small, other)}`);
    }
    longest = Math.max(longest, text.length);
    cases++;
  }
  t.diagnostic(`${cases} random texts (longest ${longest} characters) in ${Math.round(performance.now() - t0)} ms`);
});
