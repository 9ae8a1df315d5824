// Runs translations through the Attention panel (its engine, or for a new panel the extension host's text process
// until that engine has loaded): one live request per editor (a newer one supersedes it), progress, timeouts.
import * as vscode from 'vscode';
import type { LoadModelParams, TranslateParams } from './shared/protocol';
import { ChannelClosedError, RequestCancelledError } from './shared/ipc';
import { parseProgress } from './shared/progressMessage';
import type { BackendChoice, TranslationResult } from './shared/results';
import { PANEL_PEER, type AttentionPanel } from './panels/attentionPanel';
import type { LoadedModel } from './panels/engineClient';
import type { ModelEntry, ModelRegistry } from './models/registry';
import { readSettings, SECTION, type Settings } from './config';
import { showSettingError } from './commands/settingsLink';
import { splitSentences } from './engine/sentences';
import { detectLanguage } from './engine/language';
import { untilAborted } from './engine/concurrency';
import { formatMegabytes } from './engine/attentionBudget';
import { openTimelines, Timeline } from './shared/timeline';
import { verifyPackageFiles } from './models/packageVerifier';
import { PROGRESS_DELAY_MS, withProgressAfterDelay } from './progressAfterDelay';
import { HostTranslationCancelled, type HostEngine } from './node/textProcessClient';
import { logLine, logTimeline } from './timingLog';

/**
 * After a translation from the text process, how long the panel waits without another before its own engine loads
 * (for the translations after): a load beside a translation would slow both on two cores, and the process answers the
 * next ones meanwhile.
 */
export const PANEL_LOAD_DELAY_MS = 5_000;

/**
 * The most characters of a first sentence a warm-up translates (the selection's, in the text process's preload; the
 * last translation's, in the panel's later load): a few hundred milliseconds of CPU at most.
 */
const WARMUP_CHARS = 300;

export class SupersededError extends RequestCancelledError {
  constructor() {
    super('Superseded by a newer request for the same editor.');
  }
}

/** The selection is longer than attentionCompanion.maxInputLength: the command offers to translate its first part. */
export class SelectionTooLongError extends Error {
  constructor(readonly length: number, readonly limit: number) {
    super(vscode.l10n.t('The selection has {0} characters; the limit is {1} (setting attentionCompanion.maxInputLength).', length, limit));
    this.name = 'SelectionTooLongError';
  }
}

export interface RunOptions {
  display: boolean; attention: boolean; steps?: boolean; editorKey: string; title: string;
  /** Where the text came from: the hover inspector marks this range and explains words in it. */
  origin?: { document: vscode.TextDocument; range: vscode.Range };
  /** Marks where the time goes (the timing log); the model load's steps are marked in it too. */
  timeline?: Timeline;
}

export interface TranslatedEvent { result: TranslationResult; editorKey: string; origin?: RunOptions['origin']; version?: number }

export class TranslationService {
  private readonly live = new Map<string, AbortController>();
  private readonly progress = new Map<number, (done: number, total: number) => void>();
  private readonly timelines = new Map<number, Timeline>();
  private readonly reported = new Set<string>();
  /** The panel engine's load for later translations, waiting for a quiet moment (PANEL_LOAD_DELAY_MS). */
  private laterLoad?: ReturnType<typeof setTimeout>;
  private checkedPaths?: string;
  readonly onDidTranslate = new vscode.EventEmitter<TranslatedEvent>();
  readonly onDidLoadModel = new vscode.EventEmitter<{ id: string; backend: string; choice: BackendChoice }>();

  /**
   * `progressDelayMs`: how long a translation runs before its progress notification appears (tests pass 0).
   * `hostEngine`: translates for a cold panel in the extension host (src/node/textProcessClient.ts).
   * `panelLoadDelayMs`: PANEL_LOAD_DELAY_MS (tests shorten it).
   */
  constructor(private readonly panel: AttentionPanel, private readonly registry: ModelRegistry, private readonly progressDelayMs = PROGRESS_DELAY_MS,
    private readonly hostEngine?: HostEngine, private readonly panelLoadDelayMs = PANEL_LOAD_DELAY_MS) {
    panel.onNotification((n) => {
      if (n.method === 'timeline') this.timelines.get(n.params?.requestId)?.add(n.params?.marks);   // add() checks each mark
      if (n.method !== 'progress') return;
      const p = parseProgress(n.params);                  // what a webview posts is checked, not trusted
      if (p) this.progress.get(p.requestId)?.(p.done, p.total);
    });
  }

  async run(text: string, opts: RunOptions): Promise<TranslationResult> {
    const settings = readSettings();
    if (text.length > settings.maxInputLength) throw new SelectionTooLongError(text.length, settings.maxInputLength);
    // Checked again when the setting changes (extension.ts); here once per list, not on every translation.
    const paths = JSON.stringify(settings.modelPaths);
    if (paths !== this.checkedPaths) {
      this.checkedPaths = paths;
      void this.checkModelPaths(settings.modelPaths);
    }
    this.live.get(opts.editorKey)?.abort(new SupersededError());
    const abort = new AbortController();
    this.live.set(opts.editorKey, abort);
    const version = opts.origin?.document.version;
    const timeline = opts.timeline;
    if (timeline) openTimelines.add(timeline);
    // No panel yet (or one whose engine has not loaded while the text process runs): its page would spend seconds
    // starting its engine. The extension host's text process translates instead and the panel draws its result; the
    // page's engine starts after it, for the next translations: two cores do not fit both at once (docs/PERFORMANCE.md,
    // "The first translations from the extension host").
    // Not when WebGPU was asked for: the process runs WebAssembly.
    const viaHost = opts.display && settings.firstTextFromHost && settings.backend !== 'webgpu' && this.hostEngine !== undefined
      && (this.panel.openWithRuntimeAtLoad() || this.hostEngine.running);
    clearTimeout(this.laterLoad);
    try {
      // The notification (with its Cancel) appears only when the translation outlasts a moment (progressAfterDelay.ts).
      return await withProgressAfterDelay(opts.title, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort(new RequestCancelledError()));
        const cancelled = () => (abort.signal.reason instanceof Error ? abort.signal.reason : new RequestCancelledError());
        const model = await this.registry.current();
        timeline?.mark('host: model package resolved');
        const backendLabel = settings.backend === 'auto' ? 'WebGPU / WebAssembly' : settings.backend;
        progress.report({ message: vscode.l10n.t('Loading model {0} ({1})…', model.manifest.id, backendLabel) });
        const params: TranslateParams = { text, to: settings.targetLanguage, beam: settings.beamSize, attention: opts.attention, steps: opts.steps, display: opts.display };
        const sentences = Math.max(1, splitSentences(text).length);
        let last = 0;
        const reportProgress = (done: number, total: number) => {
          const pct = (100 * done) / Math.max(total, 1);
          progress.report({ message: vscode.l10n.t('Sentence {0} of {1}', Math.min(done + 1, total), total), increment: Math.max(0, pct - last) });
          last = Math.max(last, pct);
        };
        let hosted: TranslationResult | undefined;
        if (viaHost && model.dir.scheme === 'file') {
          // Cancel answers at once here too (the process stops within a decoder step), and so does closing the panel.
          const closing = this.panel.onDidClose(() => abort.abort(new ChannelClosedError(PANEL_PEER)));
          // viaHost found a panel open (or opened one): not open now means closed while the package was resolved.
          if (!this.panel.isOpen) abort.abort(new ChannelClosedError(PANEL_PEER));
          try {
            if (!abort.signal.aborted) {
              const timeoutMs = 120_000 + 20_000 * sentences;
              hosted = await untilAborted(this.translateInHost(model, params, timeoutMs, abort.signal, reportProgress, timeline), abort.signal, cancelled);
            }
          } finally {
            closing.dispose();
          }
        }
        if (abort.signal.aborted) throw cancelled();
        if (hosted) {
          this.panel.showResult(hosted);
          timeline?.mark('host: result posted to the panel');
          this.loadLater(model, settings, params);
          this.onDidTranslate.fire({ result: hosted, editorKey: opts.editorKey, origin: opts.origin, version });
          return hosted;
        }
        // Cancel answers at once while the model loads; the load itself goes on for the next request.
        const loaded = await untilAborted(this.loadPanelEngine(model, settings, opts.attention), abort.signal, cancelled);
        timeline?.mark('host: model ready in the webview');
        progress.report({ message: vscode.l10n.t('Translating on {0}…', loaded.info.backend) });
        let requestId = -1;
        const onId = (id: number) => {
          requestId = id;
          if (timeline) this.timelines.set(id, timeline);
          timeline?.mark('host: translate request sent');
          this.progress.set(id, reportProgress);
        };
        const result = await this.panel.request('translate', params, { timeoutMs: 120_000 + 20_000 * sentences, signal: abort.signal, onId })
          .catch((e: unknown) => { throw abort.signal.aborted ? cancelled() : e; })   // why it was cancelled (superseded?)
          .finally(() => {
            this.progress.delete(requestId);
            this.timelines.delete(requestId);
          });
        timeline?.mark('host: result received');
        if (abort.signal.aborted) throw cancelled();               // a cancelled result is never shown
        // The panel shows what was left out of a result it draws; a result it does not draw gets a message here.
        const leftOut = result.attentionLeftOut;
        if (leftOut && !opts.display) {
          void vscode.window.showWarningMessage(vscode.l10n.t('Attention Companion: attention was left out for {0} of {1} sentences, to keep one translation under {2} MB. Select less text to see it.',
            leftOut.sentences, leftOut.of, formatMegabytes(leftOut.limitBytes)));
        }
        this.onDidTranslate.fire({ result, editorKey: opts.editorKey, origin: opts.origin, version });
        return result;
      }, this.progressDelayMs);
    } finally {
      if (timeline) openTimelines.delete(timeline);
      if (this.live.get(opts.editorKey) === abort) this.live.delete(opts.editorKey);
    }
  }

  /**
   * The panel's engine loads `model` (once per package and backend); the status bar and the text process hear of it.
   * `background`: a load for later translations (this one's result is in).
   */
  private loadPanelEngine(model: ModelEntry, settings: Settings, attention: boolean, background?: LoadModelParams['background']): Promise<LoadedModel> {
    const loading = this.panel.ensureModel(model.dir, model.manifest, settings.backend, attention ? 'attention' : 'plain', background);
    loading.then((loaded) => {
      this.hostEngine?.release();                    // the panel translates from now on: the process's memory goes
      this.onDidLoadModel.fire({ id: loaded.info.id, backend: loaded.info.backend, choice: loaded.info.backendChoice });
    }, () => undefined);
    return loading;
  }

  /**
   * The panel's engine loads after a quiet moment (PANEL_LOAD_DELAY_MS; a translation meanwhile postpones it), as a
   * timeline of its own in the log, warmed up on the first sentence of `last` (the translation just made). A failure is
   * met again, with its message, by the next translation that needs it.
   */
  private loadLater(model: ModelEntry, settings: Settings, last: TranslateParams): void {
    const first = splitSentences(last.text)[0]?.text.slice(0, WARMUP_CHARS) ?? last.text.slice(0, WARMUP_CHARS);
    const warmUp = { text: first, to: last.to, from: last.from, beam: last.beam, attention: last.attention, steps: last.steps };
    clearTimeout(this.laterLoad);
    this.laterLoad = setTimeout(() => {
      const timeline = new Timeline();
      timeline.mark('host: the panel\'s engine loads for later translations');
      openTimelines.add(timeline);
      this.loadPanelEngine(model, settings, last.attention, { warmUp }).then(() => {
        timeline.mark('host: the panel\'s engine loaded');
        logTimeline('The Attention panel\'s engine, loaded after a translation from the text process', timeline);
      }, () => undefined).finally(() => openTimelines.delete(timeline));
    }, this.panelLoadDelayMs);
  }

  /**
   * `params` translated by the text process, its whole text drawn in the panel as soon as it is known; undefined when
   * the process failed or did not answer within `timeoutMs` (the panel's engine translates then, as without it), or
   * the run was cancelled.
   */
  private async translateInHost(model: ModelEntry, params: TranslateParams, timeoutMs: number, signal: AbortSignal,
    onProgress: (done: number, total: number) => void, timeline?: Timeline): Promise<TranslationResult | undefined> {
    timeline?.mark('host: text process asked');
    const stop = new AbortController();
    const stopIt = () => stop.abort();
    signal.addEventListener('abort', stopIt);
    const timer = setTimeout(stopIt, timeoutMs);
    this.panel.noteHostTranslation({ step: 'started' });
    try {
      const { result, queuedMs, loadMs, translateMs, marks } = await this.hostEngine!.translate(model.dir.fsPath, params, {
        signal: stop.signal, onProgress,
        onPartial: (text, whole) => {
          if (signal.aborted) return;
          this.panel.noteHostTranslation({ step: 'sentences', text, whole });
          if (whole) timeline?.mark('host: whole text posted to the panel (attention next)');
        },
      });
      timeline?.mark(`host: text process answered (behind its preload ${Math.round(queuedMs)} ms, its load ${Math.round(loadMs)} ms, translation ${Math.round(translateMs)} ms)`);
      timeline?.add(marks);
      return result;
    } catch (e) {
      this.panel.noteHostTranslation({ step: 'cancelled' });
      if (signal.aborted) return undefined;
      const why = e instanceof HostTranslationCancelled ? `no answer within ${timeoutMs / 1000} s` : (e as Error)?.message ?? String(e);
      logLine(`The text process did not translate (the panel's engine does): ${why}`);
      timeline?.mark('host: text process failed');
      return undefined;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stopIt);
    }
  }

  /**
   * Reads the current package and checks its files now, in the extension host (the digests are kept by file
   * identity), so that the first Translate finds them checked. With no panel open yet, the text process then loads
   * the package and translates the first sentence of `selected` into its sentence cache, so that the first
   * Translate's text comes from a loaded engine, or at once when it is that sentence. Problems are left to the command
   * to report. Resolves with whether the process preloaded (the panel's engine then loads later, on its own: nothing
   * of it is needed while the user waits).
   */
  async prepare(selected?: string): Promise<boolean> {
    // No panel when the text was selected: a Translate that comes while the package is read still finds the process
    // (the first window's package read takes a second or two on a busy machine).
    const coldPanel = !this.panel.isOpen;
    const settings = readSettings();
    const useProcess = !!this.hostEngine && settings.firstTextFromHost && settings.backend !== 'webgpu' && coldPanel;
    // Node's start and onnxruntime's take the process a second of CPU: begun before the package is known.
    const startedHere = useProcess && !this.hostEngine!.running;
    if (useProcess) this.hostEngine!.start();
    const model = await this.registry.current().catch((e: unknown) => {
      if (startedHere) this.hostEngine!.release();
      throw e;
    });
    // The process checks the files it reads itself: it need not wait for the host's check.
    const from = detectLanguage(selected ?? '');
    const preload = useProcess && model.dir.scheme === 'file' && model.manifest.languages.includes(from);
    // Its first sentence translated now, as the panel asks: the Translate that usually follows finds it done.
    const first = selected ? splitSentences(selected)[0]?.text.slice(0, WARMUP_CHARS) : undefined;
    if (preload) {
      this.hostEngine!.preload(model.dir.fsPath, from, settings.targetLanguage, settings.beamSize, first)
        .then((ms) => logLine(`The text process preloaded the package and translated the selection's first sentence: ${Math.round(ms)} ms`), () => undefined);
    }
    // Started for nothing: a package it cannot read (not on disk). A language the package lacks leaves it running:
    // a translation in another may already be on its way to it (it ends by itself when nothing comes).
    else if (startedHere && model.dir.scheme !== 'file') this.hostEngine!.release();
    await verifyPackageFiles(model.dir, model.manifest);
    return preload;
  }

  /** Every extra model folder that does not hold a package gets one clear error naming it; work goes on. */
  async checkModelPaths(paths: string[]): Promise<void> {
    const { problems } = await this.registry.all(paths);
    for (const p of problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      void showSettingError(vscode.l10n.t('Attention Companion: {0}', p), `${SECTION}.modelPaths`);
    }
  }

  dispose(): void {
    clearTimeout(this.laterLoad);
    this.onDidTranslate.dispose();
    this.onDidLoadModel.dispose();
  }
}
