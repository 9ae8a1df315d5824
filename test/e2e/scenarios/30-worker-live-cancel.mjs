// Issue 10 item 1: the engine runs in a worker, so the panel (and the workbench) never freeze during a translation:
// a 10 ms timer in the panel and one in the workbench keep ticking through a 17-sentence translation; progress counts
// the sentences as they finish and the finished sentences show in the panel as they come; Cancel ends the run within
// one decoder step and its result never shows. Also measures cold and warm Translate Selection (one sentence).
// Numbers are printed as "# measure:" lines before anything is asserted, so the same scenario measures an older
// build (E2E_VSIX=...) too. The panel's own engine is what this scenario watches: the text process that translates
// for a new panel until that engine has loaded (src/translationService.ts) is turned off here.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'worker: panel and workbench live during a long translation, progress and partial results, cancel';
export const timeout = 900_000;

/** Milliseconds from `t0` until the panel shows a final translation (not partial, not busy) passing `test`. */
async function shownAfter(h, frame, t0, test, { timeout = ac.MODEL_TIMEOUT } = {}) {
  let last;
  await h.waitFor(async () => {
    if (await ac.panelError(frame)) throw Object.assign(new Error(`the panel shows an error: ${await ac.panelError(frame)}`), { fatal: true });
    last = await ac.panelTranslation(frame);
    return last.text && !last.partial && !last.busy && test(last.text);
  }, { timeout, interval: 100, message: `a translation in the panel (last: ${JSON.stringify(last)})` });
  return { ms: Date.now() - t0, text: last.text };
}

export async function run(ctx) {
  const { h } = ctx;
  const problems = [];
  const check = (ok, what) => { if (!ok) problems.push(what); };
  // The cancelled run translates the sentences in another order, each changed: had its result landed, the panel would
  // differ; and none of them is one the engine has translated before (it keeps those: they would come back at once).
  const long = ctx.fixture('long.md');
  const reordered = long.trim().split(/(?<=\.)\s+/).reverse().map((s) => `In short, ${s[0].toLowerCase()}${s.slice(1)}`).join(' ') + '\n';
  const { page } = await ctx.launch({
    settings: { 'attentionCompanion.output': 'panel', 'attentionCompanion.backend': 'wasm', 'attentionCompanion.firstTextFromHost': false },
    files: { 'sample.md': ctx.fixture('sample.md'), 'long.md': long, 'long-reordered.md': reordered },
    open: 'sample.md',
  });

  // 1. Cold, then warm, Translate Selection of one sentence (command accepted -> text shown in the panel).
  await ac.selectInSample(page, ac.EN_SENTENCE);
  let t0 = Date.now();
  await h.runCommand(page, ac.CMD.translate);
  const frame = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  const cold = await shownAfter(h, frame, t0, (t) => ac.HANGUL.test(t));
  ac.measure(ctx, 'cold Translate Selection ms', cold.ms);
  await ac.selectInSample(page, ac.EN_SHORT);
  t0 = Date.now();
  await h.runCommand(page, ac.CMD.translate);
  const warm = await shownAfter(h, frame, t0, (t) => t !== cold.text);
  ac.measure(ctx, 'warm Translate Selection ms', warm.ms);

  // 2. A long translation (17 sentences): timers in the panel and the workbench, progress and partial results.
  await h.openFile(page, 'long.md');
  const chars = await h.selectAll(page);
  const panelBody = frame.locator('body');
  const workbenchBody = page.locator('body');
  await ac.startTicker(panelBody);
  await ac.startTicker(workbenchBody);
  await ac.watchProgress(page);
  await ac.watchPartials(panelBody);
  t0 = Date.now();
  await h.runCommand(page, ac.CMD.translate);
  const sentencesSeen = new Set();
  const partialLengths = new Set();
  let firstPartialMs;
  let final;
  let busyLineSeen = false;
  await h.waitFor(async () => {
    for (const p of await ac.progressTexts(page)) {
      const m = /Sentence (\d+) of (\d+)/.exec(p);
      if (m) sentencesSeen.add(Number(m[1]));
    }
    const now = await ac.panelTranslation(frame);
    // The visible busy line (bar and message) comes when a request outlasts half a second: this one does.
    if (now.busy && !busyLineSeen) busyLineSeen = await frame.locator('#busy').first().isVisible().catch(() => false);
    if (now.partial && now.text) {
      if (firstPartialMs === undefined) {
        firstPartialMs = Date.now() - t0;
        await ctx.screenshot('partial', page);
      }
      partialLengths.add(now.text.length);
    }
    if (!now.partial && !now.busy && now.text && now.text !== warm.text && Date.now() - t0 > 1000) final = now;
    return !!final;
  }, { timeout: 600_000, interval: 200, message: 'the long translation' });
  const longMs = Date.now() - t0;
  // The notification's texts as they changed, not only as the polls above caught them (17 sentences in a few seconds).
  for (const p of await ac.progressSeen(page)) {
    const m = /Sentence (\d+) of (\d+)/.exec(p);
    if (m) sentencesSeen.add(Number(m[1]));
  }
  for (const n of await ac.partialsSeen(panelBody)) partialLengths.add(n);
  const panelTicks = await ac.readTicker(panelBody);
  const workbenchTicks = await ac.readTicker(workbenchBody);
  ac.measure(ctx, `long translation (${chars} characters) ms`, longMs);
  ac.measure(ctx, 'panel timer during it', panelTicks);
  ac.measure(ctx, 'workbench timer during it', workbenchTicks);
  ac.measure(ctx, 'progress sentences seen', [...sentencesSeen].sort((a, b) => a - b).join(','));
  ac.measure(ctx, 'partial results seen (distinct lengths)', partialLengths.size);
  ac.measure(ctx, 'first partial result ms', firstPartialMs ?? null);
  await ctx.screenshot('long-done', page);
  // Bounds for a machine shared with other jobs (there, both timers ticked at about half their rate): the panel's
  // timer never stops for long and keeps up with the workbench's, which runs no engine.
  check(panelTicks.maxGapMs < 1500, `the panel's timer stalled for ${panelTicks.maxGapMs} ms`);
  check(panelTicks.ticks >= workbenchTicks.ticks * 0.8, `the panel's timer ticked ${panelTicks.ticks} times, the workbench's ${workbenchTicks.ticks}`);
  check(workbenchTicks.maxGapMs < 1500, `the workbench's timer stalled for ${workbenchTicks.maxGapMs} ms`);
  check(sentencesSeen.size >= 3, `progress showed only sentences ${[...sentencesSeen]}`);
  check(partialLengths.size >= 2, `the panel showed ${partialLengths.size} partial results`);
  check(busyLineSeen, 'the long translation never showed the panel\'s busy line');
  check(!(await frame.locator('#busy').first().isVisible()), 'the busy line stayed after the result');

  // 3. Cancel during the next long translation: no result lands, the worker stops within one decoder step.
  // (The last progress notification may linger a moment after its result: wait until it is gone.)
  await h.waitFor(async () => (await ac.progressTexts(page)).length === 0, { timeout: 30_000, interval: 100, message: 'the last progress to close' });
  await h.openFile(page, 'long-reordered.md');
  await h.selectAll(page);
  const before = (await ac.panelTranslation(frame)).text;
  await frame.locator('body').evaluate(() => { delete document.body.dataset.engineStoppedAfterMs; });
  await h.runCommand(page, ac.CMD.translate);
  await h.waitFor(async () => (await ac.progressTexts(page)).some((p) => /Sentence ([2-9]|1\d) of 17/.test(p)),
    { timeout: 300_000, interval: 100, message: 'the second sentence to start' });
  const tc = Date.now();
  assert.ok(await ac.cancelProgress(page), 'a Cancel button on the progress notification');
  await h.waitFor(async () => (await ac.progressTexts(page)).length === 0, { timeout: 60_000, interval: 50, message: 'the progress notification to close' });
  const cancelAnsweredMs = Date.now() - tc;
  await h.waitFor(async () => !(await ac.panelTranslation(frame)).busy, { timeout: 120_000, interval: 50, message: 'the panel to stop being busy' });
  const panelIdleMs = Date.now() - tc;
  // The worker reports when the cancelled run stopped; an engine without a worker does not: then wait as long as
  // the long translation took, to see whether its result lands anyway.
  let stoppedAfterMs = null;
  await h.waitFor(async () => {
    const v = await frame.locator('body').evaluate(() => document.body.dataset.engineStoppedAfterMs ?? null);
    if (v !== null) stoppedAfterMs = Number(v);
    return v !== null || Date.now() - tc > longMs;
  }, { timeout: longMs + 60_000, interval: 200, message: 'the cancelled run to stop' });
  await h.sleep(3000);
  const after = await ac.panelTranslation(frame);
  ac.measure(ctx, 'cancel: notification closed after ms', cancelAnsweredMs);
  ac.measure(ctx, 'cancel: panel idle after ms', panelIdleMs);
  ac.measure(ctx, 'cancel: worker stopped computing after ms', stoppedAfterMs);
  await ctx.screenshot('cancelled', page);
  check(after.text === before && !after.partial, `a cancelled translation changed the panel: ${JSON.stringify(after.text.slice(0, 80))}`);
  check(!(await ac.panelError(frame)), `the panel shows an error after cancel: ${await ac.panelError(frame)}`);
  check(stoppedAfterMs !== null && stoppedAfterMs < 5000, `the worker stopped ${stoppedAfterMs} ms after the cancel`);
  // The rest of the run took tens of seconds: closing within a few seconds (polling included) is "at once".
  check(cancelAnsweredMs < 10_000, `Cancel took ${cancelAnsweredMs} ms to close the progress`);

  // 4. The engine is free again at once: a short translation takes warm time.
  await ac.selectInSample(page, ac.EN_SENTENCE);
  t0 = Date.now();
  await h.runCommand(page, ac.CMD.translate);
  const again = await shownAfter(h, frame, t0, (t) => t === cold.text);
  ac.measure(ctx, 'warm Translate Selection after the cancel ms', again.ms);

  assert.deepEqual(problems, [], problems.join('; '));
}
