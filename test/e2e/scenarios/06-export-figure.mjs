// Issue 5, figure export: "Export figure" in the Attention panel saves SVG and PNG (light theme, Korean labels) into
// assets/images/ of the workspace, and "Insert Markdown link" puts the image link into the post.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'export figure: SVG and PNG into assets/images, Markdown link inserted';
export const timeout = 240_000;

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({
    open: 'sample.md',
    files: { 'sample.md': ctx.fixture('sample.md'), 'assets/images/.keep': '' },
  });
  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.showAttention);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(f);
  await f.locator('#export-figure').click({ timeout: 15_000 });
  const note = await h.waitForNotification(page, /Saved .*assets\/images\/.*\.svg/, { timeout: 30_000 });
  const base = /assets\/images\/([^\s]+)\.svg/.exec(note)[1];
  const svg = await h.waitFor(() => { try { return server.readWorkspaceFile(`assets/images/${base}.svg`); } catch { return null; } },
    { timeout: 10_000, message: 'the SVG file' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /fill="#ffffff"/i, 'light background for print');
  assert.ok(svg.includes('은') && svg.includes('Noto Sans KR'), 'Korean labels with fonts that carry Hangul');
  const png = server.readWorkspaceFile(`assets/images/${base}.png`);
  assert.ok(png.length > 1000, 'a PNG was written');
  await page.locator('.notification-toast .monaco-button', { hasText: 'Insert Markdown link' }).first().click({ timeout: 10_000 });
  await h.sleep(500);
  await h.openFile(page, 'sample.md');                   // the panel's group is active after the toast: back to the post
  await h.saveActive(page);
  await server.waitForFile('sample.md', (t) => t.includes(`](assets/images/${base}.png)`));
  await ctx.screenshot('exported', page);
}
