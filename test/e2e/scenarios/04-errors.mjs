// Issue 4, scenario 4: the command with no selection shows a clear message; a model folder setting that points
// nowhere shows an error naming the folder; the extension keeps working afterwards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ac from '../ac.mjs';

export const name = 'errors: no selection, missing model folder, still working afterwards';
export const timeout = 240_000;

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({ open: 'sample.md' });

  // No selection.
  await h.clearSelection(page);
  await h.runCommand(page, ac.CMD.translate);
  const msg = await h.waitForNotification(page, /select/i, { timeout: 20_000 });
  ctx.log(`no selection: ${msg}`);
  await ctx.screenshot('no-selection', page);
  await h.clearNotifications(page);

  // A model folder that does not exist.
  const missing = join(server.root, 'no-such-models-folder');
  server.writeSettings({ 'attentionCompanion.modelPaths': [missing] });
  await h.sleep(3000);                                   // the settings file watcher (slower under load)
  const names = (s) => s.includes(missing) || s.includes('no-such-models-folder');
  let err = (await h.notificationText(page)).find(names);
  if (!err) {
    // Not reported on the settings change: listing the models must report it.
    await h.runCommand(page, ac.CMD.chooseModel);
    err = await h.waitFor(async () => (await h.notificationText(page)).find(names),
      { timeout: 20_000, message: `an error naming ${missing}` });
    await h.dismissQuickInput(page);
  }
  ctx.log(`missing folder: ${err}`);
  await ctx.screenshot('missing-folder', page);
  await h.clearNotifications(page);

  // Still works (the bad folder is still configured; the bundled model is used).
  await ac.selectInSample(page, ac.EN_SHORT);
  await h.runCommand(page, ac.CMD.translate);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await ac.waitForResult(f);
  assert.ok((await ac.pieces(f, 'target')).length > 0, 'a translation was produced');
  assert.equal(ac.joinPieces(await ac.pieces(f, 'source')), ac.EN_SHORT.replace(/\s+/g, ''), 'of the new selection');
  await ctx.screenshot('still-working', page);
}
