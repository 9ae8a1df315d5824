// The Attention panel's script: hosts the engine, answers the host's requests, and draws results.
import { PROTOCOL_VERSION, type HostNotifications } from '../src/shared/protocol';
import type { TranslationResult } from '../src/shared/results';
import { EngineHost } from './engineHost';
import { listen, notify, vscodeApi } from './ipc';
import { AttentionView } from './view/attentionView';
import { KO_VIEW_STRINGS } from './view/strings.ko';

const korean = document.documentElement.lang.toLowerCase().startsWith('ko');
const view = new AttentionView(document.getElementById('app')!, korean ? KO_VIEW_STRINGS : undefined);
const engine = new EngineHost();
view.onAction = (a) => notify('action', a);

const saved = vscodeApi.getState() as { result?: TranslationResult } | undefined;
if (saved?.result) view.showResult(saved.result);

listen({
  loadModel: async (params) => {
    view.setBusy(korean ? `모델 ${params.label} 불러오는 중…` : `Loading model ${params.label}…`);
    try {
      const info = await engine.load(params);
      view.setStatus(`${korean ? '모델' : 'Model'} ${info.id} · ${info.backend}`, info.backend);
      return info;
    } catch (e) {
      view.showError((e as Error).message);
      throw e;
    } finally {
      view.setBusy(undefined);
    }
  },
  translate: async (params, { id, signal }) => {
    view.setBusy(korean ? '번역 중…' : 'Translating…');
    try {
      const result = await engine.translator.translate(params.text, {
        to: params.to, from: params.from, beam: params.beam, attention: params.attention, steps: params.steps, signal,
        onProgress: (done, total) => notify('progress', { requestId: id, done, total }),
      });
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
}, (method, params) => {
  if (method === 'show') {
    const p = params as HostNotifications['show'];
    view.showResult(p.result, p.focus);
    vscodeApi.setState({ result: p.result });
  }
});

notify('ready', { version: PROTOCOL_VERSION });
