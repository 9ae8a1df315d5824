// Runs the engine once on a micro model while the real package's files still travel, so that the first real search
// finds onnxruntime's kernels and the engine's JavaScript already compiled to optimized code.
//
// Why: V8 first runs WebAssembly and JavaScript from quickly made, slow code, and compiles a function again, optimized,
// once it has run enough. A page's first search paid that (1.6-2.1 s on an idle 2-core machine against 0.2-0.4 s
// warm; docs/PERFORMANCE.md, "The engine warmed up on a micro model"). The micro model (warmupPackage.ts, written by
// models/training/warmup_package.py) has random weights and graphs from the shipped packages' exporter: the same
// operators and the same engine code, on matrices a few kilobytes large. What it translates is never shown.
import type { Backend, BackendChoice } from '../shared/results';
import { PackageError } from '../shared/packageError';
import { CancelledError } from './beam';
import { OnnxModel, type OrtModule, type PackageSource } from './onnxModel';
import { warmUpRuntime } from './runtimeWarmup';
import { Translator } from './translator';
import { WARMUP_PACKAGE_FILES } from './warmupPackage';

/** What the warm-up translates (into Korean, beam 4, with attention: as Translate Selection does first). */
export const WARMUP_TEXT = 'Attention.';

/** The warm-up package's files, each decoded once when read (base64, then gunzip). */
export function warmupPackage(): PackageSource {
  const location = 'the engine\'s warm-up package';
  return {
    location,
    read: async (name) => {
      const encoded = WARMUP_PACKAGE_FILES[name];
      if (encoded === undefined) throw new PackageError(`${location}: ${name}`, 'is not in the warm-up package');
      return gunzip(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
    },
  };
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface WarmupReport {
  /** Target tokens the warm-up's search chose (its decoder steps ran for them and the beam's other rows). */
  tokens: number;
  /** Wall ms: the micro model's load, its translation, its release. */
  ms: number;
}

/**
 * Loads the micro model on the CPU (the WebAssembly backend's kernels: WebGPU's are shaders, compiled per shape),
 * translates WARMUP_TEXT with it as Translate Selection translates, and releases it. `signal` stops it between two
 * decoder steps (the real package's sessions need the runtime: they should not wait for a warm-up).
 */
export async function warmUpEngine(ort: OrtModule, signal?: AbortSignal): Promise<WarmupReport> {
  const t0 = performance.now();
  const cpu: BackendChoice = { backend: 'wasm', reason: 'setting' };
  const model = await OnnxModel.load(ort, warmupPackage(), cpu, { firstUse: 'attention' });
  // A stop rejects at once; the step then running ends first, and only then are the sessions released.
  let settled = () => {};
  const stopped = new Promise<void>((resolve) => { settled = resolve; });
  try {
    const result = await new Translator(model).translate(WARMUP_TEXT,
      { from: 'en', to: 'ko', beam: 4, attention: true, steps: true, signal, onSettled: () => settled() });
    const tokens = result.sentences.reduce((n, s) => n + s.tgtTokens.length, 0);
    return { tokens, ms: performance.now() - t0 };
  } finally {
    await stopped;
    await model.release();
  }
}

/** A runtime being warmed up while the model's files travel (startWarmup). */
export interface RuntimeWarmup {
  /**
   * Called when the model's sessions could be created: stops the engine's warm-up (between two decoder steps) and
   * resolves once the runtime is free for them. Later calls resolve at once.
   */
  ready(): Promise<void>;
}

/**
 * Starts `ort` for `backend`, once per runtime: instantiated and its first Cast run (runtimeWarmup.ts), then, on the
 * WebAssembly backend, the engine run on the micro model (warmUpEngine) until `ready()` is called. `mark` hears each
 * stage (the worker's cold-start timeline). Never rejects: a runtime that cannot start fails the model's sessions,
 * which say why.
 */
export function startWarmup(ort: OrtModule, backend: Backend, mark: (label: string) => void = () => undefined): RuntimeWarmup {
  const stop = new AbortController();
  const cast = warmUpRuntime(ort, mark).then(() => mark('runtime started'), () => undefined);
  const done = backend !== 'wasm' ? cast : cast.then(() => (stop.signal.aborted ? undefined : warmUpEngine(ort, stop.signal))).then(
    (r) => { if (r) mark(`engine warmed up on the micro model (${r.tokens} tokens, ${Math.round(r.ms)} ms)`); },
    (e) => mark(e instanceof CancelledError ? 'engine warm-up stopped: the package is in' : `engine warm-up failed: ${(e as Error).message}`));
  return { ready: () => { stop.abort(); return done; } };
}
