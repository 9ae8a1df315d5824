// A webview page's handle on its engine worker (./worker.ts): starts it, asks it for loads and translations, and
// serves it the files it reads (from the page's storage, the host's loopback file server, or the host's channel).
// The worker script is fetched and started from a Blob URL (a Worker cannot be created from a webview resource URI in
// every editor version; CSP: `worker-src blob:`), and the page does every fetch for it.
import { hostEndpoint, type Endpoint, type Message } from '../../src/shared/ipc';
import { BACKEND_META, RUNTIME_LOOPBACK_META, RUNTIME_META, RUNTIME_START_META, type LoadModelParams, type ModelInfo } from '../../src/shared/protocol';
import type { BackendSetting, TranslationResult } from '../../src/shared/results';
import type { PartialTranslation } from '../../src/engine/translator';
import { epochNow, fetchMarks, type Mark } from '../../src/shared/timeline';
import { ENGINE_WORKER, ORT_WASM_FILES, type EngineWorkerProtocol, type FileReply, type WorkerFileReply, type WorkerTranslateParams } from './workerProtocol';
import { resolvedUrl } from '../../src/shared/resolvedUrl';
import { ownBuffer, viewsWholeBuffer } from '../../src/shared/ownBuffer';
import { sha256Hex, type FileCache } from './fileCache';

/** A model load reads and compiles ~45 MB; the host's own timeout (3 min) is the one users meet. */
const LOAD_TIMEOUT_MS = 10 * 60_000;
/** The host times translations out and cancels them; this only bounds a worker that died without a word. */
const TRANSLATE_TIMEOUT_MS = 60 * 60_000;
const COUNT_TIMEOUT_MS = 60_000;
/** Tries per file when the editor answers 408 (it timed out reading the file for the webview). */
const READ_ATTEMPTS = 3;
/**
 * How long the runtime's URI may take to answer before the page reads the binary from its own storage instead: the
 * editor's service worker answers from its cache within a second; longer means it is moving the 14 MB again.
 */
const URI_ANSWER_TIMEOUT_MS = 2_500;
/** After a load that read the runtime as bytes, the page reads it once over its URI, this much later (off the first translation). */
const URI_FILL_DELAY_MS = 20_000;
/**
 * The files a load read from the host are written to the page's storage this long after the load has ended, one per
 * idle moment of the page: a write blocks the page's thread for 70-270 ms per runtime-sized file (its copy, then
 * IndexedDB's), and during a cold load that thread is the one the editor's channel hands the weights through
 * (docs/PERFORMANCE.md, "The page's storage written after the load").
 */
const STORE_DELAY_MS = 3_000;
/** A file read by a load that never ends (a prepare alone, a load that hangs) is still written after this long. */
const STORE_AT_LATEST_MS = 60_000;

export interface TranslateCallbacks {
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** The finished sentences so far (asked for only when given). */
  onPartial?(partial: PartialTranslation): void;
  /** A cancelled translation has stopped computing in the worker, `afterAbortMs` after the cancel reached it. */
  onStopped?(afterAbortMs: number): void;
  /** When the page and the worker did each step of this translation (before its answer). */
  onTimeline?(marks: Mark[]): void;
}

type ToWorker = EngineWorkerProtocol['hostToWebview'];
type FromWorker = EngineWorkerProtocol['webviewToHost'];

export class EngineWorker {
  private worker?: Worker;
  /** What was posted before the worker's script arrived. */
  private readonly queued: [Message, Transferable[]][] = [];
  private readonly endpoint: Endpoint<ToWorker, FromWorker>;
  private readonly listeners = new Map<number, TranslateCallbacks>();
  /** Cancelled translations whose stop report is still awaited, with the timer that gives up on it. */
  private readonly stopWaits = new Map<number, ReturnType<typeof setTimeout>>();
  /** URL prefixes the worker may read: the packages it was asked to load and the runtime's folder. */
  private readonly readable = new Set<string>();
  private failure?: Error;
  private heard = false;
  private readonly scriptUrl: string;
  /** Whether the worker's start has begun (at construction, or at the first request: startAtFirstRequest). */
  private started = false;
  private readonly runtimeTags: Record<string, string>;
  /** What the page did for its worker since the marks were last taken (a load's, a translation's). */
  readonly marks: Mark[] = [];
  /** The page's storage of engine files, and how each readable file is kept there (by resolved URL). */
  private readonly cache?: FileCache;
  private readonly cacheEntries = new Map<string, CacheEntry>();
  /** onnxruntime's binaries as the worker asks for them (resolved URLs). */
  private readonly runtimeUrls = new Set<string>();
  /** Resolves once a runtime binary has come to this page (from the host or the page's storage), or its compile from its URI begins. */
  private runtimeCame!: () => void;
  private readonly runtimeIn = new Promise<void>((resolve) => { this.runtimeCame = resolve; });
  /** Package files the page began reading before the worker asked for them (load()), by resolved URL; each taken once. */
  private readonly prefetched = new Map<string, Promise<FileReply | undefined>>();
  /** What the worker asked for during the current load (never read ahead again). */
  private readonly askedByWorker = new Set<string>();
  /** Runtime URIs read once for the browser's caches in this page (fillUriCache). */
  private readonly uriFilled = new Set<string>();
  /** The read over its URI that waits for the current load to end (fillUriCache). */
  private uriFill?: () => void;
  private readonly uriTimes: { fillDelayMs: number; answerTimeoutMs: number };
  /** Copies of the files read from the host, by their key in the page's storage, until they are written there (storeLater). */
  private readonly unstored = new Map<string, Uint8Array>();
  /** The pending start of a pass that writes them (storeAfter); undefined once it has started. */
  private storeTimer?: ReturnType<typeof setTimeout>;
  private readonly storeDelayMs: number;
  /** onnxruntime's binaries on the host's loopback file server, by file name (pageRuntimeLoopback()). */
  private readonly runtimeLoopback: Record<string, string>;
  /** Files the page may fetch from the host's loopback file server: resolved webview URL -> its URL there. */
  private readonly loopbackUrls = new Map<string, string>();

  /**
   * `scriptUrl`: dist/engineWorker.js as a webview resource URI. `fromHost`: asks the extension host for a file by its
   * webview URI (the host reads it from disk); a file the host does not serve is fetched over the URI instead.
   * `cache`: where the page keeps the files it read, for the next cold start (./fileCache.ts); `runtimeTags`: the
   * host's "size-mtime" of each onnxruntime binary (pageRuntimeTags()), which key them there. `uriTimes`: how
   * long after a load the page reads the runtime over its URI, and how long the URI may take to answer (a test
   * shortens them; URI_FILL_DELAY_MS, URI_ANSWER_TIMEOUT_MS). `storeDelayMs`: how long after a load the files it read
   * from the host are written to the storage (STORE_DELAY_MS). `runtimeLoopback`: onnxruntime's binaries on the host's
   * loopback file server (file name -> URL), fetched there before the host's channel is asked.
   */
  constructor(scriptUrl: string, private readonly fromHost?: (url: string) => Promise<FileReply>,
    opts: {
      cache?: FileCache; runtimeTags?: Record<string, string>; uriTimes?: { fillDelayMs: number; answerTimeoutMs: number }; storeDelayMs?: number;
      runtimeLoopback?: Record<string, string>;
      /**
       * Start the worker (fetch and run its 0.4 MB script) only when the first request goes to it: a page whose first
       * texts come from the host's text process (RUNTIME_START_META) needs none of it while the user waits.
       */
      startAtFirstRequest?: boolean;
    } = {}) {
    this.cache = opts.cache;
    this.runtimeLoopback = opts.runtimeLoopback ?? {};
    this.runtimeTags = opts.runtimeTags ?? {};
    this.uriTimes = opts.uriTimes ?? { fillDelayMs: URI_FILL_DELAY_MS, answerTimeoutMs: URI_ANSWER_TIMEOUT_MS };
    this.storeDelayMs = opts.storeDelayMs ?? STORE_DELAY_MS;
    this.endpoint = hostEndpoint<EngineWorkerProtocol>(ENGINE_WORKER, {
      post: (m) => {
        if (this.worker) this.worker.postMessage(m, transferables(m));
        else {
          this.queued.push([m, transferables(m)]);
          this.start();
        }
      },
      peer: 'The engine worker',
      handlers: { readFile: async ({ url }) => (await this.takePrefetched(url)) ?? this.readFile(url) },
      onNotification: (n) => {
        const l = this.listeners.get(n.params.requestId);
        if (n.method === 'progress') l?.onProgress?.(n.params.done, n.params.total);
        else if (n.method === 'partial') l?.onPartial?.(n.params);
        else if (n.method === 'stopped') {
          l?.onStopped?.(n.params.afterAbortMs);
          this.forgetStopped(n.params.requestId);
        }
        else if (n.method === 'timeline') {
          const marks = [...this.takeMarks(), ...n.params.marks];      // taken even when nobody asks: they never pile up
          l?.onTimeline?.(marks);
        }
      },
    });
    this.scriptUrl = scriptUrl;
    if (!opts.startAtFirstRequest) this.start();
  }

  /** Fetches the worker's script and starts it, once; what was posted meanwhile waits in `queued`. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    const scriptUrl = this.scriptUrl;
    this.mark('page: engine worker starting');
    startWorker(scriptUrl).then((worker) => {
      this.mark('page: engine worker created');
      this.marks.push(...fetchMarks('page: ', [scriptUrl]));
      worker.addEventListener('message', (e) => {
        this.heard = true;
        void this.endpoint.receive(e.data);
      });
      // Before its first message the script itself failed (refused, not found): nothing will work. Later, an error
      // outside a request's handler fails what is waiting; the engine may still answer the next request.
      worker.addEventListener('error', (e) => {
        const why = e.message || 'an error in its worker';
        if (this.heard) this.endpoint.failPending(new Error(`The engine failed: ${why}.`));
        else this.fail(`The engine could not start: ${why}.`);
      });
      worker.addEventListener('messageerror', () => this.fail('The engine worker sent a message that could not be read.'));
      this.worker = worker;
      for (const [m, transfer] of this.queued.splice(0)) worker.postMessage(m, transfer);
    }, (e: Error) => this.fail(`The engine could not start its worker: ${e.message}`));
  }

  /**
   * Starts reading and instantiating onnxruntime from `ortBaseUri` now, before any load asks for it (the page knows
   * where the runtime lies before the host has checked a package). A failure here is met again by the load.
   */
  prepareRuntime(ortBaseUri: string, backend: BackendSetting): void {
    this.allowRuntime(ortBaseUri);
    this.request('prepare', { ortBaseUri, backend }, { timeoutMs: LOAD_TIMEOUT_MS }).catch(() => undefined);
  }

  async load(params: LoadModelParams): Promise<ModelInfo> {
    const url = resolvedUrl(withSlash(params.baseUri));
    if (url) this.readable.add(url);
    for (const [name, at] of Object.entries(params.loopback ?? {})) {
      const fileUrl = resolvedUrl(withSlash(params.baseUri) + name);
      if (fileUrl && typeof at === 'string') this.loopbackUrls.set(fileUrl, at);
    }
    const keys = this.allowRuntime(params.ortBaseUri);
    // The files the host has checked are kept in the page's storage by their digests.
    for (const [name, sha256] of Object.entries(params.checkedFiles ?? {})) {
      const fileUrl = resolvedUrl(withSlash(params.baseUri) + name);
      if (!fileUrl || !/^[0-9a-f]{64}$/.test(sha256)) continue;
      this.cacheEntries.set(fileUrl, { key: `sha256|${sha256}`, sha256 });
      keys.push(`sha256|${sha256}`);
    }
    const load = { settled: false };
    this.prefetchAfterRuntime(params, load);
    const info = await this.request('load', params, { timeoutMs: LOAD_TIMEOUT_MS }).finally(() => {
      load.settled = true;
      this.prefetched.clear();                // what the worker did not ask for is not kept
      this.askedByWorker.clear();
    });
    // What this load read is what the next cold start will read: the rest of the storage goes (an older package).
    void this.cache?.keepOnly(keys).catch(() => undefined);
    this.storeAfter(this.storeDelayMs);
    const fill = this.uriFill;
    this.uriFill = undefined;
    if (fill) setTimeout(fill, this.uriTimes.fillDelayMs);
    return { ...info, marks: [...this.takeMarks(), ...(info.marks ?? [])] };
  }

  /**
   * The worker may read onnxruntime's binaries (the build for its backend), and nothing else of their folder.
   * Returns their keys in the page's storage (those the host tagged).
   */
  private allowRuntime(ortBaseUri: string): string[] {
    const keys: string[] = [];
    for (const file of Object.values(ORT_WASM_FILES)) {
      const url = resolvedUrl(withSlash(ortBaseUri) + file);
      if (!url) continue;
      this.readable.add(url);
      this.runtimeUrls.add(url);
      const at = this.runtimeLoopback[file];
      if (typeof at === 'string') this.loopbackUrls.set(url, at);
      const tag = this.runtimeTags[file];
      const size = Number(tag?.split('-')[0]);
      if (!tag || !Number.isSafeInteger(size)) continue;
      const entry = { key: `runtime|${file}|${tag}`, size };
      this.cacheEntries.set(url, entry);
      keys.push(entry.key, servedKey(entry));
    }
    return keys;
  }

  mark(label: string): void {
    this.marks.push([label, epochNow()]);
  }

  takeMarks(): Mark[] {
    return this.marks.splice(0);
  }

  /** Translates in the worker; aborting `signal` rejects at once and stops the worker's run within one decoder step. */
  async translate(params: WorkerTranslateParams, cb: TranslateCallbacks = {}): Promise<TranslationResult> {
    let id = -1;
    try {
      return await this.request('translate', { ...params, partial: !!cb.onPartial }, {
        timeoutMs: TRANSLATE_TIMEOUT_MS, signal: cb.signal,
        onId: (requestId) => { id = requestId; this.listeners.set(requestId, cb); },
      });
    } finally {
      // A cancelled run still reports when it stopped; only that listener stays, until the report (or the next
      // minute): progress the worker sent before it heard the cancel must not reach the page after it (a late
      // "Translating sentence 4 of 17" left the panel busy).
      if (cb.signal?.aborted && cb.onStopped) {
        this.listeners.set(id, { onStopped: cb.onStopped });
        this.stopWaits.set(id, setTimeout(() => this.forgetStopped(id), 60_000));
      } else this.listeners.delete(id);
    }
  }

  /** A cancelled translation's stop report came (or never will): its listener goes. */
  private forgetStopped(id: number): void {
    const wait = this.stopWaits.get(id);
    if (wait === undefined) return;
    clearTimeout(wait);
    this.stopWaits.delete(id);
    this.listeners.delete(id);
  }

  /** How many tokens the loaded model's tokenizer makes of `text`. */
  countTokens(text: string): Promise<number> {
    return this.request('countTokens', { text }, { timeoutMs: COUNT_TIMEOUT_MS });
  }

  private request<M extends keyof ToWorker['requests'] & string>(method: M, params: ToWorker['requests'][M]['params'],
    opts: Parameters<Endpoint<ToWorker, FromWorker>['request']>[2]): Promise<ToWorker['requests'][M]['result']> {
    if (this.failure) return Promise.reject(this.failure);
    return this.endpoint.request(method, params, opts);
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    this.endpoint.failPending(this.failure);
  }

  /**
   * The worker asks for the package's files once its runtime's binary is in, and they then share the channel with
   * nothing; but between the binary coming to this page and the worker's asking, the page inflates the binary (0.7 s)
   * and hands it over. The page asks for the files the host checked as soon as the binary has come, so they travel
   * meanwhile (the binary first still: the runtime compiles while they travel). docs/PERFORMANCE.md, "The package
   * asked for while the runtime inflates". Files on the host's loopback file server share no channel with the
   * runtime: they are asked for at once.
   */
  private prefetchAfterRuntime(params: LoadModelParams, load: { settled: boolean }): void {
    const checked = Object.keys(params.checkedFiles ?? {});
    if (!checked.length) return;
    const base = withSlash(params.baseUri);
    // The channel delivers in order: what the engine reads first (the manifest, the tokenizer) and the small graphs go
    // ahead of the weights, so the engine parses them while the weights travel.
    const names = [...new Set([MANIFEST, ...checked.filter((n) => !n.endsWith('.bin')), ...checked.filter((n) => n.endsWith('.bin'))])];
    const urls = names.map((name) => resolvedUrl(base + name)).filter((u): u is string => !!u);
    const readAhead = (list: string[]) => {
      if (load.settled) return;                 // the load ended (failed) before a runtime came: nothing to read ahead
      for (const url of list) {
        if (this.prefetched.has(url) || this.askedByWorker.has(url)) continue;
        // A file that cannot be read now is read again when the worker asks (and its problem reported then).
        this.prefetched.set(url, this.readFile(url).then((r) => ('bytes' in r ? r : undefined), () => undefined));
      }
    };
    readAhead(urls.filter((u) => this.loopbackUrls.has(u)));
    void this.runtimeIn.then(() => readAhead(urls));
  }

  /** A file the page already began reading for the worker (prefetchAfterRuntime), handed over once. */
  private takePrefetched(asked: string): Promise<FileReply | undefined> | undefined {
    const url = resolvedUrl(asked);
    if (url) this.askedByWorker.add(url);
    const pending = url ? this.prefetched.get(url) : undefined;
    if (pending) this.prefetched.delete(url!);
    return pending;
  }

  /** Reads a file for the worker, only under what it was asked to load. */
  private async readFile(asked: string): Promise<WorkerFileReply> {
    // Compared once resolved: `models/m/../../x` is not inside `models/m/`.
    const url = resolvedUrl(asked);
    if (!url || ![...this.readable].some((prefix) => url === prefix || (prefix.endsWith('/') && url.startsWith(prefix)))) {
      throw new Error(`The engine worker may not read ${asked}.`);
    }
    const name = url.slice(url.lastIndexOf('/') + 1);
    const entry = this.cache ? this.cacheEntries.get(url) : undefined;
    const runtime = this.runtimeUrls.has(url);
    if (runtime && entry) {
      const note = await this.uriNote(entry);
      // The package's files are read meanwhile (prefetchAfterRuntime): the compile takes nothing from their channel.
      if (note === 'served') this.runtimeCame();
      const refused = () => this.cache!.put(servedKey(entry), Uint8Array.of(0));
      const module = note === 'served' ? await this.compiledFrom(url, name, 'its URI', undefined, refused) : undefined;
      if (module) return { module };
      if (note === undefined) this.fillUriCache(url, name, entry);
    }
    if (entry) {
      const kept = await this.fromCache(entry, name);
      if (kept) {
        if (runtime) this.runtimeCame();
        return { bytes: kept };
      }
    }
    const at = this.loopbackUrls.get(url);
    if (at && runtime) {
      const module = await this.compiledFrom(at, name, 'the loopback', this.runtimeCame);
      if (module) return { module };
    } else if (at) {
      const bytes = await this.fetchedFromLoopback(at, name, entry);
      if (bytes) {
        if (entry) this.storeLater(entry.key, bytes);
        return { bytes };
      }
    }
    const reply = await this.readUncached(url, name, runtime ? this.runtimeCame : undefined);
    if (entry && 'bytes' in reply) this.storeLater(entry.key, reply.bytes);
    return reply;
  }

  /**
   * Keeps a copy of `bytes` (the worker takes the bytes themselves) to write to the page's storage once the load has
   * ended (storeAfter), or STORE_AT_LATEST_MS from now.
   */
  private storeLater(key: string, bytes: Uint8Array): void {
    this.unstored.set(key, bytes.slice());
    if (!this.storeTimer) this.storeAfter(STORE_AT_LATEST_MS);
  }

  /** Writes the files waiting for the storage `ms` from now, each in an idle moment of the page (where it has those). */
  private storeAfter(ms: number): void {
    if (!this.unstored.size) return;
    clearTimeout(this.storeTimer);
    const idle = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 5_000 }) : setTimeout(f, 0));
    const next = () => {
      const first = this.unstored.entries().next();
      if (first.done) return;
      const [key, bytes] = first.value;
      this.unstored.delete(key);
      this.cache!.put(key, bytes);
      idle(next);
    };
    this.storeTimer = setTimeout(() => {
      this.storeTimer = undefined;
      idle(next);
    }, ms);
  }

  /**
   * What this page's storage says of the runtime `entry`'s URI: an earlier page read it there in full (fillUriCache),
   * or compiling from it failed here (a browser whose caches do not serve it as WebAssembly: never tried again for
   * this binary), or nothing yet.
   */
  private async uriNote(entry: CacheEntry): Promise<'served' | 'refused' | undefined> {
    if (typeof WebAssembly.compileStreaming !== 'function') return 'refused';
    const note = await this.cache!.get(servedKey(entry)).catch(() => undefined);
    return note === undefined ? undefined : note[0] === 1 ? 'served' : 'refused';
  }

  /**
   * onnxruntime's binary compiled while it streams from `url` (./compiledRuntime.ts): its URI, which an earlier page
   * read in full (uriNote: the editor's service worker answers from its cache storage, and Chromium keeps the module's
   * optimized code with that response, so that the next window compiles nothing), or the host's loopback file server
   * (an HTTP response the browser may keep likewise). `answered`: called once the response has begun. Undefined when
   * `url` does not answer in time (the service worker's cache was emptied: it is moving the binary again) or the
   * compile fails (`refused`): the page reads the bytes another way.
   */
  private async compiledFrom(url: string, name: string, where: string, answered?: () => void, refused?: () => void): Promise<WebAssembly.Module | undefined> {
    this.mark(`page: ${name} compiled from ${where}: started`);
    try {
      const res = await this.answerInTime(url);
      answered?.();
      try {
        const module = await WebAssembly.compileStreaming(res);
        this.mark(`page: ${name} compiled from ${where}`);
        return module;
      } catch (e) {
        refused?.();
        throw e;
      }
    } catch (e) {
      this.mark(`page: ${name} not compiled from ${where} (${(e as Error).message}): read as bytes`);
      return undefined;
    }
  }

  /**
   * A package file from the host's loopback file server, when it answers in time and its bytes match the digest the
   * host checked; undefined otherwise (the page asks the host's channel instead).
   */
  private async fetchedFromLoopback(url: string, name: string, entry: CacheEntry | undefined): Promise<Uint8Array | undefined> {
    this.mark(`page: ${name} fetched from the loopback: started`);
    try {
      const bytes = new Uint8Array(await (await this.answerInTime(url)).arrayBuffer());
      if (entry?.sha256 && (await sha256Hex(bytes)) !== entry.sha256) throw new Error('not the file the host checked');
      this.mark(`page: ${name} fetched from the loopback (${(bytes.length / 1e6).toFixed(2)} MB)`);
      return bytes;
    } catch (e) {
      this.mark(`page: ${name} not fetched from the loopback (${(e as Error).message}): asked of the host`);
      return undefined;
    }
  }

  /**
   * `url`'s answer, when it begins within the answer timeout (its body may take longer) and is a success; otherwise
   * rejects with why not ("no answer in time", the HTTP status, the network's error).
   */
  private async answerInTime(url: string): Promise<Response> {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), this.uriTimes.answerTimeoutMs);
    try {
      const res = await fetch(url, { signal: stop.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res;
    } catch (e) {
      throw new Error(stop.signal.aborted ? 'no answer in time' : (e as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads the runtime's binary once over its URI, a while after the load that read it as bytes has ended (off the
   * first translation), so that the editor's service worker keeps it in its cache storage, and notes that in this
   * page's storage: the next window compiles it from there (compiledFrom). Once per page; a failure only leaves
   * the note unwritten.
   */
  private fillUriCache(url: string, name: string, entry: CacheEntry): void {
    if (this.uriFilled.has(url)) return;
    this.uriFilled.add(url);
    this.uriFill = () => {
      void fetch(url).then((res) => (res.ok ? res.arrayBuffer() : undefined)).then((body) => {
        if (!body || body.byteLength !== entry.size) return;
        this.cache!.put(servedKey(entry), Uint8Array.of(1));
        this.mark(`page: ${name} read over its URI for the next window (${(body.byteLength / 1e6).toFixed(2)} MB)`);
      }, () => undefined);
    };
  }

  /** The file's bytes from the page's storage when they are there and still match their digest (or size). */
  private async fromCache(entry: CacheEntry, name: string): Promise<Uint8Array | undefined> {
    this.mark(`page: ${name} asked of the webview's storage`);
    const bytes = await this.cache!.get(entry.key).catch(() => undefined);
    if (!bytes) return undefined;
    const matches = entry.sha256 ? (await sha256Hex(bytes).catch(() => undefined)) === entry.sha256 : bytes.length === entry.size;
    if (!matches) {
      this.mark(`page: ${name} in the webview's storage did not match; read again`);
      return undefined;
    }
    this.mark(`page: ${name} from the webview's storage (${(bytes.length / 1e6).toFixed(2)} MB)`);
    return bytes;
  }

  /** Reads a file from the host, or fetches it over its webview URI. `came`: called once its bytes are here (before inflating). */
  private async readUncached(url: string, name: string, came?: () => void): Promise<FileReply> {
    if (this.fromHost) {
      this.mark(`page: ${name} asked of the host`);
      const reply = await this.fromHost(url).catch(() => undefined);      // not served by the host: fetched below
      if (reply && 'bytes' in reply && reply.bytes instanceof Uint8Array) {
        this.mark(`page: ${name} came from the host (${(reply.bytes.length / 1e6).toFixed(2)} MB${reply.encoding ? ` ${reply.encoding}` : ''})`);
        came?.();
        if (reply.encoding === undefined) return { bytes: ownBuffer(reply.bytes) };
        const bytes = reply.encoding === 'gzip' ? await gunzip(reply.bytes).catch(() => undefined) : undefined;
        if (bytes) {
          this.mark(`page: ${name} inflated (${(bytes.length / 1e6).toFixed(2)} MB)`);
          return { bytes };
        }
        // Not inflated (an encoding this page does not know, damaged gzip): fetched below instead.
      }
      if (reply && 'problem' in reply && reply.problem === 'missing') return reply;
    }
    this.mark(`page: fetch ${name} started`);
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url);
      } catch {
        return { problem: 'unreachable' };
      }
      // 408: the editor did not serve the file in time (its webview resource loader gives up on a busy machine).
      if (res.status === 408 && attempt < READ_ATTEMPTS) continue;
      if (!res.ok) return res.status === 404 ? { problem: 'missing' } : { problem: 'http', status: res.status };
      const bytes = new Uint8Array(await res.arrayBuffer());
      this.mark(`page: fetch ${name} done (${(bytes.length / 1e6).toFixed(2)} MB)`);
      came?.();
      return { bytes };
    }
  }
}

/** How a file is kept in the page's storage: its key, and the digest (package files) or size (runtime) it must have. */
interface CacheEntry { key: string; sha256?: string; size?: number }

/** The page's note on the runtime `entry`'s URI: 1 read there in full (fillUriCache), 0 not compilable there (uriNote). */
const servedKey = (entry: CacheEntry) => `served|${entry.key}`;

/** The host's tags of onnxruntime's binaries, from the page's meta element (none when it is missing or malformed). */
export function pageRuntimeTags(): Record<string, string> {
  return metaStrings(RUNTIME_META, () => true);
}

/** onnxruntime's binaries on the host's loopback file server, from the page's meta element (none when it is missing or malformed). */
export function pageRuntimeLoopback(): Record<string, string> {
  return metaStrings(RUNTIME_LOOPBACK_META, (value) => /^https?:\/\//.test(value));
}

/** The string values that `accept` takes of the JSON object in the page's meta element `name`; {} when there is none. */
function metaStrings(name: string, accept: (value: string) => boolean): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && accept(e[1])));
  } catch {
    return {};
  }
}

/** The backend setting the host wrote into the page (`auto` when there is none or it is not one). */
export function pageBackendSetting(): BackendSetting {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${BACKEND_META}"]`)?.content;
  return value === 'wasm' || value === 'webgpu' ? value : 'auto';
}

/** Whether the host asked the page to leave onnxruntime until its first load (RUNTIME_START_META). */
export function pageRuntimeAtLoad(): boolean {
  return document.querySelector<HTMLMetaElement>(`meta[name="${RUNTIME_START_META}"]`)?.content === 'at-load';
}

const withSlash = (uri: string) => (uri.endsWith('/') ? uri : uri + '/');

/** A package's manifest: the engine's first read, before any checked file. */
const MANIFEST = 'manifest.json';

/** Inflates gzip bytes (the browser's own DecompressionStream: native code, streamed). */
async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Fetches the worker script and starts it from a Blob URL as a module worker. */
async function startWorker(scriptUrl: string): Promise<Worker> {
  const res = await fetch(scriptUrl);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${scriptUrl}`);
  const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' }));
  return new Worker(url, { type: 'module', name: 'Attention Companion engine' });
}

/** The buffers a message can hand over instead of copying (file bytes going to the worker; a module is cloned). */
function transferables(m: Message): Transferable[] {
  if (m.kind !== 'response' || !m.ok) return [];
  const r = m.result as { bytes?: unknown } | undefined;
  return r?.bytes instanceof Uint8Array && viewsWholeBuffer(r.bytes) ? [r.bytes.buffer as ArrayBuffer] : [];
}
