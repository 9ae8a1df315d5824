// Text as literal Markdown for the hover: a piece of the user's text (or of the model's output) must never be read as
// emphasis, a link or a command, nor break the hover with a control character. Token labels themselves follow the
// one rule of every view (src/engine/tokenLabels.ts). No vscode import.
import { printableText } from '../shared/printableText';

/** Every ASCII punctuation character: CommonMark lets a backslash make any of them literal. */
const MARKDOWN_PUNCTUATION = /[!-\/:-@[-`{-~]/g;

/** `text` as Markdown that renders as exactly this text: punctuation backslash-escaped, controls made visible. */
export function markdownLiteral(text: string): string {
  return printableText(text).replace(MARKDOWN_PUNCTUATION, '\\$&');
}

/**
 * Text for an image's alternative text in the hover's Markdown. VS Code's renderer takes it as written (backslash
 * escapes would be read out), so what could end it or start an escape is replaced by a look-alike, controls made
 * visible and line breaks made spaces.
 */
export function altText(text: string): string {
  return printableText(text.replace(/\s+/g, ' ')).replace(/\[/g, '［').replace(/\]/g, '］').replace(/\\/g, '＼');
}
