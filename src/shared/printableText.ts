// Text from the model or the user made safe to draw in SVG and Markdown: an XML document cannot hold C0 controls or
// U+FFFE/U+FFFF at all (even as &#1;), and a label with a line break or an invisible control misleads. No vscode, no DOM.

/** C0 controls (tab and line breaks included), U+FFFE, U+FFFF, and lone surrogates (they have no UTF-8 form). */
const UNPRINTABLE = /[\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Control Pictures: U+2400 + code shows U+0000..U+001F (␀ ␉ ␊ ␛ …) as visible symbols. */
const CONTROL_PICTURES = 0x2400;

/**
 * `text` with every C0 control shown as its Control Picture (so a label never breaks a line or vanishes) and
 * U+FFFE, U+FFFF and lone surrogates dropped (they are not characters anyone wrote). Everything else is kept.
 */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(CONTROL_PICTURES + code) : '';
  });
}

/** The first `max` code points of `text` (never half of a surrogate pair), with … when some were cut. */
export function truncateCodePoints(text: string, max: number): string {
  const points = [...text];
  return points.length > max ? points.slice(0, max - 1).join('') + '…' : text;
}
