// Drawing the Attention panel's heatmaps on a recording context, and the exported figure as SVG and as PNG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../src/shared/results';
import { makeScale, parseColor } from '../../webview/render/colorScale';
import {
  type Ctx, type HeatmapTheme, drawHeatmap, drawOverlay, drawThumbnail, isUprightLabel, measureLabel, uprightHeight,
} from '../../webview/render/heatmap';
import { matrixMax } from '../../src/engine/attention';
import { heatmapLayout } from '../../webview/render/layout';
import { AXIS_BAND, FIGURE_MARGIN, escapeXml, figureOrigin, figureSize, heatmapSvg, textWidthEstimate } from '../../webview/render/figure';
import { type FigureCanvas, fitSubtitle, heatmapPng } from '../../webview/render/png';
import { WORD_START, tokenLabels, type TokenLabel } from '../../src/engine/tokenLabels';

const tokenLabel = (t: { piece: string; text: string }): TokenLabel => tokenLabels([t])[0];

const BLACK = { r: 0, g: 0, b: 0, a: 1 };

interface Call { op: string; args: unknown[]; fillStyle?: unknown; font?: string }

function recordingCtx(charWidth = 7): Ctx & { calls: Call[] } {
  const calls: Call[] = [];
  const ctx = {
    calls, fillStyle: '#000' as unknown, strokeStyle: '#000' as unknown, font: '10px sans-serif', lineWidth: 1, globalAlpha: 1,
    textAlign: 'start', textBaseline: 'alphabetic',
    save() { calls.push({ op: 'save', args: [] }); }, restore() { calls.push({ op: 'restore', args: [] }); },
    fillRect(...args: unknown[]) { calls.push({ op: 'fillRect', args, fillStyle: ctx.fillStyle }); },
    strokeRect(...args: unknown[]) { calls.push({ op: 'strokeRect', args }); },
    clearRect(...args: unknown[]) { calls.push({ op: 'clearRect', args }); },
    fillText(...args: unknown[]) { calls.push({ op: 'fillText', args, fillStyle: ctx.fillStyle, font: ctx.font }); },
    measureText(s: string) { return { width: [...s].length * charWidth } as TextMetrics; },
    translate(...args: unknown[]) { calls.push({ op: 'translate', args }); },
    rotate(...args: unknown[]) { calls.push({ op: 'rotate', args }); },
    setLineDash(...args: unknown[]) { calls.push({ op: 'setLineDash', args }); },
  };
  return ctx as unknown as Ctx & { calls: Call[] };
}

const theme: HeatmapTheme = {
  background: parseColor('#1e1e1e')!, foreground: parseColor('#cccccc')!, accent: parseColor('#3794ff')!,
  muted: parseColor('#9d9d9d')!, highlight: parseColor('#0078d4')!, fontFamily: 'sans-serif', fontSize: 12,
};

function drawSetup(cellMax = 40) {
  const m: Matrix = { rows: 2, cols: 3, data: Float32Array.from([0, 0.5, 0.25, 0.1, 0.2, 0.7]) };
  const rowLabels = [tokenLabel({ piece: '▁the', text: 'the' }), tokenLabel({ piece: '</s>', text: '</s>' })];
  const colLabels = [tokenLabel({ piece: '<2en>', text: '<2en>' }), tokenLabel({ piece: '▁은행', text: '은행' }), tokenLabel({ piece: '에', text: '에' })];
  const ctx = recordingCtx();
  const layout = heatmapLayout({
    rows: 2, cols: 3, rowLabelWidths: rowLabels.map((l) => measureLabel(ctx, l, theme)), colLabelWidths: colLabels.map((l) => measureLabel(ctx, l, theme)),
    fontSize: 12, maxWidth: 500, maxCell: cellMax,
  });
  ctx.calls.length = 0;
  const scale = makeScale(theme.background, theme.accent);
  return { m, rowLabels, colLabels, ctx, layout, scale, max: matrixMax(m) };
}

test('drawHeatmap fills one rect per cell with the scale colour (max at the accent) and draws every label', () => {
  const { m, rowLabels, colLabels, ctx, layout, scale, max } = drawSetup();
  drawHeatmap(ctx, m, { layout, rowLabels, colLabels, theme, scale, max });
  const fills = ctx.calls.filter((c) => c.op === 'fillRect');
  assert.equal(fills.length, 1 + 6, 'background + cells');
  assert.deepEqual(fills[0].args, [0, 0, layout.width, layout.height]);
  assert.equal(fills[0].fillStyle, 'rgb(30, 30, 30)');
  assert.equal(fills[1].fillStyle, scale(0));
  assert.equal(fills[6].fillStyle, 'rgb(55, 148, 255)', 'the max cell is the accent');
  assert.equal(fills[2].fillStyle, scale(0.5 / 0.7));
  const [x, y] = fills[5].args as number[];
  assert.deepEqual([x, y], [layout.left + 1 * layout.cell, layout.top + 1 * layout.cell]);
  const texts = ctx.calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
  for (const t of ['the', '</s>', '<2en>', '은행', '에']) assert.ok(texts.includes(t), t);
  assert.equal(texts.filter((t) => String(t).includes(WORD_START)).length, 0, 'a word start is never drawn as ▁');
});

test('drawHeatmap outlines every cell in high contrast', () => {
  const { m, rowLabels, colLabels, ctx, layout, scale, max } = drawSetup();
  drawHeatmap(ctx, m, { layout, rowLabels, colLabels, theme: { ...theme, cellBorder: parseColor('#6fc3df') }, scale, max });
  assert.equal(ctx.calls.filter((c) => c.op === 'strokeRect').length, 6);
});

test('drawOverlay: highlight row and column, values in the row when cells are large, step row dashed', () => {
  const { m, rowLabels, colLabels, ctx, layout, scale, max } = drawSetup(40);
  drawOverlay(ctx, m, { layout, rowLabels, colLabels, theme, scale, max, highlight: { row: 1, col: 2 }, stepRow: 0, valueMinCell: 30 });
  assert.equal(ctx.calls[0].op, 'clearRect');
  assert.equal(ctx.calls.filter((c) => c.op === 'strokeRect').length, 4, 'step row, row, column, cell');
  assert.ok(ctx.calls.some((c) => c.op === 'setLineDash' && (c.args[0] as number[]).length > 0));
  const texts = ctx.calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
  for (const v of ['.10', '.20', '.70']) assert.ok(texts.includes(v), v);
  const bold = ctx.calls.filter((c) => c.op === 'fillText' && /600/.test(c.font ?? '')).map((c) => c.args[0]);
  assert.ok(bold.includes('</s>') && bold.includes('에') && bold.includes('the'), `bold labels ${bold}`);
});

test('drawOverlay ignores out-of-range highlights', () => {
  const { m, rowLabels, colLabels, ctx, layout, scale, max } = drawSetup();
  drawOverlay(ctx, m, { layout, rowLabels, colLabels, theme, scale, max, highlight: { row: 9, col: -1 }, stepRow: 7 });
  assert.deepEqual(ctx.calls.map((c) => c.op), ['clearRect']);
});

test('drawThumbnail fits the longer side', () => {
  const ctx = recordingCtx();
  const m: Matrix = { rows: 2, cols: 4, data: Float32Array.from([0, 1, 0, 0, 0, 0, 1, 0]) };
  const size = drawThumbnail(ctx, m, 60, makeScale('#000', '#fff'), 1, BLACK);
  assert.deepEqual(size, { width: 60, height: 30 });
  assert.equal(ctx.calls.filter((c) => c.op === 'fillRect').length, 1 + 8);
});

// ---------------------------------------------------------------- SVG figure

test('heatmapSvg: one rect per cell, escaped labels, legend', () => {
  const { m, colLabels, layout, max } = drawSetup();
  const rowLabels = [{ text: '<a&b>', wordStart: false, special: false }, tokenLabel({ piece: '</s>', text: '</s>' })];
  const svg = heatmapSvg(m, { layout, rowLabels, colLabels, theme, max, title: 'Cross-attention · Layer 2', subtitle: '은행 → bank' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal((svg.match(/<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?" width=/g) ?? []).length, 6 + 1, 'cells + legend');
  assert.ok(svg.includes('&lt;a&amp;b&gt;'));
  assert.ok(!svg.includes('<a&b>'));
  assert.ok(svg.includes('은행'));
  assert.ok(svg.includes('#3794ff'), 'max cell in accent');
  assert.equal(escapeXml(`"'<>&`), '&quot;&apos;&lt;&gt;&amp;');
});

// ---------------------------------------------------------------- PNG figure

/** A canvas whose context records, with `scale` (the PNG's pixel ratio) as one more recorded call. */
function recordingCanvas(): FigureCanvas & { ctx: Ctx & { calls: Call[] } } {
  const ctx = recordingCtx();
  Object.assign(ctx, { scale(...args: unknown[]) { ctx.calls.push({ op: 'scale', args }); } });
  return { width: 300, height: 150, ctx, getContext: () => ctx as unknown as CanvasRenderingContext2D, toDataURL: (type: string) => `data:${type};base64,AAAA` };
}

test('heatmapPng draws the SVG figure at twice its size: title, subtitle, cells, legend', () => {
  const { m, rowLabels, colLabels, layout, scale, max } = drawSetup();
  const canvas = recordingCanvas();
  const png = heatmapPng(canvas, m, { layout, rowLabels, colLabels, theme, max, scale, title: 'Cross-attention · Layer 2', subtitle: '은행 → bank' });
  assert.equal(png, 'data:image/png;base64,AAAA');
  const size = figureSize(layout);
  assert.deepEqual([canvas.width, canvas.height], [size.width * 2, size.height * 2]);
  const calls = canvas.ctx.calls;
  assert.deepEqual(calls[0], { op: 'scale', args: [2, 2] });
  const texts = calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
  assert.deepEqual(texts.slice(0, 2), ['Cross-attention · Layer 2', '은행 → bank']);
  assert.ok(texts.includes('0') && texts.includes('0.70'), `legend ends: ${JSON.stringify(texts)}`);
  assert.ok(calls.some((c) => c.op === 'translate' && c.args[0] === FIGURE_MARGIN.side && c.args[1] === FIGURE_MARGIN.top), 'the heatmap below the title');
  assert.equal(calls.filter((c) => c.op === 'fillRect' && c.fillStyle === scale(1)).length, 2, 'the max cell and the legend end in the accent');
});

test('fitSubtitle shortens a long subtitle to the figure width, on one line', () => {
  const { layout } = drawSetup();
  const room = figureSize(layout).width - 2 * FIGURE_MARGIN.side;
  const long = `${'은행에 가서 돈을 찾았다 '.repeat(12)}\n→ I went to the bank`;
  const fitted = fitSubtitle(recordingCanvas(), long, { theme, layout });
  assert.ok(fitted.endsWith('…') && [...fitted].length * 7 <= room, `${fitted.length} characters for ${room} px`);
  assert.equal(fitSubtitle(recordingCanvas(), 'a  b\nc', { theme, layout }), 'a b c');
});

// ---------------------------------------------------------------- upright column labels (Hangul, kana, Han)

test('column labels of Hangul that do not fit are stacked upright, others rotated; the layout makes room for both', () => {
  const labels = tokenLabels([{ piece: '<2en>', text: '<2en>' }, { piece: '▁은행에', text: '은행에' }, { piece: '▁bank', text: 'bank' }, { piece: '</s>', text: '</s>' }]);
  assert.deepEqual(labels.map(isUprightLabel), [false, true, false, false]);
  assert.equal(isUprightLabel({ text: '갃₁', wordStart: false, special: false }), true, 'a byte of a Hangul syllable');
  assert.equal(isUprightLabel({ text: '은행 bank', wordStart: false, special: false }), false, 'mixed scripts rotate');
  const ctx = recordingCtx();
  const colW = labels.map((l) => measureLabel(ctx, l, theme));
  const upright = labels.map((l) => uprightHeight(l, theme));
  assert.equal(upright[1], 3 * Math.ceil(12 * 1.15), 'three syllables, one line each');
  const layout = heatmapLayout({ rows: 2, cols: 4, rowLabelWidths: [20, 20], colLabelWidths: colW.map(() => 60), colLabelUpright: upright, fontSize: 12, maxWidth: 200, maxCell: 20 });
  assert.ok(layout.rotated);
  assert.ok(layout.top >= layout.pad + upright[1], 'room above the grid for the stacked label');
  ctx.calls.length = 0;
  const m: Matrix = { rows: 2, cols: 4, data: new Float32Array(8).fill(0.25) };
  drawHeatmap(ctx, m, { layout, rowLabels: labels.slice(0, 2), colLabels: labels, theme, scale: makeScale(theme.background, theme.accent), max: 0.25 });
  const texts = ctx.calls.filter((c) => c.op === 'fillText').map((c) => c.args as [string, number, number]);
  const syllables = texts.filter(([t]) => ['은', '행', '에'].includes(t));
  assert.equal(syllables.length, 3, 'one fillText per syllable');
  const x = layout.left + 1.5 * layout.cell;
  assert.ok(syllables.every(([, sx]) => Math.abs(sx - x) < 1e-9), 'centred on their column');
  assert.ok(syllables[0][2] < syllables[1][2] && syllables[1][2] < syllables[2][2], 'read top to bottom');
  assert.ok(syllables[2][2] < layout.top, 'above the grid');
  assert.equal(ctx.calls.filter((c) => c.op === 'rotate').length, 3, 'the other three column labels are rotated');
  const svg = heatmapSvg(m, { layout, rowLabels: labels.slice(0, 2), colLabels: labels, theme, max: 0.25, title: 't' });
  assert.match(svg, /<text text-anchor="middle"[^>]*><tspan x="[\d.]+" y="[\d.]+">은<\/tspan><tspan[^>]*>행<\/tspan><tspan[^>]*>에<\/tspan><\/text>/);
});

test('beside upright labels the other column labels turn vertical (90°), so none runs through a stacked one', () => {
  const base = { rows: 2, cols: 3, rowLabelWidths: [20, 20], colLabelWidths: [60, 60, 60], fontSize: 12, maxWidth: 200, maxCell: 20 };
  assert.equal(heatmapLayout(base).angle, 45);
  assert.equal(heatmapLayout({ ...base, colLabelUpright: [0, 0, 0] }).angle, 45);
  const mixed = heatmapLayout({ ...base, colLabelUpright: [0, 42, 0] });
  assert.equal(mixed.angle, 90);
  // A vertical label reaches half a line (6 px) right of its column's centre: inside the last column of 20 px.
  assert.equal(mixed.width, mixed.left + 3 * mixed.cell + mixed.pad, 'nothing sticks out on the right');
  assert.ok(heatmapLayout(base).width > mixed.width, 'slanted labels do');
  assert.equal(heatmapLayout({ ...base, colLabelUpright: [0, 42, 0], angle: 30 }).angle, 30, 'an explicit angle wins');
});

test('figures with axis titles: which axis is source, which target, in the SVG and the PNG, inside the figure', () => {
  const { m, rowLabels, colLabels, layout, scale, max } = drawSetup();
  const axes = { rows: 'Target (en) · queries', cols: 'Source (ko) · keys' };
  const plain = figureSize(layout);
  const size = figureSize(layout, axes, theme.fontSize);
  assert.ok(size.width >= Math.max(plain.width, layout.width + 2 * FIGURE_MARGIN.side + AXIS_BAND) && size.height >= plain.height + AXIS_BAND, 'room for both titles');
  const svg = heatmapSvg(m, { layout, rowLabels, colLabels, theme, max, title: 'Cross-attention · Layer 2', axes });
  const cols = /<text class="axis-title cols" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/.exec(svg);
  const rows = /<text class="axis-title rows" transform="translate\(([\d.]+) ([\d.]+)\) rotate\(-90\)"[^>]*>([^<]*)<\/text>/.exec(svg);
  assert.ok(cols && rows, svg.slice(0, 600));
  assert.equal(cols[3], 'Source (ko) · keys');
  assert.equal(rows[3], 'Target (en) · queries');
  const origin = figureOrigin(axes);
  assert.equal(Number(cols[1]), origin.x + layout.left, 'the column title starts above the grid');
  assert.ok(Number(cols[2]) < origin.y, 'above the column labels');
  const half = textWidthEstimate(axes.rows, theme.fontSize) / 2;
  assert.ok(Number(rows[1]) < origin.x && Number(rows[2]) - half >= origin.y - 0.5 && Number(rows[2]) + half <= size.height, 'the rotated row title fits at the left');
  assert.ok(svg.includes(`<g transform="translate(${origin.x} ${origin.y})">`), 'the heatmap moves right and down by the bands');

  const canvas = recordingCanvas();
  heatmapPng(canvas, m, { layout, rowLabels, colLabels, theme, max, scale, title: 'Cross-attention · Layer 2', axes });
  assert.deepEqual([canvas.width, canvas.height], [size.width * 2, size.height * 2]);
  const calls = canvas.ctx.calls;
  const texts = calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
  assert.ok(texts.includes('Source (ko) · keys') && texts.includes('Target (en) · queries'), JSON.stringify(texts));
  const rowAt = calls.findIndex((c) => c.op === 'fillText' && c.args[0] === 'Target (en) · queries');
  assert.ok(calls.slice(0, rowAt).some((c) => c.op === 'rotate' && Math.abs((c.args[0] as number) + Math.PI / 2) < 1e-9), 'the row title is rotated');
  assert.ok(calls.some((c) => c.op === 'translate' && c.args[0] === origin.x && c.args[1] === origin.y), 'the heatmap at the same origin as in the SVG');
});
