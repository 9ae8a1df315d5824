// Issue 11 item 7: Restricted Mode behaves as package.json declares ("limited": the workspace's own modelPaths and
// figureFolder are ignored). In an untrusted workspace whose settings name a model folder that does not exist and a
// figure folder outside the workspace: the extension still translates with the bundled model, no error names the
// workspace's model folder (it is never read), Choose Model lists only the bundled model, and a figure goes to the
// default folder (assets/images) instead of being refused.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ac from '../ac.mjs';

export const name = 'restricted mode: workspace modelPaths and figureFolder ignored, translation works';
export const timeout = 600_000;

export async function run(ctx) {
  const { h } = ctx;
  const problems = [];
  const check = (ok, what) => { if (!ok) problems.push(what); };
  const outsideFigures = join(ctx.repo, 'test-results', `restricted-figures-${process.pid}`);
  const { page, server } = await ctx.launch({
    restricted: true,
    settings: {
      'attentionCompanion.output': 'panel', 'attentionCompanion.backend': 'wasm',
      'attentionCompanion.modelPaths': ['/no-such-workspace-models'],
      'attentionCompanion.figureFolder': outsideFigures,
    },
    files: { 'sample.md': ctx.fixture('sample.md'), 'assets/images/.keep': '' },
    open: 'sample.md',
  });
  const restricted = await h.waitFor(async () => (await h.statusBarText(page)).find((t) => /Restricted Mode/i.test(t)),
    { timeout: 30_000, message: 'the Restricted Mode indicator' }).catch(() => null);
  ac.measure(ctx, 'restricted mode indicator', restricted ?? '(none)');
  assert.ok(restricted, 'the workspace opened in Restricted Mode');

  // Translation works with the bundled model.
  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.showAttention);
  const frame = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(frame);
  const status = await ac.text(frame, '#status');
  ac.measure(ctx, 'panel status', status);
  await ctx.screenshot('translated', page);

  // The workspace's model folder is never read: no error names it, and Choose Model lists only the bundled model.
  await h.runCommand(page, ac.CMD.chooseModel);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 15_000 });
  const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
  await h.dismissQuickInput(page);
  ac.measure(ctx, 'Choose Model rows', rows.map((r) => r.replace(/\s+/g, ' ').trim()));
  check(rows.length === 1, `Choose Model lists ${rows.length} models`);
  const named = (await h.notificationText(page)).filter((t) => t.includes('no-such-workspace-models'));
  check(named.length === 0, `an error names the workspace's model folder: ${named}`);

  // The workspace's figure folder is ignored: the figure goes to assets/images, nothing outside.
  await frame.locator('#export-figure').click({ timeout: 15_000 });
  const saved = await h.waitForNotification(page, /Saved .*assets\/images\/.*\.svg/, { timeout: 30_000 }).catch(() => null);
  ac.measure(ctx, 'figure export in restricted mode', saved ?? (await h.notificationText(page)).join(' | '));
  check(!!saved, 'the figure was saved into assets/images');
  check(!existsSync(outsideFigures) || readdirSync(outsideFigures).length === 0, `a figure was written to ${outsideFigures}`);
  check(readdirSync(join(server.workspace, 'assets/images')).some((f) => f.endsWith('.svg')), 'an SVG in assets/images');
  await ctx.screenshot('figure-saved', page);

  assert.deepEqual(problems, [], problems.join('; '));
}
