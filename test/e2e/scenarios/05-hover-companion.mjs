// Issue 4, scenario 5: the hover inspector and the Paper Companion view.
//   Hover: translate "은행에 가서 돈을 찾았다" into the panel (the sentence gets a dotted underline); hovering 은행 in
//   the editor shows the attention hover ("Attention for …", two SVG bar charts with their titles and bars,
//   "Open in attention panel" and "Pin this head" command links);
//   "Open in attention panel" shows that result's encoder attention (head mean) in the Attention panel.
//   Companion: the "Paper Companion" view opens from the palette, loads the model in its own webview, and its live
//   sections ran: "Self-attention, live" shows the token strip with 은행 chosen and one bar row per token (weights
//   summing to 1), "Scaled dot-product attention" recomputes a row from the exported queries and keys and says it
//   matches the model's attention.
// Independent of the model's quality (dev-tiny translates into junk): it checks that attention exists and is shown.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'hover inspector over a translated word; paper companion view runs its live demo';
export const timeout = 240_000;

const WORD = '은행';

export async function run(ctx) {
  const { h } = ctx;
  const { page } = await ctx.launch({ settings: { 'attentionCompanion.output': 'panel' }, open: 'sample.md' });
  const manifest = ac.defaultManifest(ctx.repo);

  // ---- 1. Translate the sentence into the panel: the range gets the hover's decoration and cached attention.
  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.translate);
  const panel = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(panel);
  ctx.log(`panel: translation ${JSON.stringify(await ac.text(panel, '#translation'))}, source ${JSON.stringify(await ac.tokens(panel, 'source'))}`);
  // Before the hover's link: the panel shows what Translate chose (not necessarily the encoder head mean).
  const before = await ac.heatmapState(panel);

  // ---- 2. Hover over 은행 in the editor (back in sample.md, selection cleared so the line renders plainly).
  await h.clearSelection(page);
  // The translated range is marked: a dotted underline under the whole sentence.
  const u = await h.waitFor(async () => { const d = await ac.dottedUnderlines(page, ac.KO_BANK); return d?.marks.length ? d : null; },
    { timeout: 10_000, message: 'the dotted underline of the translated range' });
  ctx.log(`underline: ${JSON.stringify(u)}`);
  const span = { left: Math.min(...u.marks.map((m) => m.left)), right: Math.max(...u.marks.map((m) => m.right)) };
  assert.ok(Math.abs(span.left - u.text.left) <= 2 && Math.abs(span.right - u.text.right) <= 2,
    `the dotted underline spans the translated sentence: ${JSON.stringify(u)}`);
  const how = await ac.showAttentionHover(page, ac.KO_BANK, WORD);
  const hv = await ac.hoverState(page);
  ctx.log(`hover (${how.how}): ${JSON.stringify(hv)}`);
  await ctx.screenshot('hover', page);
  assert.match(hv.text, /Attention for\s*["“]?[^"”]+["”]?/, `the hover names the token: ${hv.text}`);
  // The mouse is over 은: the hover is about the token covering it (은, 은행 or 은행에, as the tokenizer splits it).
  const hovered = /Attention for\s*["“]([^"”]+)["”]/.exec(hv.text)?.[1]?.replace(/^▁/, '') ?? '';
  assert.ok(hovered.includes(WORD[0]) || (hovered && WORD.includes(hovered)), `the hover is about ${WORD}: ${hv.text}`);
  assert.match(hv.text, /→/, `the hover shows the direction: ${hv.text}`);
  const svgs = hv.images.filter((i) => i.src.startsWith('data:image/svg+xml'));
  assert.equal(svgs.length, 2, `two SVG bar charts (attends to / attended by): ${JSON.stringify(hv.images)}`);
  assert.ok(svgs.every((i) => i.complete && i.width > 0 && i.height > 0), `both charts decode as images: ${JSON.stringify(svgs)}`);
  // Their content: a title, then up to 5 bars (the top weights).
  const [to, by] = svgs.map((i) => i.svg);
  assert.match(to.texts[0] ?? '', /^Attends to \(encoder, layer \d+, head (mean|\d+)\)$/, `first chart's title: ${JSON.stringify(to.texts)}`);
  assert.match(by.texts[0] ?? '', /^Attended by \(cross-attention, layer \d+, head (mean|\d+)\)$/, `second chart's title: ${JSON.stringify(by.texts)}`);
  for (const c of [to, by]) assert.ok(c.bars >= 1 && c.bars <= 5, `1 to 5 bars per chart: ${JSON.stringify(c)}`);
  const open = hv.links.find((l) => /Open in attention panel/i.test(l.text));
  const pin = hv.links.find((l) => /Pin this head/i.test(l.text));
  assert.ok(open && /^command:attentionCompanion\.openInPanel/.test(open.href), `an "Open in attention panel" command link: ${JSON.stringify(hv.links)}`);
  assert.ok(pin && /^command:attentionCompanion\.pinHead/.test(pin.href), `a "Pin this head" command link: ${JSON.stringify(hv.links)}`);

  // ---- 3. "Open in attention panel": the panel comes forward with this result on the encoder, head mean.
  await ac.hoverWidget(page).first().getByText(/Open in attention panel/i).click({ timeout: 5_000 });
  // The mouse leaves the (sticky) hover so that it closes and does not cover later screenshots.
  await page.mouse.move(5, 890);
  await ac.hoverWidget(page).first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => ctx.log('the hover stayed open'));
  const panel2 = await ac.attentionFrame(page, { timeout: 30_000 });
  await ac.waitForResult(panel2, { timeout: 30_000 });
  const after = await h.waitFor(async () => {
    const s = await ac.heatmapState(panel2);
    return s.kind === 'encoder' && s.head === 'mean' ? s : null;
  }, { timeout: 15_000, message: `the panel to show the encoder head mean (before: ${JSON.stringify(before)})` });
  if (manifest) assert.equal(Number(after.layer), manifest.dims.encoderLayers - 1, 'the hover opens the last encoder layer');
  const src = await ac.pieces(panel2, 'source');
  assert.equal(ac.joinPieces(src), ac.KO_BANK.replace(/\s+/g, ''), `the panel shows the hovered sentence: ${JSON.stringify(src)}`);
  if (after.rows && after.cols) assert.deepEqual([Number(after.rows), Number(after.cols)], [src.length, src.length], 'encoder heatmap size');
  await ctx.screenshot('hover-opened-in-panel', page);

  // ---- 4. The Paper Companion view: opened from the palette, its webview loads the model and runs its sections.
  const cmd = await ac.openCompanion(page);
  ctx.log(`companion opened with "${cmd}"`);
  const comp = await ac.companionFrame(page, { timeout: 30_000 });
  // Self-attention, live: 은행 chosen in the token strip, one bar row per source token.
  const sa = await ac.waitForCompanionSection(comp, 'selfAttention', '.cc-bars .cc-bars-row:not(.head)');
  const badge = ((await comp.locator('.cc-header .cc-status .cc-badge').first().textContent()) ?? '').trim();
  assert.match(badge, /^(wasm|webgpu)$/, `the companion header names the backend: ${badge}`);
  const chips = await sa.locator('.cc-content .cc-tokens .cc-token').evaluateAll((els) =>
    els.map((e) => ({ text: (e.textContent ?? '').trim(), selected: e.classList.contains('selected') })));
  const chosen = chips.filter((c) => c.selected).map((c) => c.text.replace(/^▁/, '')).join('');
  assert.ok(chosen.length > 0 && chosen.includes(WORD.slice(0, 1)) && (WORD.includes(chosen) || chosen.startsWith(WORD)),
    `the live demo queries ${WORD}: chosen ${JSON.stringify(chosen)} of ${JSON.stringify(chips.map((c) => c.text))}`);
  const query = ((await sa.locator('.cc-content h3').first().textContent()) ?? '').trim();
  assert.ok(query.includes(WORD), `"What “${WORD}” attends to": ${query}`);
  const rows = await sa.locator('.cc-content .cc-bars .cc-bars-row:not(.head)').evaluateAll((els) => els.map((r) => ({
    label: (r.querySelector('.cc-bars-label')?.textContent ?? '').trim(),
    widths: [...r.querySelectorAll('.cc-bar')].map((b) => parseFloat(b.style.width)),
    values: [...r.querySelectorAll('.cc-bar-value')].map((v) => (v.textContent ?? '').trim()),
  })));
  ctx.log(`self-attention rows: ${JSON.stringify(rows)}`);
  assert.equal(rows.length, chips.length, 'one bar row per token');
  assert.ok(rows.every((r) => r.widths.length === 2 && r.values.length === 2), 'two bars per row (mean of heads, one head)');
  for (const col of [0, 1]) {
    assert.ok(rows.some((r) => r.widths[col] >= 99.5), `the strongest bar of column ${col + 1} is full width: ${JSON.stringify(rows.map((r) => r.widths[col]))}`);
    // Displayed weights: ".23", "<.01", "1.00"; a row of attention sums to 1 (up to rounding to two decimals).
    const sum = rows.reduce((a, r) => a + (/^<\./.test(r.values[col]) ? 0.0025 : parseFloat(r.values[col].replace(/^\./, '0.'))), 0);
    assert.ok(Math.abs(sum - 1) <= 0.006 * rows.length, `column ${col + 1} weights sum to 1 (got ${sum.toFixed(3)})`);
  }
  await sa.scrollIntoViewIfNeeded();
  await ctx.screenshot('companion-self-attention', page);
  await h.screenshotOf(page.locator('#workbench\\.parts\\.sidebar'), `${ctx.slug}-companion-self-attention-sidebar`);

  // Scaled dot-product attention: softmax(q·k/√d_k) recomputed in the view matches the model's attention row.
  const sdp = await ac.waitForCompanionSection(comp, 'scaledDotProduct', '.cc-check');
  const check = await sdp.locator('.cc-content .cc-check').first().evaluate((e) => ({ ok: e.classList.contains('ok'), text: (e.textContent ?? '').trim() }));
  assert.ok(check.ok && /matches the model.s attention/i.test(check.text), `the check line: ${check.text}`);
  const keys = await sdp.locator('.cc-content table.cc-sdp tbody tr').count();
  assert.ok(keys > 0, 'the scores table has one row per key');
  await sdp.locator('.cc-check').first().scrollIntoViewIfNeeded();
  await ctx.screenshot('companion-scaled-dot-product', page);
  await h.screenshotOf(page.locator('#workbench\\.parts\\.sidebar'), `${ctx.slug}-companion-scaled-dot-product-sidebar`);
}
