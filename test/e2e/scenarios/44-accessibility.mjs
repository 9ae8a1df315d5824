// Issue 10 item 8, accessibility, in the Default High Contrast theme: the status item's spoken name; the token
// strips are one tab stop each with arrow keys between tokens (roving tabindex); keyboard moves over the heatmap are
// announced (aria-live); head thumbnails say which is pressed; the translated range's underline uses the contributed
// colour (visible in high contrast); the hover's charts have a text alternative. Translate runs from its new key.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'accessibility in high contrast: roving tabindex, live heatmap cursor, aria-pressed, underline colour, chart text';
export const timeout = 420_000;

export async function run(ctx) {
  const { h } = ctx;
  const { page } = await ctx.launch({
    settings: { 'workbench.colorTheme': 'Default High Contrast', 'attentionCompanion.output': 'panel' }, open: 'sample.md',
  });
  const item = await ac.waitForStatusItem(page, { timeout: 60_000 });
  assert.match(item.aria, /^Attention Companion: direction automatic, model /, item.aria);

  // ---- Translate with the keybinding (Ctrl+K A; Cmd+K A on macOS): a chord no default binding uses.
  await ac.selectInSample(page, ac.KO_BANK);
  await page.keyboard.press('Control+k');
  await page.keyboard.press('a');
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(f);
  const spoken = await ac.waitForStatusItem(page, { aria: /direction ko to en/ }).catch(async (e) => {
    throw new Error(`${e.message}; it says: ${(await ac.waitForStatusItem(page)).aria}`);
  });
  assert.match(spoken.aria, /direction ko to en, model \S+, backend (wasm|webgpu)\./, spoken.aria);

  // ---- Token strips: one tab stop per strip, arrows move inside it.
  const strips = await f.locator('.token-strip').evaluateAll((els) => els.map((s) => ({
    label: s.getAttribute('aria-label'), stops: [...s.querySelectorAll('.token')].filter((t) => t.tabIndex === 0).length,
    tokens: s.querySelectorAll('.token').length,
  })));
  ctx.log(`strips: ${JSON.stringify(strips)}`);
  assert.ok(strips.length === 2 && strips.every((s) => s.stops === 1 && s.tokens > 1), `one tab stop per strip: ${JSON.stringify(strips)}`);
  assert.match(strips[0].label, /^Source tokens, ko/);
  const source = f.locator('.token-strip.source .token');
  await source.first().focus();
  await page.keyboard.press('ArrowRight');
  const focused = () => f.locator(':focus').evaluate((e) => ({ index: e.dataset.index, tab: e.tabIndex })).catch(() => null);
  assert.deepEqual(await focused(), { index: '1', tab: 0 }, 'ArrowRight moves to the next token, which becomes the tab stop');
  await page.keyboard.press('End');
  assert.equal((await focused())?.index, String(strips[0].tokens - 1), 'End: the last token');
  assert.equal(await f.locator('.token-strip.source .token[tabindex="0"]').count(), 1);

  // ---- The heatmap cursor is announced.
  const canvas = f.locator('canvas.heatmap-main');
  await canvas.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const live = f.locator('#heatmap-announcer');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  const said = await h.waitFor(async () => ((await live.textContent()) ?? '').trim() || null, { timeout: 5_000, message: 'an announcement' });
  ctx.log(`announced: ${said}`);
  assert.match(said, /^.+ to .+: [\d.<]+\. Row 1 of \d+, column 2 of \d+\.$/);

  // ---- Head thumbnails: exactly one pressed; pressing another moves it.
  const pressed = () => f.locator('.head-thumb').evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed')));
  const states = await pressed();
  assert.equal(states.filter((s) => s === 'true').length, 1, JSON.stringify(states));
  const other = states.findIndex((s) => s === 'false');
  await f.locator('.head-thumb').nth(other).click();
  await h.waitFor(async () => (await pressed())[other] === 'true', { timeout: 5_000, message: 'the clicked head to be pressed' });
  assert.equal((await pressed()).filter((s) => s === 'true').length, 1);
  await ctx.screenshot('panel-high-contrast', page);

  // ---- The translated range's underline: the contributed colour, which high contrast sets to contrastActiveBorder.
  await h.openFile(page, 'sample.md');
  await ac.revealText(page, ac.KO_BANK);
  const colours = await h.waitFor(() => h.activeEditor(page).evaluate(() => [...document.querySelectorAll('.view-overlays div')]
    .map((d) => getComputedStyle(d)).filter((s) => s.borderBottomStyle === 'dotted').map((s) => s.borderBottomColor)), { timeout: 10_000, message: 'the dotted underline' });
  ctx.log(`underline colours: ${JSON.stringify(colours)}`);
  assert.ok(colours.length > 0 && colours.every((c) => c === 'rgb(243, 133, 24)'), `contrastActiveBorder (#F38518) in high contrast: ${JSON.stringify(colours)}`);

  // ---- The hover's charts carry their numbers as text.
  await ac.showAttentionHover(page, ac.KO_BANK, '은행');
  const hv = await ac.hoverState(page);
  const alts = hv.images.map((i) => i.alt);
  ctx.log(`hover alts: ${JSON.stringify(alts)}`);
  assert.match(alts[0], /^Attends to \(encoder, layer \d+, head (mean|\d+)\): (\S+ \d\.\d\d)(, \S+ \d\.\d\d)*$/);
  assert.match(alts[1], /^Attended by \(cross-attention, layer \d+, head (mean|\d+)\): /);
  await ctx.screenshot('hover-high-contrast', page);
}
