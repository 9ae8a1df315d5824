// Issue 4, scenario 1: select an English sentence of the paper, run Translate Selection from the palette:
// Korean text appears in the Attention panel; with attentionCompanion.output = "replace", in the document.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'translate selection: into the panel, then with output=replace into the document';
export const timeout = 300_000;

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({ settings: { 'attentionCompanion.output': 'panel' }, open: 'sample.md' });

  // 1. Into the panel.
  await ac.selectInSample(page, ac.EN_SENTENCE);
  await h.runCommand(page, ac.CMD.translate);
  const frame = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  const ko = await ac.waitForTranslation(frame, { test: (t) => ac.HANGUL.test(t) });
  ctx.log(`translation: ${ko}`);
  assert.ok(!ko.includes('significantly more parallelization'), `the panel shows a translation, not the source: ${ko}`);
  await h.waitForStatusBar(page, /en\s*→\s*ko/, { timeout: 15_000 });
  assert.ok((await h.editorText(page)).includes('parallelization'), 'output=panel leaves the document alone');
  await ctx.screenshot('panel', page);

  // 2. output = replace: the selection is replaced by the translation (settings file changed while running).
  server.writeSettings({ 'attentionCompanion.output': 'replace' });
  await h.sleep(3000);                                   // the settings file watcher (slower under load)
  await ac.selectInSample(page, ac.EN_SENTENCE);
  await h.runCommand(page, ac.CMD.translate);
  await h.waitFor(async () => !(await h.editorText(page)).includes('parallelization'),
    { timeout: ac.MODEL_TIMEOUT, message: 'the selected sentence to be replaced in the editor' });
  await h.saveActive(page);
  const doc = await server.waitForFile('sample.md', (t) => !t.includes('parallelization'));
  const line = doc.split('\n').find((l) => l.startsWith('> ') && ac.HANGUL.test(l));
  assert.ok(line, `a quote line in Korean after replace; document:\n${doc.slice(0, 600)}`);
  assert.equal(line.slice(2).replace(/\s+/g, ' ').trim(), ko, 'the document gets the same translation as the panel');
  assert.ok(!doc.includes('significantly more parallelization'), 'the English sentence is gone');
  assert.ok(doc.includes(ac.EN_SHORT) && doc.includes(ac.KO_BANK), 'the rest of the document is untouched');
  await ctx.screenshot('replaced', page);
}
