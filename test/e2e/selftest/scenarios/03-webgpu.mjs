// Self-test: --enable-unsafe-webgpu gives the webview a (software) WebGPU adapter; without it there is none.
// Both browsers talk to one code-server.
import assert from 'node:assert/strict';
export const name = 'self-test: webgpu flag on/off in the webview, two browsers on one server';

export async function run(ctx) {
  const { h } = ctx;
  const a = await ctx.launch({ webgpu: true, open: 'sample.md' });
  await h.runCommand(a.page, 'Attention Companion (dummy): Hello');
  let f = await h.webviewFrame(a.page, 'Dummy Attention');
  await h.waitFor(async () => (await f.locator('#gpu').textContent()) !== 'checking', { timeout: 20_000, message: '#gpu' });
  assert.equal(await f.locator('#gpu').textContent(), 'webgpu adapter');
  await ctx.screenshot('webgpu', a.page);
  await a.browser.close();
  const b = await ctx.launch({ webgpu: false, server: a.server, open: 'sample.md' });
  await h.runCommand(b.page, 'Attention Companion (dummy): Hello');
  f = await h.webviewFrame(b.page, 'Dummy Attention');
  await h.waitFor(async () => (await f.locator('#gpu').textContent()) !== 'checking', { timeout: 20_000, message: '#gpu' });
  assert.equal(await f.locator('#gpu').textContent(), 'no adapter');
  await ctx.screenshot('no-webgpu', b.page);
}
