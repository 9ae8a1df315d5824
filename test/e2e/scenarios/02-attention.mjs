// Issue 4, scenario 2: select "은행에 가서 돈을 찾았다", run Show Attention for Selection: the heatmaps render with the
// right token labels and counts; choosing another layer, head or kind changes what is drawn (pixels compared).
// Independent of the model's quality: it checks what is drawn against what the model produced.
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
  await ac.waitForResult(f);
  await h.waitFor(async () => (await ac.tokens(f, 'source')).length > 0 && (await f.locator('.head-grid canvas').count()) > 0,
    { timeout: 30_000, message: 'source tokens and head thumbnails' });
  await ctx.screenshot('attention', page);

  // Token labels: the source pieces spell the selection; the target pieces spell the translation.
  const src = await ac.pieces(f, 'source');
  const tgt = await ac.pieces(f, 'target');
  const translation = await ac.text(f, '#translation');
  ctx.log(`source ${JSON.stringify(src)}; target ${JSON.stringify(tgt)}; translation ${JSON.stringify(translation)}`);
  assert.equal(ac.joinPieces(src), ac.KO_BANK.replace(/\s+/g, ''), `source pieces spell the selection: ${JSON.stringify(src)}`);
  // The model's pieces, all shown; the text drops a final sentence mark the source does not have (translationUnits.ts),
  // so the pieces spell the translation, plus at most that mark.
  const spelled = ac.joinPieces(tgt), shownText = translation.replace(/\s+/g, '');
  assert.ok(spelled === shownText || (spelled.startsWith(shownText) && /^[.!?。！？…]$/.test(spelled.slice(shownText.length))),
    `target pieces spell the translation: ${JSON.stringify(tgt)} vs ${JSON.stringify(translation)}`);
  const labels = await ac.tokens(f, 'source');
  assert.equal(labels.length, src.length, 'one label per source piece');
  assert.ok(labels.every((l) => l.length > 0), `every source token has a visible label: ${JSON.stringify(labels)}`);

  // Counts against the model: layers and heads (from the shipped manifest, when present).
  const m = ac.defaultManifest(ctx.repo);
  if (m) {
    const heads = m.dims.heads;
    const thumbs = await f.locator('.head-grid canvas').count();
    const layersOf = { encoder: m.dims.encoderLayers, decoder: m.dims.decoderLayers, cross: m.dims.decoderLayers };
    const kind = (await ac.heatmapState(f)).kind;
    // Thumbnails: one per head (+ mean), possibly for every layer of the kind shown.
    const per = [heads, heads + 1];
    const okThumbs = per.includes(thumbs) || (layersOf[kind] && per.some((p) => p * layersOf[kind] === thumbs));
    assert.ok(okThumbs, `${thumbs} head thumbnails for ${heads} heads (${layersOf[kind]} ${kind} layers)`);
    const headOpts = await ac.options(f, '#head-select');
    assert.ok(per.includes(headOpts.length), `${headOpts.length} head options for ${heads} heads`);
  }
  const state0 = await ac.heatmapState(f);
  assert.match(state0.kind ?? '', /^(encoder|decoder|cross)$/, 'canvas.heatmap-main has data-kind');
  const sizeOf = (kind) => ({ encoder: [src.length, src.length], decoder: [tgt.length, tgt.length], cross: [tgt.length, src.length] })[kind];
  if (state0.rows && state0.cols) assert.deepEqual([Number(state0.rows), Number(state0.cols)], sizeOf(state0.kind), `${state0.kind} heatmap size vs tokens`);

  // Encoder first (the decoder of a small model may have a single layer), then another layer and another head.
  if ((await ac.value(f, '#kind-select')) !== 'encoder') {
    await ac.changeAndExpectRedraw(f, '#kind-select', 'encoder');
    assert.equal((await ac.heatmapState(f)).kind, 'encoder');
  }
  if (m) {
    const layerOpts = await ac.options(f, '#layer-select');
    assert.ok([m.dims.encoderLayers, m.dims.encoderLayers + 1].includes(layerOpts.length),
      `${layerOpts.length} layer options for ${m.dims.encoderLayers} encoder layers`);
  }
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
  const st = await ac.heatmapState(f);
  if (st.rows && st.cols) assert.deepEqual([Number(st.rows), Number(st.cols)], sizeOf('encoder'), 'encoder heatmap size vs tokens');
  await ctx.screenshot('encoder-other-layer-head', page);

  // Cross-attention: rows = target tokens, columns = source tokens.
  const kinds = await ac.options(f, '#kind-select');
  const cross = kinds.findIndex((o) => o.value === 'cross');
  assert.ok(cross >= 0, `#kind-select offers cross: ${JSON.stringify(kinds)}`);
  await ac.changeAndExpectRedraw(f, '#kind-select', { index: cross });
  const cs = await ac.heatmapState(f);
  assert.equal(cs.kind, 'cross');
  if (cs.rows && cs.cols) assert.deepEqual([Number(cs.rows), Number(cs.cols)], sizeOf('cross'), 'cross-attention size vs tokens');
  await ctx.screenshot('cross', page);
}
