// Issue 10 item 3, figure export never overwrites silently: "Export Figure" from the palette, from the editor-title
// button and from the panel's own button; two views give two files (named by sentence and view); the same view again
// asks before anything is replaced ("Save as …-2" keeps both); the Markdown link goes on its own line after the
// sentence's paragraph (line 1 stays intact); the figures carry axis titles saying which axis is source and target.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ac from '../ac.mjs';

export const name = 'export figure twice: two files, a question before overwriting, the link after the paragraph, axis titles';
export const timeout = 420_000;

const SAVED = /Saved (\S+)\.svg and/;

async function savedName(h, page) {
  const note = await h.waitForNotification(page, SAVED, { timeout: 30_000 });
  return SAVED.exec(note)[1];
}

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({
    open: 'sample.md',
    files: { 'sample.md': ctx.fixture('sample.md'), 'assets/images/.keep': '' },
  });
  const read = (rel) => server.readWorkspaceFile(rel);
  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.showAttention);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(f);
  const shown = await ac.heatmapState(f);
  ctx.log(`panel shows ${JSON.stringify(shown)}`);

  // ---- 1. The editor-title button is there while the panel is open (on the post's title bar too).
  await h.openFile(page, 'sample.md');
  const titleButton = (scope) => page.locator(`${scope} .editor-actions a.action-label[aria-label^="Export Figure"]`);
  await titleButton('.editor-group-container.active').first().waitFor({ state: 'visible', timeout: 15_000 });

  // ---- 2. "Export Figure" from the palette; the link goes after the sentence's paragraph.
  await h.clearNotifications(page);
  await h.runCommand(page, 'Attention Companion: Export Figure');
  const first = await savedName(h, page);
  ctx.log(`first export: ${first}`);
  assert.match(first, /^assets\/images\/attention-은행에-가서-돈을-찾았다-cross-L\d+-(mean|H\d+)$/, 'named by the sentence and the view');
  const firstSvg = read(`${first}.svg`);
  assert.match(firstSvg, /<text class="axis-title cols"[^>]*>Source \(ko\) · keys<\/text>/, 'columns: the Korean source');
  assert.match(firstSvg, /<text class="axis-title rows"[^>]*>Target \(en\) · queries, one row per step<\/text>/, 'rows: the English target');
  await page.locator('.notification-toast .monaco-button', { hasText: 'Insert Markdown link' }).first().click({ timeout: 10_000 });
  await h.sleep(500);
  await h.openFile(page, 'sample.md');
  await h.saveActive(page);
  const post = await server.waitForFile('sample.md', (t) => t.includes(`(${first}.png)`));
  const lines = post.split('\n');
  const at = lines.indexOf(ac.KO_BANK);
  ctx.log(`post around the sentence: ${JSON.stringify(lines.slice(at - 1, at + 5))}`);
  assert.equal(lines[0], ctx.fixture('sample.md').split('\n')[0], 'line 1 untouched');
  assert.equal(lines[at + 1], '', 'a blank line after the paragraph');
  assert.match(lines[at + 2], new RegExp(`^!\\[Cross-attention · Layer \\d+ · [^\\]]+: ${ac.KO_BANK}\\]\\(${first}\\.png\\)$`), 'the link alone on its line');
  assert.equal(lines[at + 3], '', 'a blank line before the next paragraph');

  // ---- 3. Another view, exported with the editor-title button on the panel: a second file, the first unchanged.
  const panel = await ac.attentionFrame(page);
  await h.chooseOption(panel, '#kind-select', 'encoder');
  await h.clearNotifications(page);
  await page.locator('.tabs-container .tab', { hasText: /^\s*Attention\s*$/ }).first().click();
  await titleButton('.editor-group-container.active').first().click({ timeout: 15_000 });
  const second = await savedName(h, page);
  ctx.log(`second export: ${second}`);
  assert.notEqual(second, first);
  assert.match(second, /attention-은행에-가서-돈을-찾았다-encoder-L\d+-/);
  assert.match(read(`${second}.svg`), /<text class="axis-title rows"[^>]*>Source \(ko\) · queries<\/text>/);
  assert.equal(read(`${first}.svg`), firstSvg, 'the first figure is untouched');

  // ---- 4. The same view again with the panel's button: asked first; "Save as …-2" keeps both.
  await h.clearNotifications(page);
  const again = await ac.attentionFrame(page);
  await again.locator('#export-figure').click({ timeout: 15_000 });
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const question = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ');
  ctx.log(`dialog: ${question}`);
  assert.match(question, /already has a figure named/);
  await ctx.screenshot('overwrite-question', page);
  await dialog.locator('.monaco-button', { hasText: /^Save as / }).first().click();
  const third = await savedName(h, page);
  assert.equal(third, `${second}-2`);
  assert.ok(read(`${third}.png`).length > 1000);
  assert.equal(read(`${first}.svg`), firstSvg);

  // The PNGs, to look at.
  const out = join(h.resultsDir);
  mkdirSync(out, { recursive: true });
  copyFileSync(join(server.workspace, `${first}.png`), join(out, `${ctx.slug}-figure-cross.png`));
  copyFileSync(join(server.workspace, `${second}.png`), join(out, `${ctx.slug}-figure-encoder.png`));
  await ctx.screenshot('exported', page);
}
