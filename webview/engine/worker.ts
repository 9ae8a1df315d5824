// The engine's worker (dist/engineWorker.js): tokenizer, ONNX sessions (WebGPU or WASM) and beam search run here,
// off the webview's UI thread, so the panel keeps drawing and a cancel is heard between two decoder steps. It has no
// network (./noNetwork.ts): package files and the onnxruntime binary come from the page (./engineWorker.ts).
import './noNetwork';                                  // first: before any other module's code runs
import { webviewEndpoint } from '../../src/shared/ipc';
import { OnnxModel, type OrtModule } from '../../src/engine/onnxModel';
import { chooseBackend } from '../../src/engine/backendChoice';
import type { Backend, BackendChoice, BackendSetting } from '../../src/shared/results';
import { EngineHost, bytesOf, packageOverUrls, type FileReader } from '../engineHost';
import { ortFor } from './ortRuntimes';
import { ENGINE_WORKER, ORT_WASM_FILES, type EngineWorkerProtocol, type WorkerFileReply } from './workerProtocol';
import { startFromCompiled } from './compiledRuntime';
import { epochNow, type Mark } from '../../src/shared/timeline';
import { startWarmup, type RuntimeWarmup } from '../../src/engine/engineWarmup';

/** The parts of a dedicated worker's global scope used here (the project's types are the DOM's, not the worker's). */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

/** Page requests may wait behind a model load; the page and the host time out on their own. */
const READ_TIMEOUT_MS = 10 * 60_000;

/** What the worker did since its marks were last handed over (with a load's answer, or before a translation's). */
const marks: Mark[] = [['worker: script running', epochNow()]];
const mark = (label: string) => marks.push([`worker: ${label}`, epochNow()]);
const takeMarks = () => marks.splice(0);

const readAny = async (url: string): Promise<WorkerFileReply> => {
  const name = url.slice(url.lastIndexOf('/') + 1);
  mark(`${name} requested`);
  const reply = await endpoint.request('readFile', { url }, { timeoutMs: READ_TIMEOUT_MS });
  mark(`${name} ${'module' in reply ? 'received compiled' : 'received'}`);
  return reply;
};

/** A package file's bytes (the page compiles nothing but the runtime's binary). */
const read: FileReader = async (url) => {
  const reply = await readAny(url);
  if ('module' in reply) throw new Error(`The page sent a compiled module for ${url}.`);
  return reply;
};

/** A started onnxruntime build: its module, and its warm-up (engineWarmup.ts), which the model's sessions wait for. */
interface Runtime { ort: OrtModule; warmup: RuntimeWarmup }

/** One per backend whose build was asked for (usually one: the choice `prepare` guessed is the load's). */
const runtimes = new Map<Backend, Promise<Runtime>>();

/**
 * Starts the onnxruntime build of `backend` once per realm, from the binary the page read or the module it compiled
 * (the bundle carries its JavaScript glue). Resolves when the binary is in; the runtime then starts while the model's
 * files travel.
 */
function startRuntime(ortBaseUri: string, backend: Backend): Promise<Runtime> {
  let runtime = runtimes.get(backend);
  if (!runtime) {
    runtime = (async () => {
      const ort = ortFor(backend);
      const file = ORT_WASM_FILES[backend];
      const base = ortBaseUri.endsWith('/') ? ortBaseUri : ortBaseUri + '/';
      const reply = await readAny(base + file);
      if ('module' in reply) startFromCompiled(ort.env, reply.module);
      else ort.env.wasm.wasmBinary = bytesOf(reply, file);
      // A webview is not cross-origin isolated: no SharedArrayBuffer, so one wasm thread.
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      // Instantiates the WebAssembly, runs its first Cast and, on WASM, the engine on a micro model, while the
      // package's files travel (engineWarmup.ts).
      return { ort, warmup: startWarmup(ort, backend, mark) };
    })();
    runtimes.set(backend, runtime);
    runtime.catch(() => runtimes.delete(backend));
  }
  return runtime;
}

/** The backend for a setting, probed once per setting (the adapter does not change while the webview lives). */
const choices = new Map<BackendSetting, Promise<BackendChoice>>();
function choose(setting: BackendSetting): Promise<BackendChoice> {
  let choice = choices.get(setting);
  if (!choice) {
    choice = chooseBackend(setting);
    choices.set(setting, choice);
    choice.catch(() => choices.delete(setting));
  }
  return choice;
}

const engine = new EngineHost(async (p) => {
  // The backend first (it decides the build), then the runtime's binary, then the package's files (packageOverUrls
  // asks for every checked file at once): onnxruntime instantiates its WebAssembly while they travel.
  const choice = await choose(p.backend);
  const { ort, warmup } = await startRuntime(p.ortBaseUri, choice.backend);
  const source = packageOverUrls(p.baseUri, read, p.checkedFiles);
  const model = await OnnxModel.load(ort, source, choice, { onMark: mark, firstUse: p.firstUse, runtimeReady: warmup.ready });
  mark('encoder and decoder sessions created');
  return model;
});

const endpoint = webviewEndpoint<EngineWorkerProtocol>(ENGINE_WORKER, {
  post: (m) => scope.postMessage(m),
  peer: 'The webview',
  handlers: {
    prepare: async ({ ortBaseUri, backend }) => {
      mark('prepare received');
      // A setting that cannot be met (WebGPU asked for, no adapter) is the load's to report.
      const choice = await choose(backend).catch(() => undefined);
      if (choice) await startRuntime(ortBaseUri, choice.backend);
    },
    load: async (params) => {
      mark('load received');
      const info = await engine.load(params);
      return { ...info, marks: takeMarks() };
    },
    countTokens: async ({ text }) => engine.translator.model.tokenizer.encode(text).ids.length,
    translate: async (p, { id, signal }) => {
      mark('translate received');
      let abortedAt: number | undefined;
      signal.addEventListener('abort', () => { abortedAt = performance.now(); }, { once: true });
      const model = engine.translator.model;
      // The search's graphs open on first use: timed here, apart from the translation (the attention graph opens
      // after the search, once the text is out).
      await Promise.all(model.searchSessionsFor(p.to === 'auto' ? undefined : p.to, !!p.attention).map((name) => model.session(name)));
      mark('search sessions ready');
      const result = await engine.translator.translate(p.text, {
        to: p.to, from: p.from, beam: p.beam, attention: p.attention, queriesAndKeys: p.queriesAndKeys, steps: p.steps, signal,
        onProgress: (done, total) => endpoint.notify('progress', { requestId: id, done, total }),
        onPartial: p.partial ? (x) => {
          if (x.done === x.total) mark('text searched (attention next)');
          endpoint.notify('partial', { requestId: id, ...x });
        } : undefined,
        onSettled: () => {
          if (abortedAt !== undefined) endpoint.notify('stopped', { requestId: id, afterAbortMs: Math.round(performance.now() - abortedAt) });
        },
      });
      mark(`translated (engine: ${result.millis} ms)`);
      endpoint.notify('timeline', { requestId: id, marks: takeMarks() });
      return result;
    },
  },
});

scope.addEventListener('message', (e) => void endpoint.receive(e.data));
