// Seeded random text for property tests: the scripts and the awkward characters a selection can hold.

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const between = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const cp = (r: Random, lo: number, hi: number) => String.fromCodePoint(between(r, lo, hi));

const WORDS = ['attention', 'the', 'Transformer', 'is', 'all', 'you', 'need', 'e.g.', 'Fig.', '28.4', 'Schnee', 'Hunde', 'über', 'straße', '은행에', '가서', '돈을', '찾았다', 'API', 'x86_64', 'https://example.org/a?b=c'];
const SPACES = [' ', ' ', ' ', '  ', '     ', '\t', '\n', '\r\n', '\u00a0', '\u3000'];
const PUNCTUATION = ['.', ',', '!', '?', ';', ':', '…', '。', '、', '，', '！', '？', '"', '(', ')', '-', '—', '’'];
const EMOJI_SEQUENCES = ['👨\u200d👩\u200d👧', '👍🏽', '🇰🇷', '🇩🇪🇰🇷', '❤\ufe0f', '🏳\ufe0f\u200d🌈', '1\ufe0f\u20e3'];

/** One piece of text: a word, a run of some script, spaces, punctuation, an emoji sequence, marks... */
export function randomAtom(r: Random): string {
  switch (Math.floor(r() * 14)) {
    case 0: case 1: return pick(r, WORDS);
    case 2: return Array.from({ length: between(r, 1, 12) }, () => cp(r, 0x61, 0x7a)).join('');
    case 3: case 4: return pick(r, SPACES);
    case 5: return pick(r, PUNCTUATION);
    case 6: return Array.from({ length: between(r, 1, 6) }, () => cp(r, 0xac00, 0xd7a3)).join('');    // Hangul syllables
    case 7: return Array.from({ length: between(r, 1, 8) }, () => cp(r, 0x4e00, 0x9fff)).join('');    // Han
    case 8: return Array.from({ length: between(r, 1, 4) }, () => cp(r, 0x1f600, 0x1f64f)).join('');  // emoji (surrogate pairs)
    case 9: return pick(r, EMOJI_SEQUENCES);
    case 10: return cp(r, 0x61, 0x7a) + Array.from({ length: between(r, 1, 3) }, () => cp(r, 0x300, 0x36f)).join(''); // combining marks
    case 11: return pick(r, ['<2ko>', '<2en>', '<2de>', '<s>', '</s>', '<unk>', '\u2581', '\u1100\u1161\u11a8', 'ä', 'ß', 'Ö']);
    case 12: return pick(r, ['\ud800', '\udc00', '\ufffd', '\u200b', '\u0000', '\u{20000}', '\u{10ffff}']);         // lone surrogates, oddities
    default: return String(between(r, 0, 100000));
  }
}

/** A text of about `atoms` atoms. */
export function randomText(r: Random, atoms: number): string {
  let s = '';
  for (let i = 0; i < atoms; i++) s += randomAtom(r);
  return s;
}
