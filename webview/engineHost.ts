// The engine inside a webview (the Attention panel's, the companion's): loads packages over the webview's resource URIs.
import * as ort from 'onnxruntime-web/webgpu';
import type { LoadModelParams, ModelInfo } from '../src/shared/protocol';
import { OnnxModel, type PackageSource } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { PackageError, packageFileLabel } from '../src/shared/packageError';

/** Opens a package into a model; the webview's own by default, replaceable so tests can load from disk. */
export type ModelLoader = (p: LoadModelParams) => Promise<OnnxModel>;

/** `checkedFiles`: what the extension host has already hashed; without it the engine hashes with Web Crypto. */
function fetchPackage(baseUri: string, checkedFiles?: Record<string, string>): PackageSource {
  const base = baseUri.endsWith('/') ? baseUri : baseUri + '/';
  const label = (name: string) => packageFileLabel(baseUri, name);
  return {
    location: baseUri,
    read: async (name) => {
      let res: Response;
      try {
        res = await fetch(base + name);
      } catch {
        throw new PackageError(label(name), 'could not be read (the webview may not reach this folder)');
      }
      if (!res.ok) throw new PackageError(label(name), res.status === 404 ? 'does not exist' : `could not be read (HTTP ${res.status})`);
      return new Uint8Array(await res.arrayBuffer());
    },
    verify: checkedFiles && (async (expected) => {
      for (const [name, digest] of Object.entries(expected)) {
        if (checkedFiles[name] !== digest.sha256) {
          throw new PackageError(label(name), 'changed after the extension checked it (was the package being rewritten?); run the command again');
        }
      }
    }),
  };
}

const loadInWebview: ModelLoader = (p) => {
  // A webview is not cross-origin isolated: no SharedArrayBuffer, so one wasm thread.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = p.ortBaseUri;
  ort.env.logLevel = 'error';
  return OnnxModel.load(ort, fetchPackage(p.baseUri, p.checkedFiles), p.backend);
};

export class EngineHost {
  private current?: { key: string; model: OnnxModel; translator: Translator };

  constructor(private readonly loadModel: ModelLoader = loadInWebview) {}

  /** Switches models only when the new one loads: after a failed load the previous model keeps translating. */
  async load(p: LoadModelParams): Promise<ModelInfo> {
    const key = `${p.baseUri}|${p.backend}`;
    const t0 = performance.now();
    if (this.current?.key !== key) {
      const model = await this.loadModel(p);
      const previous = this.current;
      this.current = { key, model, translator: new Translator(model) };
      await previous?.model.release();
    }
    const m = this.current.model;
    return { id: m.manifest.id, backend: m.backend, manifest: m.manifest, loadMillis: Math.round(performance.now() - t0) };
  }

  get translator(): Translator {
    if (!this.current) throw new Error('No model is loaded in this view yet.');
    return this.current.translator;
  }
}
