// The Attention panel's script: answers the host's requests with its engine (a worker: the panel stays live while it
// computes), and draws results, finished sentences as they come.
import { ENGINE_WORKER_SCRIPT, PANEL, PROTOCOL_VERSION, type PanelProtocol } from '../src/shared/protocol';
import type { TranslationResult } from '../src/shared/results';
import { restorePanelState, savePanelState } from '../src/shared/savedResult';
import { CancelledError } from '../src/engine/beam';
import type { FileReply, HostTranslationNote } from '../src/shared/protocol';
import { EngineWorker, pageBackendSetting, pageRuntimeAtLoad, pageRuntimeLoopback, pageRuntimeTags } from './engine/engineWorker';
import { indexedDbCache } from './engine/fileCache';
import { connect, vscodeApi } from './ipc';
import { displayLang, translator } from './strings';
import { AttentionView } from './view/attentionView';
import { linkStylesheet } from './components/dom';
import { epochNow, fetchMarks, type Mark } from '../src/shared/timeline';

// The panel's own parts (tokens, heatmap, steps) beside media/panel.css, the page's stylesheet that comes with the HTML.
linkStylesheet('../media/attention.css', import.meta.url);

const t = translator(displayLang(document.documentElement.lang));
const view = new AttentionView(document.getElementById('app')!, t);
/** A file the host reads for the engine (the 27 MB runtime, the 19 MB weights) on a busy machine. */
const HOST_READ_TIMEOUT_MS = 5 * 60_000;
// Files come from the host: over its loopback file server where it has one, else read from disk and posted (far
// faster than the webview's resource URIs in code-server).
const engine: EngineWorker = new EngineWorker(new URL(ENGINE_WORKER_SCRIPT, import.meta.url).toString(), (url): Promise<FileReply> => host.request('readFile', { url }, { timeoutMs: HOST_READ_TIMEOUT_MS }),
  { cache: indexedDbCache(), runtimeTags: pageRuntimeTags(), runtimeLoopback: pageRuntimeLoopback(), startAtFirstRequest: pageRuntimeAtLoad() });
// The page's own start, for the host's timing log (sent with the first load's answer).
engine.marks.push(['page: document created', performance.timeOrigin],
  ...fetchMarks('page: ', [import.meta.url, new URL('../media/panel.css', import.meta.url).toString()]));
engine.mark('page: script running');

// Set before a saved result is drawn: the export button shows only when someone listens.
view.onAction = (a) => host.notify('action', a);

/**
 * A User Timing mark (DevTools' performance panel; the end-to-end timings read them) once what was just drawn is on
 * screen: a task after the next animation frame, whose style, layout and paint come first.
 */
function markPainted(what: 'whole text' | 'result'): void {
  const name = `attention-companion: ${what} painted`;
  requestAnimationFrame(() => setTimeout(() => {
    performance.clearMarks(name);                       // the latest only: a long-lived panel keeps no list
    performance.mark(name);
  }, 0));
}

/** Draws a result and keeps it (compactly: ../src/shared/savedResult.ts) for the panel VS Code restores after a reload. */
function showAndSave(result: TranslationResult, focus?: Parameters<AttentionView['showResult']>[1]): void {
  view.showResult(result, focus);
  markPainted('result');
  vscodeApi.setState(savePanelState(result));
}

/** Whether a translation runs in this page's engine (a text the host computed is not drawn over its work then). */
let translating = false;

/**
 * A translation the extension host's text process runs while this page's engine has not loaded
 * (src/translationService.ts): drawn as this page's own are, busy line, finished sentences, whole text; its result
 * comes as `show`. What a host posts is checked, not trusted.
 */
function showHostTranslation(note: HostTranslationNote): void {
  if (note?.step === 'started') view.setBusy(t('panel.translating'));
  else if (note?.step === 'sentences' && typeof note.text === 'string') {
    view.showPartial(note.text, note.whole === true);
    if (note.whole === true) {
      markPainted('whole text');
      view.setBusy(t('panel.computingAttention'));
      engine.mark('page: host text shown');
    }
  } else if (note?.step === 'cancelled') {
    view.dropPartial();
    view.setBusy(undefined);
  }
}

const saved = restorePanelState(vscodeApi.getState());
if (saved) view.showResult(saved);

const host = connect<PanelProtocol>(PANEL, {
  loadModel: async (params) => {
    engine.mark('page: loadModel received');
    if (!params.background) view.setBusy(t('panel.loadingModel', { label: params.label }));
    try {
      const info = await engine.load(params);
      view.setStatus(t('panel.model', { id: info.id, backend: info.backend }), info.backend);
      return info;
    } catch (e) {
      if (!params.background) view.showError((e as Error).message);
      throw e;
    } finally {
      if (!params.background) view.setBusy(undefined);
    }
  },
  translate: async (params, { id, signal }) => {
    engine.mark('page: translate received');
    translating = true;
    let marks: Mark[] = [];
    view.setBusy(t('panel.translating'));
    try {
      const result = await engine.translate({
        text: params.text, to: params.to, from: params.from, beam: params.beam, attention: params.attention, queriesAndKeys: false, steps: params.steps,
      }, {
        signal,
        onProgress: (done, total) => {
          host.notify('progress', { requestId: id, done, total });
          if (total > 1 && done < total) view.setBusy(t('panel.translatingSentence', { n: done + 1, total }));
        },
        onPartial: params.display ? (p) => {
          if (signal.aborted) return;
          // The whole text comes before its attention (the search is done; the maps are computed next).
          const whole = p.done === p.total;
          view.showPartial(p.text, whole);
          if (whole) {
            markPainted('whole text');
            view.setBusy(t('panel.computingAttention'));
            marks.push(['page: whole text shown (attention next)', epochNow()]);
          }
        } : undefined,
        // How long the worker took to stop after the cancel (diagnostics; the end-to-end test reads it).
        onStopped: (ms) => { document.body.dataset.engineStoppedAfterMs = String(ms); },
        onTimeline: (m) => { marks = [...m, ...marks]; },   // the worker's, before the page's own (the whole text's)
      });
      marks.push(['page: result received from the worker', epochNow()]);
      // A cancelled request never draws (the worker's answer may cross the cancel).
      if (signal.aborted) throw new CancelledError();
      if (params.display) {
        showAndSave(result);
        marks.push(['page: result drawn', epochNow()]);
      }
      host.notify('timeline', { requestId: id, marks });
      return result;
    } catch (e) {
      if ((e as Error).name === 'CancelledError' || (e as Error).name === 'RequestCancelledError' || signal.aborted) view.dropPartial();
      else view.showError((e as Error).message);
      throw e;
    } finally {
      translating = false;
      view.setBusy(undefined);
    }
  },
  exportFigure: async () => view.figure() ?? null,
}, (n) => {
  if (n.method === 'show') showAndSave(n.params.result, n.params.focus);
  else if (n.method === 'hostTranslation' && !translating) showHostTranslation(n.params);
});
host.notify('ready', { version: PROTOCOL_VERSION });
// The runtime lies beside this script (dist/ort/): read and start it while the host still checks the package, unless
// the host's text process has the cores now (the load starts it then).
if (!pageRuntimeAtLoad()) engine.prepareRuntime(new URL('ort/', import.meta.url).toString(), pageBackendSetting());
