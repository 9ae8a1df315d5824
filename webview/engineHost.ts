// The engine inside the webview: loads packages over the webview's resource URIs and serves translate requests.
import * as ort from 'onnxruntime-web/webgpu';
import type { HostRequests } from '../src/shared/protocol';
import { OnnxModel, type PackageSource } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';

function fetchPackage(baseUri: string): PackageSource {
  const base = baseUri.endsWith('/') ? baseUri : baseUri + '/';
  return {
    location: baseUri,
    read: async (name) => {
      const res = await fetch(base + name);
      if (!res.ok) throw new Error(`${name} could not be read from the model package (HTTP ${res.status}).`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

export class EngineHost {
  private current?: { key: string; model: OnnxModel; translator: Translator };

  async load(p: HostRequests['loadModel']['params']): Promise<HostRequests['loadModel']['result']> {
    const key = `${p.baseUri}|${p.backend}`;
    const t0 = performance.now();
    if (this.current?.key !== key) {
      // A webview is not cross-origin isolated: no SharedArrayBuffer, so one wasm thread.
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.wasmPaths = p.ortBaseUri;
      ort.env.logLevel = 'error';
      const model = await OnnxModel.load(ort, fetchPackage(p.baseUri), p.backend);
      const previous = this.current;
      this.current = { key, model, translator: new Translator(model) };
      await previous?.model.release();
    }
    const m = this.current.model;
    return { id: m.manifest.id, backend: m.backend, manifest: m.manifest, loadMillis: Math.round(performance.now() - t0) };
  }

  get translator(): Translator {
    if (!this.current) throw new Error('No model is loaded in the Attention panel yet.');
    return this.current.translator;
  }
}
