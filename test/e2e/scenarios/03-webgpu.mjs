// Issue 4, scenario 3: with --enable-unsafe-webgpu the engine reports WebGPU (SwiftShader, a software adapter here)
// and gives the same translation as WASM; without the flag it falls back to WASM and the status bar says so.
// "Same translation" is compared on the target pieces (and the text), so it holds for any model.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'backends: WebGPU with the flag, WASM fallback without it, same translation';
export const timeout = 360_000;

async function translateOnce(ctx, page) {
  const { h } = ctx;
  await ac.selectInSample(page, ac.EN_SHORT);
  await h.runCommand(page, ac.CMD.translate);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(f, { timeout: 180_000 });
  return { text: await ac.text(f, '#translation'), pieces: await ac.pieces(f, 'target'),
    backend: await ac.waitForBackend(f, { timeout: 10_000 }), status: await ac.text(f, '#status') };
}

export async function run(ctx) {
  const { h } = ctx;
  const settings = { 'attentionCompanion.backend': 'auto', 'attentionCompanion.output': 'panel' };
  const a = await ctx.launch({ webgpu: true, settings, open: 'sample.md' });
  const gpu = await translateOnce(ctx, a.page);
  ctx.log(`webgpu: ${JSON.stringify(gpu)}`);
  await ctx.screenshot('webgpu', a.page);
  assert.equal(gpu.backend, 'webgpu', `#status with --enable-unsafe-webgpu: ${gpu.status}`);
  // The panel draws the result before the host hears of it, so wait for the item to show both parts.
  await h.waitForStatusBar(a.page, /→\s*ko\b.*webgpu/i, { timeout: 15_000 });
  await a.browser.close();

  const b = await ctx.launch({ webgpu: false, server: a.server, open: 'sample.md' });
  const cpu = await translateOnce(ctx, b.page);
  ctx.log(`wasm: ${JSON.stringify(cpu)}`);
  await ctx.screenshot('wasm', b.page);
  assert.equal(cpu.backend, 'wasm', `#status without the flag: ${cpu.status}`);
  await h.waitForStatusBar(b.page, /→\s*ko\b.*wasm/i, { timeout: 15_000 });
  assert.deepEqual(cpu.pieces, gpu.pieces, 'WebGPU and WASM choose the same target pieces');
  assert.equal(cpu.text, gpu.text, 'WebGPU and WASM give the same translation');
}
