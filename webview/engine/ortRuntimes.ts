// onnxruntime-web as two builds, one per backend: their JavaScript glue is bundled here, their binaries are read by
// the page (ORT_WASM_FILES). WebGPU needs the asyncify build; WebAssembly runs on the plain one, which is half the
// bytes to move and starts in a third of the CPU time (docs/PERFORMANCE.md, "Two onnxruntime builds"). The webview's
// worker and the benchmark's Chromium page both pick the build here, so the bench measures what the webview runs.
import * as ortWasm from 'onnxruntime-web/wasm';
import * as ortWebgpu from 'onnxruntime-web/webgpu';
import type { OrtModule } from '../../src/engine/onnxModel';
import type { Backend } from '../../src/shared/results';

/** The onnxruntime-web build that runs `backend`. */
export function ortFor(backend: Backend): OrtModule {
  return backend === 'webgpu' ? ortWebgpu : ortWasm;
}
