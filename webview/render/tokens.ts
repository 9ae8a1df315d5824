// Token labels as the webviews draw them: the one labelling rule is src/engine/tokenLabels.ts; here only shortening
// for axes, captions and pickers. No DOM.
export type { TokenLabel } from '../../src/engine/tokenLabels';

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
