// TranslationService (src/translationService.ts) over the real AttentionPanel, EngineClient and protocol, with a
// stand-in vscode module and a fake engine script in the panel: one model load per panel start, live per-sentence
// progress, cancel answered at once (while the model loads, and while it translates; a cancelled result is never
// announced), a newer request superseding an older one, the size limit, the attention-left-out message, and a
// panel closed or reloaded while it works.
import './fakes/installVscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Uri, settings, shown, window, type FakeWebviewPanel } from './fakes/vscode';
import { FakePanelScript, sleep, tinyPackage } from './fakes/panelScript';
import { AttentionPanel } from '../../src/panels/attentionPanel';
import { SupersededError, TranslationService, type RunOptions, type TranslatedEvent } from '../../src/translationService';
import type { ModelRegistry } from '../../src/models/registry';
import type * as vscode from 'vscode';

const pkg = tinyPackage('tiny');
const THREE = 'One sentence here. Another one follows. And a third.';

/** The service with a real panel whose webview runs a FakePanelScript (`start: false`: the script never starts). */
function setup({ start = true } = {}) {
  const scripts: FakePanelScript[] = [];
  let webviewPanel: FakeWebviewPanel | undefined;
  const startScript = () => {
    const webview = webviewPanel!.webview;
    const script = new FakePanelScript((m) => webview.fromScript(m));
    scripts.push(script);
    webview.toScript = (m) => void script.endpoint.receive(m);
    script.start();
  };
  window.onCreatePanel = (p) => {
    webviewPanel = p;
    p.webview.onReload = startScript;
    if (start) startScript();
  };
  const panel = new AttentionPanel(Uri.file('/ext') as unknown as vscode.Uri, () => [Uri.file(pkg.dir)] as unknown as vscode.Uri[]);
  const registry = {
    current: async () => ({ dir: Uri.file(pkg.dir), manifest: pkg.manifest, bundled: true }),
    all: async () => ({ entries: [], problems: [] }),
  } as unknown as ModelRegistry;
  const service = new TranslationService(panel, registry, 0);      // the notification at once: its reports are checked
  const translated: TranslatedEvent[] = [];
  const loaded: unknown[] = [];
  service.onDidTranslate.event((e) => translated.push(e));
  service.onDidLoadModel.event((e) => loaded.push(e));
  const run = (text: string, o: Partial<RunOptions> = {}) =>
    service.run(text, { display: true, attention: false, editorKey: 'doc', title: 'translating', ...o });
  const dispose = () => { service.dispose(); panel.dispose(); };
  return { service, panel, scripts, translated, loaded, run, dispose, webviewPanel: () => webviewPanel!, startScript };
}

beforeEach(() => {
  shown.reset();
  settings.clear();
  settings.set('attentionCompanion.beamSize', 1);
});

test('one load per panel start, live per-sentence progress, the result announced once', async () => {
  const s = setup();
  try {
    const r = await s.run(THREE);
    assert.equal(r.text, '<One sentence here.> <Another one follows.> <And a third.>');
    const messages = shown.progress.map((p) => p.message);
    for (const m of ['Sentence 1 of 3', 'Sentence 2 of 3', 'Sentence 3 of 3']) assert.ok(messages.includes(m), `${m} in ${messages}`);
    const total = shown.progress.reduce((sum, p) => sum + (p.increment ?? 0), 0);
    assert.ok(Math.abs(total - 100) < 1e-9, `the increments add up to 100, not ${total}`);
    assert.equal(s.translated.length, 1);
    assert.deepEqual(s.loaded, [{ id: 'tiny', backend: 'wasm', choice: { backend: 'wasm', reason: 'noAdapter' } }]);
    await s.run('Again.');
    assert.equal(s.scripts[0].loadsAsked.length, 1, 'the model is loaded once');
  } finally {
    s.dispose();
  }
});

test('cancel while the model loads answers at once; the load goes on and serves the next request', async () => {
  const s = setup({ start: false });
  try {
    const pending = s.run(THREE);
    await sleep(5);
    s.startScript();
    s.scripts[0].loadDelayMs = 1000;
    await sleep(30);
    const t0 = Date.now();
    shown.cancel!();
    await assert.rejects(pending, { name: 'RequestCancelledError' });
    assert.ok(Date.now() - t0 < 300, `answered after ${Date.now() - t0} ms, not when the 1 s load ended`);
    assert.equal(s.translated.length, 0);
    await s.run('Next.');
    assert.equal(s.scripts[0].loadsAsked.length, 1, 'the cancelled load was kept, not asked again');
  } finally {
    s.dispose();
  }
});

test('cancel during a translation: rejected at once, never announced, the engine stops at its next step', async () => {
  const s = setup();
  try {
    await s.run('Warm up.');
    // 10 sentences of 200 ms: cancelled after ~300 ms, the run had ~1.7 s left. Bounds leave room for a loaded machine.
    s.scripts[0].stepMs = 200;
    const pending = s.run('A. B. C. D. E. F. G. H. I. J.');
    await sleep(300);
    const t0 = Date.now();
    shown.cancel!();
    await assert.rejects(pending, { name: 'RequestCancelledError' });
    assert.ok(Date.now() - t0 < 500, `answered after ${Date.now() - t0} ms`);
    await sleep(600);
    assert.equal(s.translated.length, 1, 'only the warm-up was announced');
    const stopped = s.scripts[0].stoppedAfterMs;
    assert.ok(stopped !== undefined && stopped <= 600, `the engine stopped ${stopped} ms after the cancel (one step is 200 ms)`);
  } finally {
    s.dispose();
  }
});

test('a newer request for the same editor supersedes the older one', async () => {
  const s = setup();
  try {
    await s.run('Warm up.');
    s.scripts[0].stepMs = 30;
    const older = s.run('A. B. C. D.');
    await sleep(20);
    const newer = s.run('E.');
    await assert.rejects(older, (e: Error) => e instanceof SupersededError);
    assert.equal((await newer).text, '<E.>');
    const other = s.run('F.', { editorKey: 'other' });
    assert.equal((await other).text, '<F.>', 'another editor runs alongside');
  } finally {
    s.dispose();
  }
});

test('text over maxInputLength is refused with the limit named, before any load', async () => {
  settings.set('attentionCompanion.maxInputLength', 10);
  const s = setup();
  try {
    await assert.rejects(s.run('This is longer than ten.'), /24 characters; the limit is 10/);
    assert.equal(s.scripts.length, 0, 'the panel was not even opened');
  } finally {
    s.dispose();
  }
});

test('attention left out: the panel reports it for a result it draws; other results get a message', async () => {
  const s = setup();
  try {
    await s.run('Warm up.');
    s.scripts[0].leftOut = { sentences: 1, of: 2, limitBytes: 16 * 2 ** 20, message: 'left out' };
    await s.run('A. B.', { display: true });
    assert.deepEqual(shown.warnings, []);
    await s.run('A. B.', { display: false });
    assert.equal(shown.warnings.length, 1);
    assert.match(shown.warnings[0], /left out for 1 of 2 sentences.*16 MB/);
  } finally {
    s.dispose();
  }
});

test('a panel closed before its script started fails the waiting translation at once', async () => {
  const s = setup({ start: false });
  const pending = s.run(THREE);
  await sleep(20);
  const t0 = Date.now();
  s.webviewPanel().dispose();
  await assert.rejects(pending, (e: Error) => e.name === 'ChannelClosedError' && /closed before it answered/.test(e.message));
  assert.ok(Date.now() - t0 < 200, `failed after ${Date.now() - t0} ms, not after the 60 s start timeout`);
  s.dispose();
});

test('after the panel reloads, the host loads the model into the new script', async () => {
  const s = setup();
  try {
    await s.run('Before.');
    s.startScript();                                  // "Developer: Reload Webviews": a new script, an empty engine
    await sleep(10);
    assert.equal((await s.run('After.')).text, '<After.>');
    assert.equal(s.scripts[1].loadsAsked.length, 1, 'loaded again');
  } finally {
    s.dispose();
  }
});
