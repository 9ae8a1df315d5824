// The Paper Companion view's script: hosts its own engine and runs it directly; the host only loads the model into
// it and reads the editor's selection for it (src/shared/protocol.ts, CompanionProtocol). Draws one section per
// part of "Attention Is All You Need", each running the live model.
import { COMPANION, ENGINE_WORKER_SCRIPT, PROTOCOL_VERSION, type CompanionProtocol, type ModelInfo } from '../../src/shared/protocol';
import { splitSentences } from '../../src/engine/sentences';
import type { FileReply } from '../../src/shared/protocol';
import { EngineWorker, pageBackendSetting, pageRuntimeLoopback, pageRuntimeTags } from '../engine/engineWorker';
import { indexedDbCache } from '../engine/fileCache';
import { connect, vscodeApi } from '../ipc';
import { SectionFrame, type Analysis, type CompanionContext, type SectionSpec } from './frame';
import { displayLang, translator } from '../strings';
import { readTheme, watchTheme, type Theme } from '../components/theme';
import { el, linkStylesheet } from '../components/dom';
import { table1Section } from './sections/table1';
import { selfAttentionSection } from './sections/selfAttention';
import { scaledDotProductSection } from './sections/scaledDotProduct';
import { multiHeadSection } from './sections/multiHead';
import { positionalSection } from './sections/positional';
import { resultsSection } from './sections/results';
import { figuresSection } from './sections/figures';

interface SavedState { sections?: Record<string, { text?: string; open?: boolean }>; ui?: Record<string, Record<string, unknown>> }

/** Longest text a section analyses (the engine cuts sentences to the model's maxLen anyway). */
const MAX_ANALYZE_CHARS = 4000;

const SECTIONS: SectionSpec[] = [table1Section, selfAttentionSection, scaledDotProductSection, multiHeadSection, positionalSection, resultsSection, figuresSection];

// ---------------------------------------------------------------- stylesheet (media/companion.css beside dist/)

linkStylesheet('../media/companion.css', import.meta.url);

// ---------------------------------------------------------------- state

const uiLang = displayLang(document.documentElement.lang || navigator.language);
const t = translator(uiLang);
const saved = (vscodeApi.getState() as SavedState | undefined) ?? {};
const ui: Record<string, Record<string, unknown>> = saved.ui ?? {};
// The engine runs in a worker: the sections stay live while it computes.
/** A file the host reads for the engine (the 27 MB runtime, the 19 MB weights) on a busy machine. */
const HOST_READ_TIMEOUT_MS = 5 * 60_000;
// Files come from the host: over its loopback file server where it has one, else read from disk and posted (far
// faster than the webview's resource URIs in code-server).
const engine: EngineWorker = new EngineWorker(new URL(ENGINE_WORKER_SCRIPT, import.meta.url).toString(), (url): Promise<FileReply> => host.request('readFile', { url }, { timeoutMs: HOST_READ_TIMEOUT_MS }),
  { cache: indexedDbCache(), runtimeTags: pageRuntimeTags(), runtimeLoopback: pageRuntimeLoopback() });
let model: ModelInfo | undefined;
let modelProblem: string | undefined;
let theme: Theme | undefined;
const analyses = new Map<string, Promise<Analysis>>();

// ---------------------------------------------------------------- the model, run here

/** How long the host may take to read the editor's selection. */
const SELECTION_TIMEOUT_MS = 10_000;

async function requestSelection(): Promise<string> {
  const r = await host.request('selection', undefined, { timeoutMs: SELECTION_TIMEOUT_MS });
  if ('problem' in r) throw new Error(t(r.problem === 'noEditor' ? 'common.noEditor' : 'common.noSelection'));
  // Sections work on one sentence: the first one of the selection.
  const first = splitSentences(r.text)[0]?.text ?? r.text.trim();
  if (!first) throw new Error(t('common.noSelection'));
  return first.slice(0, MAX_ANALYZE_CHARS);
}

/** Runs this view's engine on `text` (greedy, with attention); cached per text until the model changes. */
function analyze(text: string): Promise<Analysis> {
  let a = analyses.get(text);
  if (!a) {
    a = engine.translate({ text, to: 'auto', beam: 1, attention: true }).then((result) => {
      const sentence = result.sentences[0];
      if (!sentence) throw new Error(t('common.noAttention'));
      return { result, sentence };
    });
    analyses.set(text, a);
    a.catch(() => { if (analyses.get(text) === a) analyses.delete(text); });
  }
  return a;
}

// ---------------------------------------------------------------- layout

const root = el('div', { class: 'cc-root' });
const header = el('header', { class: 'cc-header' });
const status = el('p', { class: 'cc-status', attrs: { role: 'status' } });
header.append(el('h1', { class: 'cc-h1', text: t('app.title') }), el('p', { class: 'cc-subtitle', text: t('app.subtitle') }), status);
root.append(header);
(document.getElementById('app') ?? document.body).append(root);

function renderHeader(): void {
  status.replaceChildren();
  status.classList.toggle('error', !!modelProblem && !model);
  if (model) {
    const d = model.manifest.dims;
    status.append(el('span', { class: 'cc-badge', text: model.backend }), ' ',
      t('model.info', { id: model.id, d: d.dModel, heads: d.heads, enc: d.encoderLayers, dec: d.decoderLayers }));
  } else if (modelProblem) {
    status.textContent = t('model.error', { error: modelProblem });
  } else {
    status.append(el('span', { class: 'cc-spinner', attrs: { 'aria-hidden': 'true' } }), t('model.loading'));
  }
}

const ctx: CompanionContext = {
  t,
  uiLang,
  model: () => model,
  modelProblem: () => modelProblem,
  analyze,
  async encoderLength(text) {
    const maxLen = model?.manifest.dims.maxLen ?? Infinity;
    return Math.min(maxLen, (await engine.countTokens(text)) + 2);
  },
  theme: () => (theme ??= readTheme('sideBar')),
  width: () => Math.max(200, root.clientWidth - 2),
  state(section) {
    return (ui[section] ??= {});
  },
  save,
};

const frames: SectionFrame[] = SECTIONS.map((spec, i) => new SectionFrame(spec, i + 1, ctx, { requestSelection, onChange: save }, saved.sections?.[spec.id]));
root.append(...frames.map((f) => f.element));

function save(): void {
  const sections: Record<string, { text?: string; open?: boolean }> = {};
  for (const f of frames) sections[f.spec.id] = f.saved;
  vscodeApi.setState({ sections, ui } satisfies SavedState);
}

function refreshAll(): void {
  for (const f of frames) f.refresh();
}

// Theme changes and width changes redraw the canvases.
let themeTimer: ReturnType<typeof setTimeout> | undefined;
watchTheme(() => {
  clearTimeout(themeTimer);
  themeTimer = setTimeout(() => {
    theme = undefined;
    refreshAll();
  }, 50);
});
let lastWidth = root.clientWidth;
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  if (Math.abs(root.clientWidth - lastWidth) < 12) return;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    lastWidth = root.clientWidth;
    refreshAll();
  }, 200);
}).observe(root);

renderHeader();
refreshAll();

// ---------------------------------------------------------------- the host: model loading and the selection

const host = connect<CompanionProtocol>(COMPANION, {
  loadModel: async (params) => {
    try {
      const info = await engine.load(params);
      const changed = model?.id !== info.id || model?.backend !== info.backend;
      model = info;
      modelProblem = undefined;
      if (changed) {
        analyses.clear();
        renderHeader();
        refreshAll();
      }
      return info;
    } catch (e) {
      showModelProblem((e as Error).message);
      throw e;
    }
  },
}, (n) => {
  if (n.method === 'modelError') showModelProblem(n.params.error);
});

function showModelProblem(error: string): void {
  modelProblem = error;
  renderHeader();
  if (!model) refreshAll();
}

// Every start (a reload too) says 'ready': the host then loads the current model into this view's engine.
host.notify('ready', { version: PROTOCOL_VERSION });
// The runtime lies beside this script (dist/ort/): read and start it while the host still checks the package.
engine.prepareRuntime(new URL('ort/', import.meta.url).toString(), pageBackendSetting());
