// Self-test: notifications, status bar, quick pick of a command, settings changed while running, edits saved.
import assert from 'node:assert/strict';
export const name = 'self-test: notifications, status bar, quick pick, live settings, document edit';

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({ open: 'sample.md' });
  // Error notification text.
  await h.runCommand(page, 'Attention Companion (dummy): Fail');
  const msg = await h.waitForNotification(page, /model folder/);
  assert.match(msg, /\/nonexistent\/models/);
  await ctx.screenshot('error-toast');
  await h.clearNotifications(page);
  assert.deepEqual(await h.notificationText(page), []);
  // Status bar item, changed through a command's own quick pick.
  assert.match(await h.waitForStatusBar(page, '→'), /^AC dummy en→ko · wasm$/);
  await h.runCommand(page, 'Attention Companion (dummy): Pick Direction');
  await h.pickQuickItem(page, 'ko → en');
  await h.waitForStatusBar(page, 'AC dummy ko→en · wasm', { timeout: 5_000 });
  // No selection -> the command warns.
  await h.clearSelection(page);
  await h.runCommand(page, 'Attention Companion (dummy): Uppercase Selection');
  assert.match(await h.waitForNotification(page, /select some text/), /select some text first/);
  // Settings rewritten on disk reach the running extension.
  server.writeSettings({ 'acDummy.greeting': 'changed on disk' });
  await h.waitFor(async () => {
    await h.runCommand(page, 'Attention Companion (dummy): Hello');
    const f = await h.webviewFrame(page, 'Dummy Attention');
    return /changed on disk/.test(await f.locator('#status').textContent({ timeout: 10_000 }));
  }, { timeout: 20_000, interval: 500, message: 'the new setting in the panel' });
  // Edit the document (replace the selection), save, read the file back.
  await h.openFile(page, 'sample.md');
  await h.selectText(page, 'twelve hours');
  await h.runCommand(page, 'Attention Companion (dummy): Uppercase Selection');
  await h.waitFor(async () => (await h.editorText(page)).includes('TWELVE HOURS'), { timeout: 5_000, message: 'edit in the editor' });
  await h.saveActive(page);
  await server.waitForFile('sample.md', /as little as TWELVE HOURS on eight/);
  await ctx.screenshot('edited');
}
