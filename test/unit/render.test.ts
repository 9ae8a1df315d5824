// Pure parts of the Attention panel: colour scale, layout maths, token labels, selection/axes (drawing: drawing.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headMatrix, headMean, rollout } from '../../src/engine/attention';
import type { Matrix, SentenceResult, Tensor } from '../../src/shared/results';
import {
  colorAt, contrastRatio, flatten, formatPercent, formatValue, legendGradient, luminance, makeScale, mix, parseColor,
  pickAccent, readableOn, toCss, toHex,
} from '../../webview/render/colorScale';
import { canvasPixels, cellRect, heatmapLayout, hitTest, snappedSpan, thumbLayout } from '../../webview/render/layout';
import { truncateLabel } from '../../webview/render/tokens';
import {
  axisGroups, axisStrips, colToken, headCount, layerCount, normalizeSelection, rowToken, selectMatrix,
  selectionName, tokenToCells, type AttentionKind,
} from '../../webview/view/selection';
import { softmaxTensor } from './fakes/attentionTensors';

const BLACK = { r: 0, g: 0, b: 0, a: 1 }, WHITE = { r: 255, g: 255, b: 255, a: 1 };

// ---------------------------------------------------------------- colour scale

test('parseColor reads hex and rgb() forms', () => {
  assert.deepEqual(parseColor('#1e1e1e'), { r: 30, g: 30, b: 30, a: 1 });
  assert.deepEqual(parseColor('#FFF'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('#00000080'), { r: 0, g: 0, b: 0, a: 128 / 255 });
  assert.deepEqual(parseColor('#f008'), { r: 255, g: 0, b: 0, a: 136 / 255 });
  assert.deepEqual(parseColor(' rgb(1, 2, 3) '), { r: 1, g: 2, b: 3, a: 1 });
  assert.deepEqual(parseColor('rgba(10,20,30,0.5)'), { r: 10, g: 20, b: 30, a: 0.5 });
  assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
  assert.deepEqual(parseColor('rgb(100%, 0%, 50%)'), { r: 255, g: 0, b: 127.5, a: 1 });
  for (const bad of ['', 'red', '#12345', 'hsl(0 0% 0%)', 'rgb(1,2)', undefined]) assert.equal(parseColor(bad), undefined, String(bad));
});

test('toCss / toHex round channels', () => {
  assert.equal(toCss({ r: 1.4, g: 2.6, b: 255, a: 1 }), 'rgb(1, 3, 255)');
  assert.equal(toCss({ r: 0, g: 0, b: 0, a: 0.5 }, true), 'rgba(0, 0, 0, 0.5)');
  assert.equal(toCss({ r: 0, g: 0, b: 0, a: 0.5 }), 'rgb(0, 0, 0)');
  assert.equal(toHex({ r: 255, g: 16, b: 0, a: 1 }), '#ff1000');
});

test('colour scale: endpoints are the two colours, values are clamped', () => {
  const bg = '#1e1e1e', accent = '#3794ff';
  assert.equal(colorAt(0, bg, accent), 'rgb(30, 30, 30)');
  assert.equal(colorAt(1, bg, accent), 'rgb(55, 148, 255)');
  assert.equal(colorAt(-3, bg, accent), 'rgb(30, 30, 30)');
  assert.equal(colorAt(7, bg, accent), 'rgb(55, 148, 255)');
  assert.equal(colorAt(Number.NaN, bg, accent), 'rgb(30, 30, 30)');
  assert.throws(() => colorAt(0.5, 'nope', accent), TypeError);
});

test('colour scale is monotonic in lightness between dark background and bright accent (and the reverse)', () => {
  const dark = parseColor('#1e1e1e')!, light = parseColor('#ffffff')!, accent = parseColor('#1a85ff')!;
  let prev = -1;
  for (let i = 0; i <= 20; i++) {
    const l = luminance(mix(dark, accent, i / 20));
    assert.ok(l >= prev - 1e-9, `step ${i}`);
    prev = l;
  }
  prev = 2;
  for (let i = 0; i <= 20; i++) {
    const l = luminance(mix(light, accent, i / 20));
    assert.ok(l <= prev + 1e-9, `light step ${i}`);
    prev = l;
  }
});

test('mix of a colour with itself is that colour; midpoint of black and white is a grey', () => {
  const c = { r: 12, g: 200, b: 99, a: 1 };
  const m = mix(c, c, 0.37);
  for (const k of ['r', 'g', 'b'] as const) assert.ok(Math.abs(m[k] - c[k]) < 0.5, k);
  const g = mix(BLACK, WHITE, 0.5);
  assert.ok(Math.abs(g.r - g.g) < 1 && Math.abs(g.g - g.b) < 1);
  assert.ok(g.r > 60 && g.r < 200, `grey ${g.r}`);
});

test('makeScale matches colorAt at its steps', () => {
  const scale = makeScale('#000000', '#ff8800', 11);
  for (let i = 0; i <= 10; i++) assert.equal(scale(i / 10), colorAt(i / 10, '#000000', '#ff8800'));
  assert.equal(scale(-1), scale(0));
  assert.equal(scale(2), scale(1));
  assert.equal(scale(Number.NaN), scale(0));
});

test('legendGradient lists stops from 0% to 100%', () => {
  const g = legendGradient('#000000', '#ffffff', 3);
  assert.match(g, /^linear-gradient\(to right, rgb\(0, 0, 0\) 0%, rgb\(\d+, \d+, \d+\) 50%, rgb\(255, 255, 255\) 100%\)$/);
});

test('contrast helpers', () => {
  assert.ok(Math.abs(contrastRatio(BLACK, WHITE) - 21) < 1e-9);
  assert.equal(contrastRatio(WHITE, WHITE), 1);
  assert.equal(readableOn(parseColor('#3794ff')!, BLACK, WHITE), BLACK);
  assert.equal(readableOn(parseColor('#1e1e1e')!, BLACK, WHITE), WHITE);
  assert.deepEqual(flatten({ r: 255, g: 255, b: 255, a: 0.5 }, BLACK), { r: 127.5, g: 127.5, b: 127.5, a: 1 });
  const bg = parseColor('#1e1e1e')!, fg = parseColor('#cccccc')!;
  // An accent almost equal to the background is skipped for the next candidate, then the fallback.
  assert.deepEqual(pickAccent(bg, [parseColor('#202020'), parseColor('#3794ff')], fg), parseColor('#3794ff'));
  assert.deepEqual(pickAccent(bg, [parseColor('#202020'), undefined], fg), fg);
});

test('formatValue and formatPercent', () => {
  assert.equal(formatValue(0.4213), '0.42');
  assert.equal(formatValue(1), '1.00');
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(0.001), '<0.01');
  assert.equal(formatValue(Number.NaN), '–');
  assert.equal(formatPercent(0.7213), '72%');
  assert.equal(formatPercent(0.041), '4.1%');
  assert.equal(formatPercent(0.0002), '<0.1%');
  assert.equal(formatPercent(0), '0%');
});

// ---------------------------------------------------------------- layout

const base = { rowLabelWidths: [30, 40, 20], colLabelWidths: [10, 12, 8, 9], fontSize: 12, maxWidth: 400, pad: 4, labelGap: 6 };

test('heatmapLayout: square cells fill the width up to maxCell, grid to the right of row labels', () => {
  const l = heatmapLayout({ ...base, rows: 3, cols: 4, maxCell: 40 });
  assert.equal(l.left, 4 + 40 + 6);
  assert.equal(l.cell, 40);
  assert.equal(l.gridWidth, 160);
  assert.equal(l.gridHeight, 120);
  assert.equal(l.rotated, false);
  assert.equal(l.top, 4 + 12 + 6);
  assert.equal(l.height, l.top + 120 + 4);
  assert.ok(l.width <= 400);
});

test('heatmapLayout: narrow width shrinks cells, never below minCell (then the canvas is wider)', () => {
  const l = heatmapLayout({ ...base, rows: 3, cols: 4, maxWidth: 150, maxCell: 40, minCell: 12 });
  assert.equal(l.cell, Math.floor((150 - l.left - 4) / 4));
  const many = heatmapLayout({ ...base, rows: 60, cols: 60, rowLabelWidths: [30], colLabelWidths: new Array(60).fill(6), maxWidth: 300, minCell: 12 });
  assert.equal(many.cell, 12);
  assert.ok(many.width > 300);
});

test('heatmapLayout: labels wider than a cell are rotated, with room above and to the right', () => {
  const cols = 5;
  const l = heatmapLayout({ ...base, rows: 2, cols, colLabelWidths: [60, 60, 60, 60, 60], maxWidth: 260, maxCell: 30, angle: 45 });
  assert.equal(l.rotated, true);
  const sin = Math.sin(Math.PI / 4);
  assert.ok(l.top >= 4 + 60 * sin + 6, `top ${l.top}`);
  // The last label reaches past the grid: the canvas is wider than the grid by about 60·cos45 - cell/2.
  assert.ok(l.width >= l.left + l.gridWidth + 60 * Math.cos(Math.PI / 4) - l.cell / 2, `width ${l.width}`);
  assert.ok(l.width <= 260 || l.cell === 12, `fits ${l.width}`);
});

test('heatmapLayout: row labels are capped to a fraction of the width', () => {
  const l = heatmapLayout({ ...base, rows: 1, cols: 1, rowLabelWidths: [1000], maxWidth: 400, maxRowLabelFraction: 0.25 });
  assert.equal(l.rowLabelWidth, 100);
});

test('heatmapLayout handles an empty matrix', () => {
  const l = heatmapLayout({ ...base, rows: 0, cols: 0, rowLabelWidths: [], colLabelWidths: [] });
  assert.equal(l.gridWidth, 0);
  assert.equal(l.gridHeight, 0);
  assert.ok(Number.isFinite(l.width) && Number.isFinite(l.height));
});

test('hitTest: cells, row labels, column labels, outside', () => {
  const l = heatmapLayout({ ...base, rows: 3, cols: 4, maxCell: 20 });
  const r = cellRect(l, 2, 1);
  assert.deepEqual(hitTest(l, r.x + 1, r.y + 1), { row: 2, col: 1, inGrid: true });
  assert.deepEqual(hitTest(l, r.x + r.w - 0.01, r.y + r.h - 0.01), { row: 2, col: 1, inGrid: true });
  assert.deepEqual(hitTest(l, l.left - 10, l.top + 1.5 * l.cell), { row: 1, inGrid: false });
  assert.deepEqual(hitTest(l, l.left + 3.5 * l.cell, l.top - 5), { col: 3, inGrid: false });
  assert.equal(hitTest(l, l.left + l.gridWidth + 1, l.top + 1), undefined);
  assert.equal(hitTest(l, l.left + 1, l.top + l.gridHeight + 1), undefined);
  assert.equal(hitTest(l, 0, 0), undefined);
});

test('thumbLayout, canvasPixels, snappedSpan', () => {
  assert.deepEqual(thumbLayout(10, 5, 60), { cell: 6, width: 30, height: 60 });
  assert.deepEqual(thumbLayout(0, 0, 60), { cell: 60, width: 1, height: 1 });
  assert.deepEqual(canvasPixels(100.4, 50, 2), { width: 201, height: 100 });
  assert.deepEqual(canvasPixels(0, 0, 0), { width: 1, height: 1 });
  // Neighbouring cells share their edge exactly, on device pixels.
  for (const dpr of [1, 1.25, 1.5, 2]) {
    for (let i = 0; i < 10; i++) {
      const [, b] = snappedSpan(3, 7.3, i, dpr), [a] = snappedSpan(3, 7.3, i + 1, dpr);
      assert.equal(a, b);
      assert.ok(Math.abs(b * dpr - Math.round(b * dpr)) < 1e-9);
    }
  }
});

// ---------------------------------------------------------------- tokens

test('truncateLabel', () => {
  assert.equal(truncateLabel('abc', 5), 'abc');
  assert.equal(truncateLabel('abcdef', 5), 'abcd…');
  assert.equal(truncateLabel('가나다라마바사', 4), '가나다…');
  assert.equal([...truncateLabel('😀😀😀😀😀😀', 3)].length, 3);
});

// ---------------------------------------------------------------- selection / axes

function fakeSentence(): SentenceResult {
  const tok = (piece: string, text: string) => ({ id: 10, piece, text, start: 0, end: 0 });
  const src = [tok('<2en>', '<2en>'), tok('▁은행', '은행'), tok('에', '에'), tok('</s>', '</s>')];
  const tgt = [tok('▁the', 'the'), tok('▁bank', 'bank'), tok('</s>', '</s>')];
  return {
    source: '은행에', sourceOffset: 0, from: 'ko', to: 'en', text: 'the bank', srcTokens: src, tgtTokens: tgt, score: -1, normalizedScore: -0.5,
    attention: { encoder: softmaxTensor([4, 2, 4, 4]), decoder: softmaxTensor([2, 2, 3, 3], true, 2), cross: softmaxTensor([2, 2, 3, 4], false, 3) },
  };
}

test('layerCount / headCount / normalizeSelection', () => {
  const att = fakeSentence().attention!;
  assert.equal(layerCount(att, 'encoder'), 4);
  assert.equal(layerCount(att, 'rollout'), 4);
  assert.equal(layerCount(att, 'cross'), 2);
  assert.equal(headCount(att, 'decoder'), 2);
  assert.equal(headCount(att, 'rollout'), 0);
  assert.deepEqual(normalizeSelection(att, { kind: 'cross', layer: Number.POSITIVE_INFINITY, head: 'mean' }), { kind: 'cross', layer: 1, head: 'mean' });
  assert.deepEqual(normalizeSelection(att, { kind: 'cross', layer: 3, head: 5 }), { kind: 'cross', layer: 1, head: 'mean' });
  assert.deepEqual(normalizeSelection(att, { kind: 'encoder', layer: -2, head: 1 }), { kind: 'encoder', layer: 0, head: 1 });
  assert.deepEqual(normalizeSelection(att, { kind: 'rollout', layer: 2, head: 1 }), { kind: 'rollout', layer: 2, head: 'mean' });
});

test('selectMatrix uses the engine functions', () => {
  const att = fakeSentence().attention!;
  assert.deepEqual(selectMatrix(att, { kind: 'encoder', layer: 2, head: 1 }), headMatrix(att.encoder, 2, 1));
  assert.deepEqual(selectMatrix(att, { kind: 'cross', layer: 1, head: 'mean' }), headMean(att.cross, 1));
  assert.deepEqual(selectMatrix(att, { kind: 'rollout', layer: 2, head: 'mean' }), rollout(att.encoder, 2));
  const dec = selectMatrix(att, { kind: 'decoder', layer: 0, head: 0 });
  assert.equal(dec.data[0 * 3 + 1], 0, 'causal: step 0 sees only <s>');
});

test('axis labels: decoder columns are <s> then the target shifted by one; fallbacks past the tokens', () => {
  const axisLabels = (st: SentenceResult, kind: AttentionKind, rows: number, cols: number) => {
    const g = axisGroups(st, kind, rows, cols, 'pieces');
    return { rows: g.rows.map((x) => x.label), cols: g.cols.map((x) => x.label) };
  };
  const st = fakeSentence();
  const dec = axisLabels(st, 'decoder', 3, 3);
  assert.deepEqual(dec.rows.map((l) => l.text), ['the', 'bank', '</s>']);
  assert.deepEqual(dec.cols.map((l) => l.text), ['<s>', 'the', 'bank']);
  const cross = axisLabels(st, 'cross', 3, 4);
  assert.deepEqual(cross.cols.map((l) => l.text), ['<2en>', '은행', '에', '</s>']);
  assert.deepEqual(axisLabels(st, 'encoder', 5, 4).rows.map((l) => l.text), ['<2en>', '은행', '에', '</s>', '#5']);
});

test('strip tokens <-> heatmap rows and columns', () => {
  assert.deepEqual(rowToken('encoder', 2), { strip: 'source', index: 2 });
  assert.deepEqual(rowToken('cross', 2), { strip: 'target', index: 2 });
  assert.deepEqual(colToken('cross', 1), { strip: 'source', index: 1 });
  assert.equal(colToken('decoder', 0), undefined);
  assert.deepEqual(colToken('decoder', 2), { strip: 'target', index: 1 });
  assert.deepEqual(tokenToCells('encoder', { strip: 'source', index: 1 }, 4, 4), { row: 1, col: 1 });
  assert.deepEqual(tokenToCells('rollout', { strip: 'target', index: 1 }, 4, 4), {});
  assert.deepEqual(tokenToCells('cross', { strip: 'source', index: 3 }, 3, 4), { col: 3 });
  assert.deepEqual(tokenToCells('cross', { strip: 'target', index: 1 }, 3, 4), { row: 1 });
  assert.deepEqual(tokenToCells('decoder', { strip: 'target', index: 1 }, 3, 3), { row: 1, col: 2 });
  assert.deepEqual(tokenToCells('decoder', { strip: 'target', index: 2 }, 3, 3), { row: 2, col: undefined });
  assert.deepEqual(tokenToCells('decoder', { strip: 'source', index: 0 }, 3, 3), {});
  // Round trip: the row a target token maps to maps back to that token.
  for (const kind of ['encoder', 'decoder', 'cross', 'rollout'] as const) {
    const strips = axisStrips(kind);
    const cells = tokenToCells(kind, { strip: strips.rows, index: 1 }, 3, 3);
    assert.deepEqual(rowToken(kind, cells.row!), { strip: strips.rows, index: 1 }, kind);
  }
});

test('selectionName', () => {
  assert.equal(selectionName({ kind: 'cross', layer: 1, head: 'mean' }), 'attention-cross-L2-mean');
  assert.equal(selectionName({ kind: 'encoder', layer: 0, head: 3 }), 'attention-encoder-L1-H4');
  assert.equal(selectionName({ kind: 'rollout', layer: 2, head: 'mean' }), 'attention-rollout-L1-3');
});
