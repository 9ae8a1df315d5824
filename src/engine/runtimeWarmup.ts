// Starts onnxruntime-web's WebAssembly before the model's files are in, and pays its costliest first call there.
import type { OrtModule } from './onnxModel';

/**
 * A one-node graph, float [1] → Cast → int64 [1] (98 bytes), written by the onnx package:
 * `helper.make_model(helper.make_graph([make_node('Cast', ['x'], ['y'], to=INT64)], 'warmup', [x float [1]],
 * [y int64 [1]]), opset 17, ir_version 8, producer_name 'attention-companion')`.
 *
 * Why a Cast, and why it runs: creating any session makes onnxruntime instantiate its WebAssembly, and the first
 * Cast the runtime ever runs (any pair of types) costs 0.3 s in Chromium on an idle 2-core machine and 0.6-1.4 s on
 * a busy one, once per realm; every later Cast costs under a millisecond. The model's graphs all cast (the source
 * mask, the shortlist's ids), so without this the first translation paid it (docs/PERFORMANCE.md, "The first Cast").
 * Run here (engineWarmup.ts starts it, then the engine on a micro model), it is paid while the weights still travel.
 */
export const RUNTIME_WARMUP_GRAPH = 'CAgSE2F0dGVudGlvbi1jb21wYW5pb246QwoXCgF4EgF5IgRDYXN0KgkKAnRvGAegAQISBndhcm11cFoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAcSBAoCCAFCBAoAEBE=';

/** The warm-up graph's bytes (atob: in the browser and in Node 16+). */
export function runtimeWarmupBytes(): Uint8Array {
  return Uint8Array.from(atob(RUNTIME_WARMUP_GRAPH), (c) => c.charCodeAt(0));
}

/**
 * Instantiates the runtime's WebAssembly (a session on the warm-up graph, on the CPU provider) and runs the graph
 * once. Resolves with what the Cast gave for 2.7 (2: the caller may check it); nothing else runs meanwhile, since the
 * model's sessions wait for this. `mark` hears when the session is created (the rest is the Cast's first run).
 */
export async function warmUpRuntime(ort: OrtModule, mark: (label: string) => void = () => undefined): Promise<number> {
  const session = await ort.InferenceSession.create(runtimeWarmupBytes(), { executionProviders: ['wasm'] });
  mark('runtime instantiated (its first session created)');
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(2.7), [1]) });
    return Number((out.y.data as BigInt64Array)[0]);
  } finally {
    await session.release();
  }
}
