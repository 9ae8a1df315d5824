// The benchmark's page in headless Chromium: the webview's own engine host (webview/engineHost.ts, WASM or WebGPU)
// and the Attention panel's view (webview/view/attentionView.ts), driven by bench/chromium.ts through `window.bench`.
// The orchestrator measures CPU time and memory from outside (/proc); the page measures wall time. The engine runs on
// the page's own thread here, not in the webview's worker (webview/engine/worker.ts): the same OnnxModel and
// Translator doing the same arithmetic, without the worker's message hops (the result's structured clone).
import { OnnxModel, type OrtModule } from '../src/engine/onnxModel';
import { startWarmup, type RuntimeWarmup } from '../src/engine/engineWarmup';
import { chooseBackend } from '../src/engine/backendChoice';
import { ortFor } from '../webview/engine/ortRuntimes';
import type { Backend } from '../src/shared/results';
import type { Lang } from '../src/shared/manifest';
import type { BackendSetting } from '../src/shared/results';
import { EngineHost, packageOverUrls, type FileReader } from '../webview/engineHost';
import { translator as strings } from '../webview/strings';
import { AttentionView } from '../webview/view/attentionView';
import { measurePayload, runBatch, runCell, warmUp, type Clocks, type PayloadReport, type WarmUpReport } from './engineRuns';
import type { BatchRun, CellRun, Plan } from './plan';

export interface RedrawRun { samplesMs: number[]; rows: number; cols: number }

export interface BenchPage {
  /** The WebGPU adapter's description, or null when there is none. */
  adapter(): Promise<string | null>;
  /** `build`: the onnxruntime build to run (by the backend it is made for), when not the backend's own. */
  load(backend: BackendSetting, checkedFiles: Record<string, string>, build?: Backend): Promise<{ loadMs: number; backend: string }>;
  /** Translates each job once with `beam` (plain, as Translate Selection): wall ms and each result's target ids. */
  translateAll(jobs: { text: string; from: Lang; to: Lang }[], beam: number): Promise<{ wallMs: number; ids: number[][] }>;
  warmUp(plan: Plan): Promise<WarmUpReport>;
  cell(plan: Plan, key: string): Promise<CellRun>;
  batch(plan: Plan, key: string): Promise<BatchRun>;
  redraw(plan: Plan, times: number): Promise<RedrawRun>;
  /** Show Attention's answer as it crosses from the webview to the host. */
  payload(plan: Plan): Promise<PayloadReport>;
}

declare global {
  interface Window { bench?: BenchPage }
}

const clocks: Clocks = { now: () => performance.now() };

/** Reads package files as the webview's page reads them for its worker (the local server never answers 408). */
const read: FileReader = async (url) => {
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    return { problem: 'unreachable' };
  }
  if (!res.ok) return res.status === 404 ? { problem: 'missing' } : { problem: 'http', status: res.status };
  return { bytes: new Uint8Array(await res.arrayBuffer()) };
};

/** Each onnxruntime build's warm-up, started once per page. */
const warmups = new Map<OrtModule, RuntimeWarmup>();

/** The build bench.load was asked to run, by the backend it serves (undefined: the backend's own). */
let buildOf: Backend | undefined;

const engine = new EngineHost(async (p) => {
  // As the webview's worker: the backend decides the onnxruntime build (plain WASM, or asyncify for WebGPU), unless
  // npm run bench:builds asks for the other build (the asyncify one running the WASM backend, as it did before).
  const choice = await chooseBackend(p.backend);
  const ort = ortFor(buildOf ?? choice.backend);
  ort.env.wasm.numThreads = 1;        // as in the webview: not cross-origin isolated, one wasm thread
  ort.env.wasm.wasmPaths = p.ortBaseUri;
  ort.env.logLevel = 'error';
  // As the worker starts its runtime, once per build: its first Cast, then on WASM the engine on the micro model
  // until the package is in (engineWarmup.ts; here the files come at once, so it is stopped early).
  if (!warmups.has(ort)) warmups.set(ort, startWarmup(ort, choice.backend));
  return OnnxModel.load(ort, packageOverUrls(p.baseUri, read, p.checkedFiles), choice, { runtimeReady: warmups.get(ort)!.ready });
}, 0);         // no sentence cache: the cells translate their sentences again, and each time is timed

function find<T extends { key: string }>(list: T[], key: string): T {
  const found = list.find((x) => x.key === key);
  if (!found) throw new Error(`no "${key}" in the plan`);
  return found;
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

window.bench = {
  async adapter() {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    const a = gpu ? await gpu.requestAdapter() : null;
    if (!a) return null;
    const info = a.info ?? {};
    return ['vendor', 'architecture', 'device', 'description'].map((k) => info[k]).filter(Boolean).join(' / ') || 'unnamed adapter';
  },

  async load(backend, checkedFiles, build) {
    buildOf = build;
    const t0 = performance.now();
    // As the panel loads it: the host has checked the files' digests, the webview fetches and compares them.
    const info = await engine.load({ baseUri: `${location.origin}/model/`, ortBaseUri: `${location.origin}/ort/`, backend, label: 'bench', checkedFiles });
    return { loadMs: performance.now() - t0, backend: info.backend };
  },

  async translateAll(jobs, beam) {
    const t0 = performance.now();
    const ids: number[][] = [];
    for (const j of jobs) ids.push((await engine.translator.translate(j.text, { from: j.from, to: j.to, beam })).sentences[0].tgtTokens.map((t) => t.id));
    return { wallMs: performance.now() - t0, ids };
  },

  warmUp: (plan) => warmUp(engine.translator, plan, clocks),
  cell: (plan, key) => runCell(engine.translator, plan, find(plan.cells, key), clocks),
  batch: (plan, key) => runBatch(engine.translator, plan, find(plan.batches, key), clocks),
  payload: (plan) => measurePayload(engine.translator, plan),

  async redraw(plan, times) {
    const { from, to, text } = plan.payload;
    // Show Attention's result for the payload sentence, drawn in the panel's view as the panel draws it.
    const result = await engine.translator.translate(text, { from, to, beam: 4, attention: true, steps: true, queriesAndKeys: false });
    const view = new AttentionView(document.getElementById('app')!, strings('en'));
    view.showResult(result);
    view.drawPending();                                    // the maps are drawn after the text's paint otherwise
    await nextFrame();
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.heatmap-main');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width === 0) throw new Error('the panel drew no heatmap');
    const heads = [0, 1, 2, 3, 'mean'] as const;
    const samplesMs: number[] = [];
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      view.select({ head: heads[i % heads.length] });     // a head picked: pickers, heatmap, overlay, thumbnails
      ctx.getImageData(0, 0, 1, 1);                        // waits for the drawing itself, not only its commands
      void document.body.offsetHeight;                     // and for the page's style and layout of what changed
      samplesMs.push(performance.now() - t0);
    }
    const att = result.sentences[0].attention!;
    return { samplesMs, rows: att.cross.dims[2], cols: att.cross.dims[3] };
  },
};
