// Issue 10 item 5, first run: what `npm start` serves (scripts/sampleWorkspace.mjs) shows the sample post, the
// walkthrough beside it and the status item at once, before any command, with no webview (nothing heavy) started;
// the status item has a spoken name; the walkthrough's first step opens the sample with a sentence selected.
import assert from 'node:assert/strict';
import { sampleServerOptions, sampleUrl, SAMPLE_FILE } from '../../../scripts/sampleWorkspace.mjs';
import * as ac from '../ac.mjs';

export const name = 'first run: sample post, walkthrough and status item without a command; step 1 selects a sentence';
export const timeout = 420_000;

const SENTENCE = '은행에 가서 돈을 찾았다';

export async function run(ctx) {
  const { h } = ctx;
  const server = await h.startCodeServer(sampleServerOptions(ctx.repo, ctx.vsix));
  const { page } = await ctx.launch({ server, url: sampleUrl });
  const t0 = Date.now();

  // ---- 1. The post is open in the editor, from the address alone.
  await page.locator(`.tabs-container .tab[aria-label*="${SAMPLE_FILE}"]`).first().waitFor({ state: 'visible', timeout: 90_000 });
  await h.waitFor(async () => /논문 읽기/.test(await h.editorText(page).catch(() => '')), { timeout: 90_000, message: 'the sample post in an editor' });

  // ---- 2. The status item shows from startup (the extension activates on startup finished), no command run.
  const item = await ac.waitForStatusItem(page, { timeout: 60_000 });
  ctx.log(`status item ${JSON.stringify(item)} after ${Date.now() - t0} ms`);
  assert.match(item.text, /^AC auto$/, `before any translation the item says "AC auto": ${item.text}`);
  assert.match(item.aria, /^Attention Companion: direction automatic, model not loaded yet, backend not loaded yet\./,
    `the item's spoken name is words, not "symbol-event AC": ${item.aria}`);

  // ---- 3. The walkthrough opened beside the post, once, by itself.
  const walkthrough = page.locator('.gettingStartedContainer').filter({ hasText: 'Get started with Attention Companion' });
  await walkthrough.first().waitFor({ state: 'visible', timeout: 90_000 });
  const steps = await walkthrough.first().locator('.getting-started-step .step-title').allTextContents();
  ctx.log(`walkthrough steps: ${JSON.stringify(steps)}`);
  assert.deepEqual(steps.map((s) => s.trim()).slice(0, 4), ['Open the sample post', 'Translate a selection', 'Inspect the attention', 'Read with the companion']);
  // Nothing heavy ran: no webview of this extension (panel, companion, onnxruntime) exists yet. (The walkthrough's
  // Markdown is a webview of VS Code's own: its address names no extension.)
  const ours = await page.locator('iframe.webview').evaluateAll((fs) => fs.filter((f) => /extensionId=attention-companion/.test(f.src)).length);
  assert.equal(ours, 0, 'no webview of the extension started at startup');
  await ctx.screenshot('startup', page);

  // ---- 4. Step 1's button opens the sample with the sentence selected, ready for Translate Selection.
  const button = walkthrough.first().locator('.getting-started-step.expanded').getByRole('button', { name: 'Open the Sample Post' });
  await button.click({ timeout: 15_000 });
  const want = [...SENTENCE].length;
  await h.waitFor(async () => new RegExp(`\\(${want} selected\\)`).test((await h.selectionStatus(page)) ?? ''), {
    timeout: 15_000, message: `a selection of ${want} characters (status bar: ${await h.selectionStatus(page)})`,
  });
  const active = await page.locator('.tabs-container .tab.active').allTextContents();
  assert.ok(active.some((t) => t.includes(SAMPLE_FILE)), `the sample is the active editor: ${JSON.stringify(active)}`);
  // Only one copy of the post, where it was: the workspace's, not an untitled duplicate nor a second editor.
  assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).count(), 0);
  assert.equal(await page.locator(`.tabs-container .tab[aria-label*="${SAMPLE_FILE}"]`).count(), 1, 'the post in one editor');
  await ctx.screenshot('sample-selected', page);

}
