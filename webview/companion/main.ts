// The Paper Companion view's script: hosts the engine (answers the host's loadModel/translate requests like the
// Attention panel does), talks to the host with the companion's own messages (src/companion/messages.ts), and
// draws one section per part of "Attention Is All You Need", each running the live model.
import { PROTOCOL_VERSION, type ModelInfo } from '../../src/shared/protocol';
import { splitSentences } from '../../src/engine/sentences';
import { parseCompanionReply, MAX_ANALYZE_CHARS, type CompanionReply, type CompanionRequest } from '../../src/companion/messages';
import { EngineHost } from '../engineHost';
import { listen, notify, vscodeApi } from '../ipc';
import { SectionFrame, type Analysis, type CompanionContext, type SectionSpec } from './frame';
import { displayLang, translator } from './strings';
import { readTheme, type Theme } from './theme';
import { el } from './ui';
import { table1Section } from './sections/table1';
import { selfAttentionSection } from './sections/selfAttention';
import { scaledDotProductSection } from './sections/scaledDotProduct';
import { multiHeadSection } from './sections/multiHead';
import { positionalSection } from './sections/positional';
import { resultsSection } from './sections/results';
import { figuresSection } from './sections/figures';

interface SavedState { sections?: Record<string, { text?: string; open?: boolean }>; ui?: Record<string, Record<string, unknown>> }

const SECTIONS: SectionSpec[] = [table1Section, selfAttentionSection, scaledDotProductSection, multiHeadSection, positionalSection, resultsSection, figuresSection];

// ---------------------------------------------------------------- stylesheet (media/companion.css beside dist/)

function linkStylesheet(): void {
  try {
    const href = new URL('../media/companion.css', import.meta.url).toString();
    document.head.append(el('link', { attrs: { rel: 'stylesheet', href } }));
  } catch {
    // No stylesheet: the view still works with media/panel.css.
  }
}
linkStylesheet();

// ---------------------------------------------------------------- state

const lang = displayLang(document.documentElement.lang || navigator.language);
const t = translator(lang);
const saved = (vscodeApi.getState() as SavedState | undefined) ?? {};
const ui: Record<string, Record<string, unknown>> = saved.ui ?? {};
const engine = new EngineHost();
let model: ModelInfo | undefined;
let modelProblem: string | undefined;
let theme: Theme | undefined;
const analyses = new Map<string, Promise<Analysis>>();

// ---------------------------------------------------------------- host messages

let nextId = 1;
const pending = new Map<number, { resolve(v: CompanionReply): void }>();

function post(m: CompanionRequest): void {
  vscodeApi.postMessage(m);
}

function ask(make: (id: number) => CompanionRequest): Promise<CompanionReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { resolve });
    post(make(id));
  });
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = parseCompanionReply(event.data);
  if (!m) return;
  if (m.type === 'modelError') {
    modelProblem = m.error;
    renderHeader();
    if (!model) refreshAll();
    return;
  }
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  p.resolve(m);
});

async function requestSelection(): Promise<string> {
  const r = await ask((id) => ({ kind: 'companion', type: 'selection', id }));
  if (r.type !== 'selection') throw new Error(t('common.noSelection'));
  if ('problem' in r) throw new Error(t(r.problem === 'noEditor' ? 'common.noEditor' : 'common.noSelection'));
  // Sections work on one sentence: the first one of the selection.
  const first = splitSentences(r.text)[0]?.text ?? r.text.trim();
  if (!first) throw new Error(t('common.noSelection'));
  return first.slice(0, MAX_ANALYZE_CHARS);
}

function analyze(text: string): Promise<Analysis> {
  let a = analyses.get(text);
  if (!a) {
    a = ask((id) => ({ kind: 'companion', type: 'analyze', id, text })).then((r) => {
      if (r.type !== 'analysis') throw new Error('unexpected reply');
      if ('error' in r) throw new Error(r.error);
      const sentence = r.result.sentences[0];
      if (!sentence) throw new Error(t('common.noAttention'));
      return { result: r.result, sentence };
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
  lang,
  model: () => model,
  modelProblem: () => modelProblem,
  analyze,
  encoderLength(text) {
    const m = engine.translator.model;
    return Math.min(m.manifest.dims.maxLen, m.tokenizer.encode(text).ids.length + 2);
  },
  theme: () => (theme ??= readTheme()),
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

// Theme changes (VS Code swaps the body's classes and data-vscode-theme-* attributes and the variables in
// <html style>) and width changes redraw the canvases.
let themeTimer: ReturnType<typeof setTimeout> | undefined;
const themeObserver = new MutationObserver(() => {
  clearTimeout(themeTimer);
  themeTimer = setTimeout(() => {
    theme = undefined;
    refreshAll();
  }, 50);
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
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

// ---------------------------------------------------------------- the engine, served to the host

listen({
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
      modelProblem = (e as Error).message;
      renderHeader();
      if (!model) refreshAll();
      throw e;
    }
  },
  translate: (params, { signal }) => engine.translator.translate(params.text, {
    to: params.to, from: params.from, beam: params.beam, attention: params.attention, steps: params.steps, signal,
  }),
}, () => undefined);

// 'hello' first: the host starts a fresh engine client on a second hello, and that client must then see 'ready'.
post({ kind: 'companion', type: 'hello' });
notify('ready', { version: PROTOCOL_VERSION });
