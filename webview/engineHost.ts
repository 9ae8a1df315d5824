// The engine inside a webview's worker (./engine/worker.ts): opens packages and keeps the current model. Files come
// through a `FileReader` (the page reads them over the webview's resource URIs); tests load from disk instead.
import type { LoadModelParams, ModelInfo } from '../src/shared/protocol';
import { OnnxModel, type PackageSource } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { DEFAULT_SENTENCE_CACHE_BYTES } from '../src/engine/sentenceCache';
import { PackageError, packageFileLabel } from '../src/shared/packageError';
import type { FileReply } from './engine/workerProtocol';

/** Opens a package into a model; the worker's own by default, replaceable so tests can load from disk. */
export type ModelLoader = (p: LoadModelParams) => Promise<OnnxModel>;

/** Reads one URL (the page does it for its worker). */
export type FileReader = (url: string) => Promise<FileReply>;

/**
 * The package at `baseUri`. `checkedFiles`: what the extension host has already hashed; without it the engine hashes.
 * With it, every file it lists is asked for at once (the engine reads them one after another otherwise, and each
 * read is a round trip through the page and the host): each is handed out once, to the engine's own read.
 */
export function packageOverUrls(baseUri: string, read: FileReader, checkedFiles?: Record<string, string>): PackageSource {
  const base = baseUri.endsWith('/') ? baseUri : baseUri + '/';
  const label = (name: string) => packageFileLabel(baseUri, name);
  const readBytes = async (name: string) => bytesOf(await read(base + name), label(name));
  const early = new Map<string, Promise<Uint8Array>>();
  for (const name of Object.keys(checkedFiles ?? {})) {
    const bytes = readBytes(name);
    bytes.catch(() => undefined);                      // met again (and reported) when the engine reads the file
    early.set(name, bytes);
  }
  return {
    location: baseUri,
    read: (name) => {
      const bytes = early.get(name);
      early.delete(name);
      return bytes ?? readBytes(name);
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

/** The bytes of a reply, or a PackageError naming `file` and what went wrong. */
export function bytesOf(reply: FileReply, file: string): Uint8Array {
  if ('bytes' in reply) return reply.bytes;
  switch (reply.problem) {
    case 'missing': throw new PackageError(file, 'does not exist');
    case 'http': throw new PackageError(file, `could not be read (HTTP ${reply.status})`);
    default: throw new PackageError(file, 'could not be read (the webview may not reach this folder)');
  }
}

export class EngineHost {
  private current?: { key: string; model: OnnxModel; translator: Translator };

  /**
   * `cacheBytes`: the translator's sentence cache (src/engine/sentenceCache.ts); the bench's page passes 0, so that
   * a sentence translated again is decoded again and timed.
   */
  constructor(private readonly loadModel: ModelLoader, private readonly cacheBytes = DEFAULT_SENTENCE_CACHE_BYTES) {}

  /** Switches models only when the new one loads: after a failed load the previous model keeps translating. */
  async load(p: LoadModelParams): Promise<ModelInfo> {
    const key = `${p.baseUri}|${p.backend}`;
    const t0 = performance.now();
    if (this.current?.key !== key) {
      const model = await this.loadModel(p);
      const previous = this.current;
      this.current = { key, model, translator: new Translator(model, { cacheBytes: this.cacheBytes }) };
      await previous?.model.release();
    }
    if (p.background?.warmUp) {
      const w = p.background.warmUp;
      await this.current.translator.translate(w.text, { to: w.to, from: w.from, beam: w.beam, attention: w.attention, steps: w.steps, queriesAndKeys: false })
        .catch(() => undefined);                     // a warm-up only: the next translation meets any problem itself
    }
    const m = this.current.model;
    return { id: m.manifest.id, backend: m.backend, backendChoice: m.backendChoice, manifest: m.manifest, loadMillis: Math.round(performance.now() - t0) };
  }

  get translator(): Translator {
    if (!this.current) throw new Error('No model is loaded in this view yet.');
    return this.current.translator;
  }
}
