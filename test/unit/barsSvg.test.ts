// The hover's bar chart: escaped labels, widths proportional to the weights, a valid data URI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barsSvg, svgDataUri } from '../../src/hover/barsSvg';

test('bars are proportional to their values and labels are escaped', () => {
  const svg = barsSvg('Attends to <encoder>', [{ label: '은행', value: 0.5 }, { label: 'a&b', value: 0.25 }]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.includes('&#60;encoder&#62;') && svg.includes('a&#38;b') && svg.includes('은행'));
  const widths = [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(widths, [150, 75]);
  assert.ok(svg.includes('0.50') && svg.includes('0.25'));
});

test('svgDataUri round-trips UTF-8', () => {
  const uri = svgDataUri('<svg>은행</svg>');
  assert.ok(uri.startsWith('data:image/svg+xml;base64,'));
  assert.equal(Buffer.from(uri.split(',')[1], 'base64').toString('utf8'), '<svg>은행</svg>');
});

test('the chart is wide enough for a long title', () => {
  const width = (svg: string) => Number(/^<svg [^>]*width="(\d+)"/.exec(svg)?.[1]);
  assert.equal(width(barsSvg('Attends to', [{ label: 'a', value: 1 }])), 300);
  const long = 'Attends to earlier output (decoder, layer 2, head mean)';
  assert.ok(width(barsSvg(long, [{ label: 'a', value: 1 }])) >= long.length * 7.5, 'the title is not cut off');
});
