// Issue 4, scenario 2: select "은행에 가서 돈을 찾았다", run Show Attention for Selection: the heatmaps render with the
// right token labels and counts; choosing another layer, head or kind changes what is drawn (pixels compared).
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'show attention: token strips, heatmaps, layer/head/kind change the drawing';
export const timeout = 300_000;

export async function run(ctx) {
  const { h } = ctx;
  const { page } = await ctx.launch({ open: 'sample.md' });

  // Direction through its command: into English.
  await h.runCommand(page, ac.CMD.chooseDirection);
  await h.pickQuickItem(page, /english/i);
  await h.waitForStatusBar(page, /→\s*en\b/, { timeout: 15_000 });

  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.showAttention);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  const en = await ac.waitForTranslation(f, { test: (t) => ac.LATIN_WORD.test(t) });
  ctx.log(`translation: ${en}`);
  await h.waitFor(async () => (await ac.tokens(f, 'source')).length > 0 && (await ac.tokens(f, 'target')).length > 0 &&
    (await f.locator('.head-grid canvas').count()) > 0, { timeout: 30_000, message: 'token strips and head thumbnails' });
  await ctx.screenshot('attention', page);

  // Token labels: the source pieces spell the selection; the target pieces spell the translation.
  const src = await ac.tokens(f, 'source');
  const tgt = await ac.tokens(f, 'target');
  ctx.log(`source tokens ${JSON.stringify(src)}; target tokens ${JSON.stringify(tgt)}`);
  assert.equal(ac.joinPieces(src), ac.KO_BANK.replace(/\s+/g, ''), `source tokens spell the selection: ${JSON.stringify(src)}`);
  assert.equal(ac.joinPieces(tgt).toLowerCase(), en.replace(/\s+/g, '').toLowerCase(), `target tokens spell the translation: ${JSON.stringify(tgt)}`);
  const srcPieces = src.filter((p) => !/^<\/?[^>]*>$/.test(p));
  assert.ok(srcPieces.length >= 4 && srcPieces.length <= [...ac.KO_BANK.replace(/\s/g, '')].length * 4,
    `a plausible number of source pieces for 4 words: ${srcPieces.length}`);

  // Counts against the model: layers and heads (from the shipped manifest, when present).
  const m = ac.defaultManifest(ctx.repo);
  const state0 = await ac.heatmapState(f);
  assert.match(state0.kind ?? '', /^(encoder|decoder|cross)$/, 'canvas.heatmap-main has data-kind');
  if (m) {
    const heads = m.dims.heads;
    const thumbs = await f.locator('.head-grid canvas').count();
    assert.ok(thumbs === heads || thumbs === heads + 1, `${thumbs} head thumbnails for ${heads} heads`);
    const headOpts = await ac.options(f, '#head-select');
    assert.ok(headOpts.length === heads || headOpts.length === heads + 1, `${headOpts.length} head options for ${heads} heads`);
    const layers = state0.kind === 'encoder' ? m.dims.encoderLayers : m.dims.decoderLayers;
    const layerOpts = await ac.options(f, '#layer-select');
    assert.ok(layerOpts.length === layers || layerOpts.length === layers + 1, `${layerOpts.length} layer options for ${layers} ${state0.kind} layers`);
  }
  // The drawn matrix matches the tokens when the canvas says its size (data-rows/data-cols).
  if (state0.rows && state0.cols) {
    const n = { encoder: [src.length, src.length], decoder: [tgt.length, tgt.length], cross: [tgt.length, src.length] }[state0.kind];
    assert.deepEqual([Number(state0.rows), Number(state0.cols)], n, `${state0.kind} heatmap size vs token counts`);
  }

  // Another layer, another head, another kind: the pixels change and the canvas says what it shows.
  const pickOther = async (sel) => {
    const opts = await ac.options(f, sel);
    const cur = await ac.value(f, sel);
    const i = opts.findIndex((o) => o.value !== cur);
    assert.ok(i >= 0, `${sel} offers more than one option: ${JSON.stringify(opts)}`);
    return { index: i, value: opts[i].value };
  };
  const layer = await pickOther('#layer-select');
  await ac.changeAndExpectRedraw(f, '#layer-select', { index: layer.index });
  assert.equal((await ac.heatmapState(f)).layer, layer.value, 'data-layer follows #layer-select');
  const head = await pickOther('#head-select');
  await ac.changeAndExpectRedraw(f, '#head-select', { index: head.index });
  assert.equal((await ac.heatmapState(f)).head, head.value, 'data-head follows #head-select');
  await ctx.screenshot('other-layer-head', page);
  const kinds = await ac.options(f, '#kind-select');
  const cross = kinds.findIndex((o) => o.value === 'cross');
  assert.ok(cross >= 0, `#kind-select offers cross: ${JSON.stringify(kinds)}`);
  if ((await ac.value(f, '#kind-select')) !== 'cross') {
    await ac.changeAndExpectRedraw(f, '#kind-select', { index: cross });
    const st = await ac.heatmapState(f);
    assert.equal(st.kind, 'cross');
    if (st.rows && st.cols) assert.deepEqual([Number(st.rows), Number(st.cols)], [tgt.length, src.length], 'cross-attention size');
  }
  await ctx.screenshot('cross', page);
}
