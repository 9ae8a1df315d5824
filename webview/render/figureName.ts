// The file name of an exported figure: the sentence it shows and the view, so that figures of different sentences
// (or views) never share a name. No DOM.

/** At most this many characters of the sentence go into a name (whole words when they fit). */
const SLUG_CHARS = 40;

/**
 * The first words of `text` as a file-name part: lower case, letters and digits of any script kept (Hangul too),
 * everything else a single '-', cut at a word boundary within SLUG_CHARS code points. '' when nothing is left.
 */
export function sentenceSlug(text: string): string {
  const words = text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if ([...next].length > SLUG_CHARS) {
      if (!slug) slug = [...w].slice(0, SLUG_CHARS).join('');
      break;
    }
    slug = next;
  }
  return slug;
}

/** "attention-<sentence slug>-<view>", e.g. "attention-은행에-가서-돈을-찾았다-cross-L2-mean"; `view` without its "attention-". */
export function figureName(sentence: string, view: string): string {
  const slug = sentenceSlug(sentence);
  const v = view.replace(/^attention-/, '');
  return ['attention', slug, v].filter(Boolean).join('-');
}
