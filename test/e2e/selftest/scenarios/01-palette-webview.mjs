// Self-test: palette command -> webview panel; text, tokens, canvas and dropdowns read through the two frames.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
export const name = 'self-test: palette command opens a webview; frames, selection, canvas, dropdowns, screenshot';

export async function run(ctx) {
  const { h } = ctx;
  const { page } = await ctx.launch({ settings: { 'acDummy.greeting': 'bonjour' }, open: 'sample.md' });
  await h.selectText(page, '은행에 가서 돈을 찾았다');
  await h.runCommand(page, 'Attention Companion (dummy): Hello');
  const f = await h.webviewFrame(page, 'Dummy Attention');
  await f.locator('#status').waitFor({ timeout: 20_000 });
  assert.equal((await f.locator('#status').textContent()).trim(), 'Dummy says bonjour');   // workspace setting read
  assert.equal(await f.locator('#selection').textContent(), '은행에 가서 돈을 찾았다');      // the selection arrived
  assert.equal(await f.locator('.token-strip.source .token').count(), 4);
  assert.deepEqual(await f.locator('.token-strip.source .token').allTextContents(), ['은행에', '가서', '돈을', '찾았다']);
  // Canvas pixels change when the head (plain select) and the layer (vscode-dropdown) change.
  const c0 = await h.canvasDataUrl(f, 'canvas.heatmap-main');
  await h.chooseOption(f, '#head-select', 'head 2');
  const c1 = await h.canvasDataUrl(f, 'canvas.heatmap-main');
  assert.notEqual(c1, c0, 'head change redraws the canvas');
  assert.equal(await f.locator('canvas.heatmap-main').getAttribute('data-head'), '2');
  await h.chooseOption(f, '#layer-select', 'layer 1');
  const c2 = await h.canvasDataUrl(f, 'canvas.heatmap-main');
  assert.notEqual(c2, c1, 'layer change redraws the canvas');
  assert.equal(await f.locator('canvas.heatmap-main').getAttribute('data-layer'), '1');
  await h.chooseOption(f, '#head-select', { index: 0 });
  const shot = await ctx.screenshot('panel');
  assert.ok(existsSync(shot) && statSync(shot).size > 10_000, 'screenshot written');
}
