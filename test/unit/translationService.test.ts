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
import type { HostEngine, HostTranslateOptions, HostTranslation, TextProcessParams } from '../../src/node/textProcessClient';
import { HostTranslationCancelled } from '../../src/node/textProcessClient';
import type { TranslationResult } from '../../src/shared/results';
import type * as vscode from 'vscode';

const pkg = tinyPackage('tiny');
const THREE = 'One sentence here. Another one follows. And a third.';

/**
 * A text process that translates like the fake panel script (each sentence in <>), `stepMs` a sentence, or fails
 * with `failWith`; runs until released.
 */
class FakeHostEngine implements HostEngine {
  running = false;
  readonly asked: string[] = [];
  readonly preloads: string[] = [];
  releases = 0;
  stepMs = 5;
  failWith?: string;

  translate(dir: string, p: TextProcessParams, o: HostTranslateOptions): Promise<HostTranslation> {
    // Like the real client: an abort rejects at once.
    const aborted = new Promise<never>((_, reject) => o.signal.addEventListener('abort', () => reject(new HostTranslationCancelled())));
    return Promise.race([this.work(p, o), aborted]);
  }

  private async work(p: TextProcessParams, o: HostTranslateOptions): Promise<HostTranslation> {
    this.running = true;
    this.asked.push(p.text);
    const sentences = p.text.split(/(?<=\.)\s+/).filter(Boolean);
    const done: string[] = [];
    for (let i = 0; i < sentences.length; i++) {
      o.onProgress?.(i, sentences.length);
      await sleep(this.stepMs);
      if (o.signal.aborted) return new Promise(() => undefined);       // the abort has answered
      done.push(`{${sentences[i]}}`);
      if (i < sentences.length - 1) o.onPartial?.(done.join(' '), false);
    }
    if (this.failWith) throw new Error(this.failWith);
    const text = done.join(' ');
    if (p.attention) o.onPartial?.(text, true);
    const result = { text, from: 'en', to: 'ko', backend: 'wasm', modelId: 'tiny', beam: p.beam, sentences: [], millis: 0 } as TranslationResult;
    return { result, queuedMs: 0, loadMs: 1, translateMs: 1 };
  }

  starts = 0;

  start(): void {
    this.running = true;
    this.starts++;
  }

  readonly preloadTexts: (string | undefined)[] = [];

  preload(dir: string, _from: string, _to: string, _beam: number, text?: string): Promise<number> {
    this.running = true;
    this.preloads.push(dir);
    this.preloadTexts.push(text);
    return Promise.resolve(1);
  }

  release(): void {
    this.running = false;
    this.releases++;
  }
}

/**
 * The service with a real panel whose webview runs a FakePanelScript (`start: false`: the script never starts);
 * `registryMs`: how long the current package takes to resolve.
 */
function setup({ start = true, host, registryFails, registryMs = 0 }: { start?: boolean; host?: FakeHostEngine; registryFails?: string; registryMs?: number } = {}) {
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
    current: async () => {
      if (registryMs) await sleep(registryMs);
      if (registryFails) throw new Error(registryFails);
      return { dir: Uri.file(pkg.dir), manifest: pkg.manifest, bundled: true };
    },
    all: async () => ({ entries: [], problems: [] }),
  } as unknown as ModelRegistry;
  // The notification at once: its reports are checked. The panel's engine loads 30 ms after the text process's result.
  const service = new TranslationService(panel, registry, 0, host, 30);
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

test('a new panel: the text process translates, its whole text and result are drawn; the panel\'s engine loads after', async () => {
  const host = new FakeHostEngine();
  const s = setup({ host });
  try {
    const r = await s.run(THREE, { attention: true });
    assert.equal(r.text, '{One sentence here.} {Another one follows.} {And a third.}');
    const script = s.scripts[0];
    assert.deepEqual(script.translatesAsked, [], 'the panel\'s engine was not asked');
    await sleep(20);
    const note = (n: (typeof script.notified)[number]) => n.method !== 'hostTranslation' ? n.method
      : n.params.step === 'sentences' ? `${n.params.whole ? 'whole' : 'sentences'}: ${n.params.text}` : n.params.step;
    assert.deepEqual(script.notified.map(note), ['started',
      'sentences: {One sentence here.}', 'sentences: {One sentence here.} {Another one follows.}',
      `whole: ${r.text}`, 'show'], 'busy, the finished sentences, the whole text, then the result');
    assert.equal(s.translated.length, 1, 'announced once (the hover cache and the status bar hear of it)');
    assert.ok(shown.progress.some((p) => p.message === 'Sentence 2 of 3'), 'the process\'s progress reaches the notification');
    // A translation soon after goes to the process too, and postpones the panel's load.
    assert.equal((await s.run('Again.', { attention: true })).text, '{Again.}');
    assert.equal(script.loadsAsked.length, 0);
    await sleep(120);
    assert.equal(script.loadsAsked.length, 1, 'the panel\'s engine loaded after a quiet moment');
    assert.ok(script.loadsAsked[0].background, 'a background load');
    assert.deepEqual(script.loadsAsked[0].background.warmUp, { text: 'Again.', to: 'auto', beam: 1, attention: true },
      'warmed up on the last translation\'s first sentence');
    assert.equal(host.releases, 1, 'the process ended once the panel\'s engine was in');
    assert.equal((await s.run('Later.')).text, '<Later.>', 'then the panel\'s engine translates');
    assert.deepEqual(host.asked, [THREE, 'Again.']);
  } finally {
    s.dispose();
  }
});

test('a text process that fails leaves the translation to the panel\'s engine; its page then starts at the load', async () => {
  const host = new FakeHostEngine();
  host.failWith = 'no Node to fork';
  const s = setup({ host });
  try {
    assert.equal((await s.run('One.')).text, '<One.>');
    assert.deepEqual(host.asked, ['One.']);
    assert.ok(shown.logged.some((l) => /text process did not translate.*no Node to fork/.test(l)), 'the log says why');
    assert.equal(s.scripts[0].loadsAsked.length, 1);
    assert.equal(s.scripts[0].loadsAsked[0].background, undefined);
    const html = s.webviewPanel().webview.html;
    assert.match(html, /attention-companion-runtime-start" content="at-load"/, 'the new panel\'s page left the runtime for the load');
  } finally {
    s.dispose();
  }
});

test('cancel while the text process translates: rejected at once, nothing drawn or announced, no load', async () => {
  const host = new FakeHostEngine();
  host.stepMs = 200;
  const s = setup({ host });
  try {
    const pending = s.run('A. B. C. D. E.');
    await sleep(250);
    shown.cancel!();
    await assert.rejects(pending, { name: 'RequestCancelledError' });
    await sleep(100);
    assert.deepEqual(s.scripts[0].notified.map((n) => n.method === 'hostTranslation' ? n.params.step : n.method), ['started', 'sentences', 'cancelled'],
      'busy, the finished sentence drawn, then dropped');
    assert.equal(s.translated.length, 0);
    assert.equal(s.scripts[0].loadsAsked.length, 0, 'nothing to load for');
  } finally {
    s.dispose();
  }
});

test('no text process when WebGPU is asked for, when the setting is off, or for an open panel with its engine in', async () => {
  for (const [key, value] of [['attentionCompanion.backend', 'webgpu'], ['attentionCompanion.firstTextFromHost', false]] as const) {
    settings.set(key, value);
    const host = new FakeHostEngine();
    const s = setup({ host });
    try {
      await s.run('One.');
      assert.deepEqual(host.asked, [], `${key}: ${value}`);
      assert.doesNotMatch(s.webviewPanel().webview.html, /runtime-start/);
    } finally {
      s.dispose();
      settings.delete(key);
    }
  }
  const host = new FakeHostEngine();
  const s = setup({ host });
  try {
    host.failWith = 'gone';
    await s.run('One.');
    host.failWith = undefined;
    assert.equal(host.releases, 1, 'the process ended once the panel\'s engine was in');
    await s.run('Two.');
    assert.deepEqual(host.asked, ['One.'], 'the panel\'s engine is in: it translates');
  } finally {
    s.dispose();
  }
});

test('text selected with no panel open preloads the package in the text process, in the selection\'s direction', async () => {
  const host = new FakeHostEngine();
  const s = setup({ host });
  try {
    assert.equal(await s.service.prepare('어텐션은 무엇인가? 두 번째 문장.'), true, 'it says the process preloads (the runtime files can wait)');
    assert.equal(host.starts, 1, 'started before the package was read');
    assert.deepEqual(host.preloads, [pkg.dir]);
    assert.deepEqual(host.preloadTexts, ['어텐션은 무엇인가?'], 'the selection\'s first sentence, to translate ahead');
    await s.run('One.');                          // the panel opens
    assert.equal(await s.service.prepare('Again.'), false);
    assert.equal(host.preloads.length, 1, 'not with a panel open');
    s.panel.dispose();
    settings.set('attentionCompanion.backend', 'webgpu');
    assert.equal(await s.service.prepare('Again.'), false);
    assert.equal(host.preloads.length, 1, 'not for WebGPU');
  } finally {
    s.dispose();
  }
});

test('a process started at the selection for a package that cannot be read is ended at once', async () => {
  const host = new FakeHostEngine();
  const s = setup({ host, registryFails: 'the model folder is gone' });
  try {
    await assert.rejects(s.service.prepare('Attention.'), /the model folder is gone/);
    assert.equal(host.starts, 1);
    assert.deepEqual(host.preloads, []);
    assert.equal(host.releases, 1, 'ended: nothing will be preloaded');
    assert.equal(host.running, false);
  } finally {
    s.dispose();
  }
});

test('a panel closed while the text process translates fails the translation at once, with the reason', async () => {
  const host = new FakeHostEngine();
  host.stepMs = 200;
  const s = setup({ host });
  try {
    const pending = s.run('A. B. C. D. E.');
    await sleep(50);
    const t0 = Date.now();
    s.webviewPanel().dispose();
    await assert.rejects(pending, (e: Error) => e.name === 'ChannelClosedError' && /closed before it answered/.test(e.message));
    assert.ok(Date.now() - t0 < 150, `failed after ${Date.now() - t0} ms, not when the process ended`);
    assert.equal(s.translated.length, 0);
  } finally {
    s.dispose();
  }
});

test('a panel closed while the package is resolved, before the text process is asked: failed too, nothing translated', async () => {
  const host = new FakeHostEngine();
  const s = setup({ host, registryMs: 100 });
  try {
    const pending = s.run('A. B.');
    await sleep(20);
    s.webviewPanel().dispose();
    await assert.rejects(pending, (e: Error) => e.name === 'ChannelClosedError' && /closed before it answered/.test(e.message));
    assert.deepEqual(host.asked, [], 'the process was not asked');
    assert.equal(s.translated.length, 0);
  } finally {
    s.dispose();
  }
});
