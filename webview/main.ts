// The Attention panel's script: hosts the engine, answers the host's requests, and draws results.
import { PANEL, PROTOCOL_VERSION, type PanelProtocol } from '../src/shared/protocol';
import type { TranslationResult } from '../src/shared/results';
import { CancelledError } from '../src/engine/beam';
import { EngineHost } from './engineHost';
import { connect, vscodeApi } from './ipc';
import { displayLang, translator } from './strings';
import { AttentionView } from './view/attentionView';

const t = translator(displayLang(document.documentElement.lang));
const view = new AttentionView(document.getElementById('app')!, t);
const engine = new EngineHost();
// Set before a saved result is drawn: the export button shows only when someone listens.
view.onAction = (a) => host.notify('action', a);

const saved = vscodeApi.getState() as { result?: TranslationResult } | undefined;
if (saved?.result) view.showResult(saved.result);

const host = connect<PanelProtocol>(PANEL, {
  loadModel: async (params) => {
    view.setBusy(t('panel.loadingModel', { label: params.label }));
    try {
      const info = await engine.load(params);
      view.setStatus(t('panel.model', { id: info.id, backend: info.backend }), info.backend);
      return info;
    } catch (e) {
      view.showError((e as Error).message);
      throw e;
    } finally {
      view.setBusy(undefined);
    }
  },
  translate: async (params, { id, signal }) => {
    view.setBusy(t('panel.translating'));
    try {
      const result = await engine.translator.translate(params.text, {
        to: params.to, from: params.from, beam: params.beam, attention: params.attention, queriesAndKeys: false, steps: params.steps, signal,
        onProgress: (done, total) => host.notify('progress', { requestId: id, done, total }),
      });
      // A cancelled request never draws (the translator rejects once aborted; this guards the last step).
      if (signal.aborted) throw new CancelledError();
      if (params.display) {
        view.showResult(result);
        vscodeApi.setState({ result });
      }
      return result;
    } catch (e) {
      if ((e as Error).name !== 'CancelledError') view.showError((e as Error).message);
      throw e;
    } finally {
      view.setBusy(undefined);
    }
  },
  exportFigure: async () => view.figure() ?? null,
}, (n) => {
  if (n.method === 'show') {
    view.showResult(n.params.result, n.params.focus);
    vscodeApi.setState({ result: n.params.result });
  }
});
host.notify('ready', { version: PROTOCOL_VERSION });
