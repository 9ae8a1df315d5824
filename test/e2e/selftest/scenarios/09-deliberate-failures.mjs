// Self-test of the runner's failure path (only with E2E_SELFTEST_FAIL=1): a failed assertion inside a webview
// (not ok line, screenshot, teardown) — see also 10-hang for a scenario timeout.
import assert from 'node:assert/strict';
export const name = 'self-test: deliberate failure';
export async function run(ctx) {
  if (process.env.E2E_SELFTEST_FAIL !== '1') return;
  const { h } = ctx;
  const { page } = await ctx.launch({ open: 'sample.md' });
  await h.runCommand(page, 'Attention Companion (dummy): Hello');
  const f = await h.webviewFrame(page, 'Dummy Attention');
  assert.equal((await f.locator('#status').textContent()).trim(), 'something else');
}
