// Text from the model or the user in SVG and Markdown: C0 controls, U+FFFE/U+FFFF and lone surrogates never reach
// an SVG (one voids the whole image), Markdown specials in a hover label stay literal (no emphasis, link or command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printableText, truncateCodePoints } from '../../src/shared/printableText';
import { barsSvg, svgDataUri } from '../../src/hover/barsSvg';
import { altText, markdownLiteral } from '../../src/hover/hoverText';
import { tokenLabels } from '../../src/engine/tokenLabels';
import { parseColor } from '../../webview/render/colorScale';
import type { HeatmapTheme } from '../../webview/render/heatmap';
import { heatmapLayout } from '../../webview/render/layout';
import { heatmapSvg } from '../../webview/render/figure';

/** Every character XML 1.0 forbids, even as a character reference. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A hostile label: NUL, ESC, a line break, U+FFFE, U+FFFF, a lone surrogate, markup and Markdown. */
const HOSTILE = 'a\u0000b\u001b[31m\nc\ufffe\uffff\ud800<x>&*_[l](command:x)`';

function assertXmlText(svg: string): void {
  const bad = NOT_XML.exec(svg);
  assert.equal(bad, null, `U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in the SVG`);
  // Every & starts an entity: nothing unescaped slipped through.
  assert.equal(/&(?!(?:lt|gt|amp|quot|apos|#\d+);)/.test(svg), false, 'bare & in the SVG');
}

test('printableText shows C0 controls as Control Pictures and drops U+FFFE, U+FFFF and lone surrogates', () => {
  assert.equal(printableText('a\u0000b\tc\nd\u001f'), 'a\u2400b\u2409c\u240ad\u241f');
  assert.equal(printableText('x\ufffe\uffffy\ud800z\udc00'), 'xyz');
  // Everything else stays: pairs, U+FFFD a user wrote, Hangul, bidi text.
  assert.equal(printableText('😀\ufffd은행 שלום'), '😀\ufffd은행 שלום');
  assert.equal(truncateCodePoints('😀😀😀', 2), '😀…');
  assert.equal(truncateCodePoints('ab', 2), 'ab');
});

test('barsSvg: labels and title with controls, U+FFFE and markup give a valid SVG', () => {
  const svg = barsSvg(`Attends to ${HOSTILE}`, [{ label: HOSTILE, value: 0.5 }, { label: '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀', value: 0.25 }]);
  assertXmlText(svg);
  assert.ok(svg.includes('a\u2400b\u241b'), 'controls are visible, not dropped');
  assert.ok(svg.includes('&#60;x&#62;&#38;'), 'markup escaped');
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(svg), 'truncation never splits an emoji');
  // The data URI carries exactly these characters (a lone surrogate would have become U+FFFD there).
  assert.equal(Buffer.from(svgDataUri(svg).split(',')[1], 'base64').toString('utf8'), svg);
});

test('heatmapSvg: labels, title and subtitle with controls and U+FFFE give a valid SVG', () => {
  const theme: HeatmapTheme = {
    background: parseColor('#ffffff')!, foreground: parseColor('#1f1f1f')!, accent: parseColor('#005ab4')!,
    muted: parseColor('#616161')!, highlight: parseColor('#005fb8')!, fontFamily: 'sans-serif', fontSize: 12,
  };
  const label = (text: string) => ({ text, wordStart: false, special: false });
  const rowLabels = [label(HOSTILE), label('ok')];
  const colLabels = [label('\ufffe'), label('x\u0007y')];
  const layout = heatmapLayout({ rows: 2, cols: 2, rowLabelWidths: [80, 20], colLabelWidths: [10, 20], fontSize: 12, maxWidth: 400, maxCell: 30 });
  const m = { rows: 2, cols: 2, data: Float32Array.from([0.1, 0.9, 0.5, 0.5]) };
  const svg = heatmapSvg(m, { layout, rowLabels, colLabels, theme, max: 0.9, title: `Cross\u0000 ${HOSTILE}`, subtitle: 'rows\ufffe' });
  assertXmlText(svg);
  assert.ok(svg.includes('x\u2407y'));
});

test('hover labels are literal Markdown: specials escaped, controls visible, never empty', () => {
  assert.equal(markdownLiteral('*bold* _x_ [l](command:a) `c` <b> # 1. !'), '\\*bold\\* \\_x\\_ \\[l\\]\\(command\\:a\\) \\`c\\` \\<b\\> \\# 1\\. \\!');
  assert.equal(markdownLiteral('a\\b'), 'a\\\\b');
  assert.equal(markdownLiteral('은행\nx\ufffe'), '은행\u240ax');
  // No unescaped special is left: each one is preceded by a backslash.
  const escaped = markdownLiteral(HOSTILE);
  assert.equal(/(?<!\\)[*_[\]()`<>&]/.test(escaped.replace(/\\\\/g, '')), false, escaped);
  // The hover labels tokens by the rule of every view (engine/tokenLabels.ts), then makes the label literal.
  const label = (piece: string, text: string) => markdownLiteral(tokenLabels([{ piece, text }])[0].text);
  assert.equal(label('▁', ''), '␣');
  assert.equal(label('▁bank', ' bank '), 'bank');
  assert.equal(label('<0x00>', '\u0000'), '⟨U\\+0000⟩');
  assert.equal(label('▁a', 'a\u202eb'), 'a⟨U\\+202E⟩b', 'a bidi override cannot reorder the hover');
});

test('altText: a chart\'s text alternative cannot end the image, start an escape or break a line', () => {
  const alt = altText(`Attends to (encoder): ${HOSTILE} 0.42`);
  assert.ok(!/[[\]\\\n\u0000\u001b]/.test(alt), JSON.stringify(alt));
  assert.ok(alt.includes('<x>&*_') && alt.includes('［l］(command:x)') && alt.endsWith(' 0.42'), 'the rest is kept as written: ' + alt);
  assert.equal(altText('은행 0.42, <2en> 0.11'), '은행 0.42, <2en> 0.11');
});
