// Runs translations through the Attention panel: one live request per editor (a newer one supersedes it), progress, timeouts.
import * as vscode from 'vscode';
import type { TranslateParams } from './shared/protocol';
import { RequestCancelledError } from './shared/ipc';
import { parseProgress } from './shared/progressMessage';
import type { BackendChoice, TranslationResult } from './shared/results';
import type { AttentionPanel } from './panels/attentionPanel';
import type { ModelRegistry } from './models/registry';
import { readSettings, SECTION } from './config';
import { showSettingError } from './commands/settingsLink';
import { splitSentences } from './engine/sentences';
import { untilAborted } from './engine/concurrency';
import { formatMegabytes } from './engine/attentionBudget';
import { openTimelines, type Timeline } from './shared/timeline';
import { verifyPackageFiles } from './models/packageVerifier';
import { PROGRESS_DELAY_MS, withProgressAfterDelay } from './progressAfterDelay';

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
  private checkedPaths?: string;
  readonly onDidTranslate = new vscode.EventEmitter<TranslatedEvent>();
  readonly onDidLoadModel = new vscode.EventEmitter<{ id: string; backend: string; choice: BackendChoice }>();

  /** `progressDelayMs`: how long a translation runs before its progress notification appears (tests pass 0). */
  constructor(private readonly panel: AttentionPanel, private readonly registry: ModelRegistry, private readonly progressDelayMs = PROGRESS_DELAY_MS) {
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
    try {
      // The notification (with its Cancel) appears only when the translation outlasts a moment (progressAfterDelay.ts).
      return await withProgressAfterDelay(opts.title, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort(new RequestCancelledError()));
        const cancelled = () => (abort.signal.reason instanceof Error ? abort.signal.reason : new RequestCancelledError());
        const model = await this.registry.current();
        timeline?.mark('host: model package resolved');
        const backendLabel = settings.backend === 'auto' ? 'WebGPU / WebAssembly' : settings.backend;
        progress.report({ message: vscode.l10n.t('Loading model {0} ({1})…', model.manifest.id, backendLabel) });
        // Cancel answers at once while the model loads; the load itself goes on for the next request.
        const loading = this.panel.ensureModel(model.dir, model.manifest, settings.backend, opts.attention ? 'attention' : 'plain');
        loading.then((loaded) => this.onDidLoadModel.fire({ id: loaded.info.id, backend: loaded.info.backend, choice: loaded.info.backendChoice }), () => undefined);
        const loaded = await untilAborted(loading, abort.signal, cancelled);
        timeline?.mark('host: model ready in the webview');
        progress.report({ message: vscode.l10n.t('Translating on {0}…', loaded.info.backend) });
        const params: TranslateParams = { text, to: settings.targetLanguage, beam: settings.beamSize, attention: opts.attention, steps: opts.steps, display: opts.display };
        const sentences = Math.max(1, splitSentences(text).length);
        let last = 0;
        let requestId = -1;
        const onId = (id: number) => {
          requestId = id;
          if (timeline) this.timelines.set(id, timeline);
          timeline?.mark('host: translate request sent');
          this.progress.set(id, (done, total) => {
            const pct = (100 * done) / Math.max(total, 1);
            progress.report({ message: vscode.l10n.t('Sentence {0} of {1}', Math.min(done + 1, total), total), increment: Math.max(0, pct - last) });
            last = Math.max(last, pct);
          });
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
   * Reads the current package and checks its files now, in the extension host (the digests are kept by file
   * identity), so that the first Translate finds them checked. Problems are left to the command to report.
   */
  async prepare(): Promise<void> {
    const model = await this.registry.current();
    await verifyPackageFiles(model.dir, model.manifest);
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
    this.onDidTranslate.dispose();
    this.onDidLoadModel.dispose();
  }
}
