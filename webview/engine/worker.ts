// The engine's worker (dist/engineWorker.js): tokenizer, ONNX sessions (WebGPU or WASM) and beam search run here,
// off the webview's UI thread, so the panel keeps drawing and a cancel is heard between two decoder steps. It has no
// network (./noNetwork.ts): package files and the onnxruntime binary come from the page (./engineWorker.ts).
import './noNetwork';                                  // first: before any other module's code runs
import * as ort from 'onnxruntime-web/webgpu';
import { webviewEndpoint } from '../../src/shared/ipc';
import { OnnxModel } from '../../src/engine/onnxModel';
import { EngineHost, bytesOf, packageOverUrls, type FileReader } from '../engineHost';
import { ENGINE_WORKER, ORT_WASM_FILE, type EngineWorkerProtocol } from './workerProtocol';
import { epochNow, type Mark } from '../../src/shared/timeline';

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

const read: FileReader = async (url) => {
  const name = url.slice(url.lastIndexOf('/') + 1);
  mark(`${name} requested`);
  const reply = await endpoint.request('readFile', { url }, { timeoutMs: READ_TIMEOUT_MS });
  mark(`${name} received`);
  return reply;
};

/**
 * A one-node graph (Identity, float [1]; 91 bytes, written by the onnx package): a session on it makes onnxruntime
 * instantiate its WebAssembly, which otherwise happens inside the encoder's session.
 */
const WARMUP_GRAPH = 'CAgSE2F0dGVudGlvbi1jb21wYW5pb246PAoQCgF4EgF5IghJZGVudGl0eRIGd2FybXVwWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQEQ==';

let runtimeBinary: Promise<void> | undefined;
/** The warm-up session's creation: the model's sessions wait for it (two sessions are never created at once). */
let runtimeStarted: Promise<void> = Promise.resolve();

/**
 * onnxruntime-web starts once per realm, from the binary the page read (the bundle carries its JavaScript glue).
 * Resolves when the binary is in; the runtime then starts while the model's files travel.
 */
function startRuntime(ortBaseUri: string): Promise<void> {
  runtimeBinary ??= (async () => {
    const base = ortBaseUri.endsWith('/') ? ortBaseUri : ortBaseUri + '/';
    ort.env.wasm.wasmBinary = bytesOf(await read(base + ORT_WASM_FILE), ORT_WASM_FILE);
    // A webview is not cross-origin isolated: no SharedArrayBuffer, so one wasm thread.
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    runtimeStarted = ort.InferenceSession.create(Uint8Array.from(atob(WARMUP_GRAPH), (c) => c.charCodeAt(0)), { executionProviders: ['wasm'] })
      .then((s) => s.release()).then(() => { mark('runtime started'); }, () => undefined);   // a failure shows in the real sessions
  })();
  runtimeBinary.catch(() => { runtimeBinary = undefined; });
  return runtimeBinary;
}

const engine = new EngineHost(async (p) => {
  // The runtime's binary first, then the package's files (packageOverUrls asks for every checked file at once):
  // onnxruntime instantiates its WebAssembly while they travel, instead of after them.
  await startRuntime(p.ortBaseUri);
  const source = packageOverUrls(p.baseUri, read, p.checkedFiles);
  await runtimeStarted;
  const model = await OnnxModel.load(ort, source, p.backend, { onMark: mark, firstUse: p.firstUse });
  mark('encoder and decoder sessions created');
  return model;
});

const endpoint = webviewEndpoint<EngineWorkerProtocol>(ENGINE_WORKER, {
  post: (m) => scope.postMessage(m),
  peer: 'The webview',
  handlers: {
    prepare: async ({ ortBaseUri }) => {
      mark('prepare received');
      await startRuntime(ortBaseUri);
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
      // The graphs with attention outputs are opened on first use: timed here, apart from the translation.
      if (p.attention) {
        await Promise.all([model.session('encoderAttn'), model.session('decoderStepAttn')]);
        mark('attention sessions ready');
      }
      const result = await engine.translator.translate(p.text, {
        to: p.to, from: p.from, beam: p.beam, attention: p.attention, queriesAndKeys: p.queriesAndKeys, steps: p.steps, signal,
        onProgress: (done, total) => endpoint.notify('progress', { requestId: id, done, total }),
        onPartial: p.partial ? (x) => endpoint.notify('partial', { requestId: id, ...x }) : undefined,
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
