// A webview page's handle on its engine worker (webview/engine/engineWorker.ts), with a fake Worker whose script
// answers the real worker protocol: requests made before the script arrived are delivered; the page reads files for
// the worker only inside the folders of a load it was asked for, retries a file the editor timed out serving (408),
// and names a missing one; progress, partial results and the stop report reach the right translation; a cancel
// rejects at once and is passed on; a script that cannot be fetched fails every request with a clear message.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { webviewEndpoint, type Endpoint, type Message } from '../../src/shared/ipc';
import type { LoadModelParams, ModelInfo } from '../../src/shared/protocol';
import type { TranslationResult } from '../../src/shared/results';
import { EngineWorker } from '../../webview/engine/engineWorker';
import type { FileCache } from '../../webview/engine/fileCache';
import { createHash } from 'node:crypto';
import { ENGINE_WORKER, ORT_WASM_FILES, type EngineWorkerProtocol, type FileReply, type WorkerFileReply } from '../../webview/engine/workerProtocol';

const SCRIPT = 'https://webview.test/dist/engineWorker.js';
/** The runtime a WASM load reads (the plain build); the WebGPU build is the asyncify one. */
const RUNTIME = ORT_WASM_FILES.wasm;
const PARAMS: LoadModelParams = { baseUri: 'https://webview.test/models/m', ortBaseUri: 'https://webview.test/dist/ort/', backend: 'wasm', label: 'm' };

/** Node's own fetch, for the tests that talk to a real server (beforeEach replaces the global one). */
const realFetch = globalThis.fetch;

/** What `fetch` answers, by URL: a status (with a body for 200), or a list of statuses for successive tries. */
let served: Map<string, number[]>;
let fetched: string[];

/** The fake worker script: reads what `reads` lists through the page on load; translates "sentences" 20 ms each. */
class FakeWorker {
  static last?: FakeWorker;
  /** Settings for the next FakeWorker (the page creates it once the script arrives, after the test's first call). */
  static next: { reads?: string[]; silent?: boolean } = {};
  /** Where the script notes each file it asks for ("worker asks: name"), when a test gives one. */
  static log?: string[];
  /** A script that never runs: messages are only recorded. */
  private readonly silent: boolean;
  reads: string[] = [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.ortBaseUri}${RUNTIME}`];
  readReplies: (WorkerFileReply | string)[] = [];
  steps = 0;
  stepsAtAbort: number | undefined;
  /** Steps the fake translation took from the cancel until it stopped. */
  stepsAfterAbort: number | undefined;
  received: Message[] = [];
  private readonly listeners = new Map<string, ((e: { data?: unknown; message?: string }) => void)[]>();
  readonly inside: Endpoint<EngineWorkerProtocol['webviewToHost'], EngineWorkerProtocol['hostToWebview']>;

  constructor(readonly url: string, readonly options: { type?: string }) {
    FakeWorker.last = this;
    const next = FakeWorker.next;
    FakeWorker.next = {};
    if (next.reads) this.reads = next.reads;
    this.silent = !!next.silent;
    this.inside = webviewEndpoint<EngineWorkerProtocol>(ENGINE_WORKER, {
      post: (m) => queueMicrotask(() => this.emit('message', { data: structuredClone(m) })),
      peer: 'page',
      handlers: {
        prepare: async () => undefined,
        load: async (p) => {
          for (const url of this.reads) {
            FakeWorker.log?.push(`worker asks: ${url.slice(url.lastIndexOf('/') + 1)}`);
            try {
              this.readReplies.push(await this.inside.request('readFile', { url }, { timeoutMs: 10_000 }));
            } catch (e) {
              this.readReplies.push((e as Error).message);
            }
          }
          return { id: p.label, backend: 'wasm' } as ModelInfo;
        },
        countTokens: async ({ text }) => text.split(' ').length,
        translate: async (p, { id, signal }) => {
          let abortedAt: number | undefined;
          signal.addEventListener('abort', () => { abortedAt = Date.now(); this.stepsAtAbort = this.steps; });
          const parts = p.text.split('. ');
          for (let i = 0; i < parts.length; i++) {
            this.inside.notify('progress', { requestId: id, done: i, total: parts.length });
            await new Promise((r) => setTimeout(r, 20));
            this.steps++;
            if (abortedAt !== undefined) {
              this.stepsAfterAbort = this.steps - this.stepsAtAbort!;
              // As the engine does: the step that was running reports its sentence before the cancel is looked at.
              this.inside.notify('progress', { requestId: id, done: i + 1, total: parts.length });
              this.inside.notify('stopped', { requestId: id, afterAbortMs: Date.now() - abortedAt });
              throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
            }
            if (p.partial) this.inside.notify('partial', { requestId: id, text: parts.slice(0, i + 1).join('. '), done: i + 1, total: parts.length });
          }
          return { text: p.text.toUpperCase() } as TranslationResult;
        },
      },
    });
  }

  postMessage(m: unknown): void {
    this.received.push(m as Message);
    if (this.silent) return;
    const copy = structuredClone(m);
    queueMicrotask(() => void this.inside.receive(copy));
  }

  addEventListener(type: string, l: (e: { data?: unknown; message?: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }

  emit(type: string, e: { data?: unknown; message?: string }): void {
    for (const l of this.listeners.get(type) ?? []) l(e);
  }
}

beforeEach(() => {
  served = new Map([[SCRIPT, [200]], [`${PARAMS.baseUri}/manifest.json`, [200]], [`${PARAMS.ortBaseUri}${RUNTIME}`, [200]]]);
  fetched = [];
  const g = globalThis as Record<string, unknown>;
  g.Worker = FakeWorker;
  g.fetch = async (url: string) => {
    fetched.push(url);
    const statuses = served.get(url) ?? [404];
    const status = statuses.length > 1 ? statuses.shift()! : statuses[0];
    return new Response(status === 200 ? `bytes of ${url}` : null, { status });
  };
});

test('requests made before the script arrives are delivered; the script starts from a Blob URL as a module', async () => {
  const engine = new EngineWorker(SCRIPT);
  const info = await engine.load(PARAMS);                // asked at once: the script is still being fetched
  assert.equal(info.id, 'm');
  const worker = FakeWorker.last!;
  assert.match(worker.url, /^blob:/);
  assert.equal(worker.options.type, 'module');
  assert.equal(fetched[0], SCRIPT);
  assert.equal(await engine.countTokens('one two three'), 3);
});

test('startAtFirstRequest: no script fetched and no worker until the first request, which then reaches it', async () => {
  FakeWorker.last = undefined;
  const engine = new EngineWorker(SCRIPT, undefined, { startAtFirstRequest: true });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fetched, [], 'the page asked for nothing');
  assert.equal(FakeWorker.last, undefined, 'no worker yet');
  const info = await engine.load(PARAMS);
  assert.equal(info.id, 'm');
  assert.equal(fetched[0], SCRIPT);
  assert.ok(FakeWorker.last, 'the worker started at the load');
  assert.ok(engine.marks.some(([label]) => label === 'page: engine worker starting') || info.marks?.some(([label]) => label === 'page: engine worker starting'));
});

test('files are read for the worker only inside the folders of a load, as bytes', async () => {
  const engine = new EngineWorker(SCRIPT);
  FakeWorker.next.reads = [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.baseUri}/../../secret.txt`, 'https://elsewhere.test/x', `${PARAMS.ortBaseUri}other.wasm`];
  await engine.load(PARAMS);
  const [ok, ...refused] = FakeWorker.last!.readReplies;
  assert.ok(typeof ok === 'object' && 'bytes' in ok && new TextDecoder().decode(ok.bytes) === `bytes of ${PARAMS.baseUri}/manifest.json`);
  assert.equal(refused.length, 3);
  for (const r of refused) assert.match(String(r), /may not read/);
  assert.deepEqual(fetched.filter((u) => u !== SCRIPT), [`${PARAMS.baseUri}/manifest.json`], 'nothing outside was fetched');
});

test('with a host that serves files, the worker gets them from the host; what the host does not serve is fetched', async () => {
  const asked: string[] = [];
  const engine = new EngineWorker(SCRIPT, async (url) => {
    asked.push(url);
    if (url.endsWith('manifest.json')) return { bytes: new TextEncoder().encode('from the host') };
    throw new Error('This file is not one the engine was asked to load.');
  });
  FakeWorker.next.reads = [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.ortBaseUri}${RUNTIME}`, `${PARAMS.baseUri}/../../secret.txt`];
  await engine.load(PARAMS);
  const [manifest, runtime, refused] = FakeWorker.last!.readReplies;
  assert.ok(typeof manifest === 'object' && 'bytes' in manifest && new TextDecoder().decode(manifest.bytes) === 'from the host');
  assert.ok(typeof runtime === 'object' && 'bytes' in runtime && new TextDecoder().decode(runtime.bytes).startsWith('bytes of'), 'fetched instead');
  assert.match(String(refused), /may not read/);
  assert.deepEqual(asked, [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.ortBaseUri}${RUNTIME}`], 'nothing outside the load was asked of the host');
  assert.deepEqual(fetched.filter((u) => u !== SCRIPT), [`${PARAMS.ortBaseUri}${RUNTIME}`]);
});

test('a file the host says is missing is missing (not fetched behind its back)', async () => {
  const engine = new EngineWorker(SCRIPT, async () => ({ problem: 'missing' }));
  FakeWorker.next.reads = [`${PARAMS.baseUri}/manifest.json`];
  await engine.load(PARAMS);
  assert.deepEqual(FakeWorker.last!.readReplies, [{ problem: 'missing' }]);
  assert.deepEqual(fetched.filter((u) => u !== SCRIPT), []);
});

test('prepareRuntime asks the worker to start its runtime from the given folder, before any load', async () => {
  const engine = new EngineWorker(SCRIPT);
  engine.prepareRuntime(PARAMS.ortBaseUri, 'auto');
  await new Promise((r) => setTimeout(r, 20));
  const prepare = FakeWorker.last!.received.find((m) => m.kind === 'request' && m.method === 'prepare');
  assert.deepEqual(prepare && 'params' in prepare ? prepare.params : undefined, { ortBaseUri: PARAMS.ortBaseUri, backend: 'auto' });
});

test('a file the editor timed out serving (408) is asked again; a missing one is named as missing', async () => {
  served.set(`${PARAMS.baseUri}/manifest.json`, [408, 408, 200]);
  served.delete(`${PARAMS.ortBaseUri}${RUNTIME}`);
  const engine = new EngineWorker(SCRIPT);
  await engine.load(PARAMS);
  const [manifest, wasm] = FakeWorker.last!.readReplies;
  assert.ok(typeof manifest === 'object' && 'bytes' in manifest, 'the third try got it');
  assert.equal(fetched.filter((u) => u.endsWith('manifest.json')).length, 3);
  assert.deepEqual(wasm, { problem: 'missing' });
  served.set(`${PARAMS.baseUri}/manifest.json`, [408]);
  const again = new EngineWorker(SCRIPT);
  await again.load(PARAMS);
  assert.deepEqual(FakeWorker.last!.readReplies[0], { problem: 'http', status: 408 }, 'gives up after three tries');
});

test('progress and partial results reach their translation; a cancel rejects at once and the worker reports its stop', async () => {
  const engine = new EngineWorker(SCRIPT);
  await engine.load(PARAMS);
  const progress: string[] = [];
  const partials: string[] = [];
  const done = await engine.translate({ text: 'a. b. c', to: 'ko', beam: 1 }, {
    onProgress: (d, t) => progress.push(`${d}/${t}`), onPartial: (p) => partials.push(p.text),
  });
  assert.equal(done.text, 'A. B. C');
  assert.deepEqual(progress, ['0/3', '1/3', '2/3']);
  assert.deepEqual(partials, ['a', 'a. b', 'a. b. c']);

  const abort = new AbortController();
  let stoppedAfter: number | undefined;
  // Progress or partial results the worker sent before it heard the cancel must not reach the page after it (a late
  // "Translating sentence 4 of 17" left the panel busy for good).
  const late: string[] = [];
  const running = engine.translate({ text: 'a. b. c. d. e. f. g. h', to: 'ko', beam: 1 }, {
    signal: abort.signal, onStopped: (ms) => { stoppedAfter = ms; },
    onProgress: (d, t) => { if (abort.signal.aborted) late.push(`progress ${d}/${t}`); },
    onPartial: (p) => { if (abort.signal.aborted) late.push(`partial ${p.text}`); },
  });
  await new Promise((r) => setTimeout(r, 30));
  abort.abort();
  await assert.rejects(running, { name: 'RequestCancelledError' });
  // Told by order, not by a clock (a loaded machine delays timers): the page gave up before the worker's next step
  // ended, and the worker stopped at that step.
  assert.equal(stoppedAfter, undefined, 'the page rejected at once, before the worker stopped');
  assert.ok(FakeWorker.last!.received.some((m) => m.kind === 'cancel'), 'the worker was told');
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(stoppedAfter !== undefined, 'the worker reported that it stopped');
  assert.equal(FakeWorker.last!.stepsAfterAbort, 1, 'the worker stopped at the first step after the cancel');
  assert.deepEqual(late, [], 'after the cancel only the stop report reaches the translation');
});

test('a worker script that cannot be fetched fails every request with a clear message', async () => {
  served.set(SCRIPT, [404]);
  const engine = new EngineWorker(SCRIPT);
  await assert.rejects(engine.load(PARAMS), /could not start its worker: HTTP 404/);
  await assert.rejects(engine.countTokens('x'), /could not start its worker/);
});

test('a worker whose script fails before its first message fails what waits, and what comes later', async () => {
  const engine = new EngineWorker(SCRIPT);
  FakeWorker.next.silent = true;
  const load = engine.load(PARAMS);
  await new Promise((r) => setTimeout(r, 10));
  FakeWorker.last!.emit('error', { message: 'Refused to create a worker' });
  await assert.rejects(load, /could not start: Refused to create a worker/);
  await assert.rejects(engine.countTokens('x'), /could not start/);
});


/** The page's storage as a Map, with the calls it got. */
class MemoryCache implements FileCache {
  readonly entries = new Map<string, Uint8Array>();
  gets: string[] = [];
  async get(key: string) {
    this.gets.push(key);
    const v = this.entries.get(key);
    return v && new Uint8Array(v);
  }
  put(key: string, bytes: Uint8Array) {
    this.entries.set(key, bytes.slice());
  }
  async keepOnly(keys: Iterable<string>) {
    const keep = new Set(keys);
    for (const k of [...this.entries.keys()]) if (!keep.has(k)) this.entries.delete(k);
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** The page writes what a load read to its storage after the load (storeDelayMs 0 here: a few turns of the event loop). */
const written = () => new Promise((r) => setTimeout(r, 20));
const text = (r: WorkerFileReply | string | undefined) => (typeof r === 'object' && 'bytes' in r ? new TextDecoder().decode(r.bytes) : String(r));

test('a cold start after the first reads the runtime and the checked files from the page storage, not from the host', async () => {
  const manifestUrl = `${PARAMS.baseUri}/manifest.json`;
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const cache = new MemoryCache();
  const tags = { [RUNTIME]: `${`bytes of ${runtimeUrl}`.length}-1700000000000` };
  const params = { ...PARAMS, checkedFiles: { 'manifest.json': sha(`bytes of ${manifestUrl}`) } };
  const asked: string[] = [];
  const host = async (url: string): Promise<FileReply> => { asked.push(url); return { bytes: new TextEncoder().encode(`bytes of ${url}`) }; };

  await new EngineWorker(SCRIPT, host, { cache, runtimeTags: tags, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 200 }, storeDelayMs: 0 }).load(params);
  assert.deepEqual(asked, [manifestUrl, runtimeUrl], 'the first start reads from the host');
  await written();
  assert.deepEqual([...cache.entries.keys()].filter((k) => !k.startsWith('served|')).sort(), [`runtime|${RUNTIME}|${tags[RUNTIME]}`, `sha256|${params.checkedFiles['manifest.json']}`].sort());

  // The window reloads: a new page, the same storage.
  asked.length = 0;
  const again = new EngineWorker(SCRIPT, host, { cache, runtimeTags: tags, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 200 }, storeDelayMs: 0 });
  const info = await again.load(params);
  assert.deepEqual(asked, [], 'nothing asked of the host');
  assert.deepEqual(FakeWorker.last!.readReplies.map(text), [`bytes of ${manifestUrl}`, `bytes of ${runtimeUrl}`]);
  assert.ok(info.marks?.some(([l]) => l === 'page: manifest.json from the webview\'s storage (0.00 MB)'));
});

test('what a load read from the host is written to the page storage only once the load has ended and its delay passed', async () => {
  const manifestUrl = `${PARAMS.baseUri}/manifest.json`;
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const cache = new MemoryCache();
  const tags = { [RUNTIME]: `${`bytes of ${runtimeUrl}`.length}-1700000000000` };
  const params = { ...PARAMS, checkedFiles: { 'manifest.json': sha(`bytes of ${manifestUrl}`) } };
  const host = async (url: string): Promise<FileReply> => ({ bytes: new TextEncoder().encode(`bytes of ${url}`) });
  const writes: string[] = [];
  const put = cache.put.bind(cache);
  cache.put = (key, bytes) => { if (!key.startsWith('served|')) writes.push(key); put(key, bytes); };   // the URI's note aside
  const writesWhenRead: number[] = [];
  const reading = async (url: string) => { writesWhenRead.push(writes.length); return host(url); };
  const delay = 300;
  const engine = new EngineWorker(SCRIPT, reading, { cache, runtimeTags: tags, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 200 }, storeDelayMs: delay });
  await engine.load(params);
  const ended = Date.now();
  assert.deepEqual(writes, [], 'nothing written when the load ends');
  assert.deepEqual(writesWhenRead, [0, 0], 'nor while it read');
  // The worker took (detached) the bytes it was given; the storage gets copies of them.
  assert.deepEqual(FakeWorker.last!.readReplies.map(text), [`bytes of ${manifestUrl}`, `bytes of ${runtimeUrl}`]);
  for (let waited = 0; writes.length < 2 && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  assert.ok(Date.now() - ended >= delay - 5, `written ${Date.now() - ended} ms after the load, not before its delay`);
  assert.deepEqual([...writes].sort(), [`runtime|${RUNTIME}|${tags[RUNTIME]}`, `sha256|${params.checkedFiles['manifest.json']}`].sort());
  assert.equal(new TextDecoder().decode(cache.entries.get(`runtime|${RUNTIME}|${tags[RUNTIME]}`)), `bytes of ${runtimeUrl}`);
  assert.equal(new TextDecoder().decode(cache.entries.get(`sha256|${params.checkedFiles['manifest.json']}`)), `bytes of ${manifestUrl}`);
});

test('once the runtime has come from the host, the page asks for the manifest and the checked files before the worker does, each once, the weights last', async () => {
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const [manifestUrl, weightsUrl, graphUrl] = [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.baseUri}/weights.bin`, `${PARAMS.baseUri}/encoder.onnx`];
  const params = { ...PARAMS, checkedFiles: { 'weights.bin': sha('w'), 'encoder.onnx': sha('e') } };
  const log: string[] = [];
  const host = async (url: string): Promise<FileReply> => {
    log.push(`host asked: ${url.slice(url.lastIndexOf('/') + 1)}`);
    await new Promise((r) => setTimeout(r, 10));
    return { bytes: new TextEncoder().encode(`host bytes of ${url}`) };
  };
  FakeWorker.log = log;
  try {
    // As the real worker: the runtime first, then the package's files.
    FakeWorker.next.reads = [runtimeUrl, manifestUrl, weightsUrl, graphUrl];
    await new EngineWorker(SCRIPT, host).load(params);
    assert.deepEqual(FakeWorker.last!.readReplies.map(text), [runtimeUrl, manifestUrl, weightsUrl, graphUrl].map((u) => `host bytes of ${u}`));
    assert.deepEqual(log, [`worker asks: ${RUNTIME}`, `host asked: ${RUNTIME}`, 'host asked: manifest.json', 'host asked: encoder.onnx',
      'host asked: weights.bin', 'worker asks: manifest.json', 'worker asks: weights.bin', 'worker asks: encoder.onnx']);

    // A worker that read a file before the runtime: that file is not read ahead again.
    log.length = 0;
    FakeWorker.next.reads = [manifestUrl, runtimeUrl, weightsUrl, graphUrl];
    await new EngineWorker(SCRIPT, host).load(params);
    assert.deepEqual(log.filter((l) => l.startsWith('host')), ['host asked: manifest.json', `host asked: ${RUNTIME}`, 'host asked: encoder.onnx', 'host asked: weights.bin']);
    assert.deepEqual(FakeWorker.last!.readReplies.map(text), [manifestUrl, runtimeUrl, weightsUrl, graphUrl].map((u) => `host bytes of ${u}`));

    // A load that ended before any runtime came reads nothing ahead later, when another load brings the runtime.
    log.length = 0;
    const engine = new EngineWorker(SCRIPT, host);
    FakeWorker.next.reads = [];
    await engine.load(params);
    const other = { ...PARAMS, baseUri: 'https://webview.test/models/n', checkedFiles: { 'weights.bin': sha('n') } };
    FakeWorker.last!.reads = [runtimeUrl];
    await engine.load(other);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(log.filter((l) => l.startsWith('host')), [`host asked: ${RUNTIME}`, 'host asked: manifest.json', 'host asked: weights.bin']);
    assert.ok(!log.includes('host asked: encoder.onnx'), 'nothing of the first load was read ahead');

    // Without checked files (a host that checked nothing), nothing is read ahead.
    log.length = 0;
    FakeWorker.next.reads = [runtimeUrl, manifestUrl];
    await new EngineWorker(SCRIPT, host).load(PARAMS);
    assert.deepEqual(log, [`worker asks: ${RUNTIME}`, `host asked: ${RUNTIME}`, 'worker asks: manifest.json', 'host asked: manifest.json']);
  } finally {
    FakeWorker.log = undefined;
  }
});

test('a stored file that no longer matches its digest or size is read from the host again and replaced', async () => {
  const manifestUrl = `${PARAMS.baseUri}/manifest.json`;
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const digest = sha(`bytes of ${manifestUrl}`);
  const tag = `${`bytes of ${runtimeUrl}`.length}-1700000000000`;
  const cache = new MemoryCache();
  cache.entries.set(`sha256|${digest}`, new TextEncoder().encode('damaged'));
  cache.entries.set(`runtime|${RUNTIME}|${tag}`, new TextEncoder().encode('short'));
  cache.entries.set('sha256|' + '0'.repeat(64), new TextEncoder().encode('an older package'));
  const asked: string[] = [];
  const host = async (url: string): Promise<FileReply> => { asked.push(url); return { bytes: new TextEncoder().encode(`bytes of ${url}`) }; };
  const engine = new EngineWorker(SCRIPT, host, { cache, runtimeTags: { [RUNTIME]: tag }, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 200 }, storeDelayMs: 0 });
  const info = await engine.load({ ...PARAMS, checkedFiles: { 'manifest.json': digest } });
  assert.deepEqual(asked, [manifestUrl, runtimeUrl]);
  assert.deepEqual(FakeWorker.last!.readReplies.map(text), [`bytes of ${manifestUrl}`, `bytes of ${runtimeUrl}`]);
  await written();
  assert.equal(new TextDecoder().decode(cache.entries.get(`sha256|${digest}`)), `bytes of ${manifestUrl}`, 'replaced');
  assert.ok(!cache.entries.has('sha256|' + '0'.repeat(64)), 'what the load did not read is dropped');
  assert.ok(info.marks?.some(([l]) => l === 'page: manifest.json in the webview\'s storage did not match; read again'));
});

test('without runtime tags or digests nothing is stored; a file outside the load is never looked up', async () => {
  const cache = new MemoryCache();
  FakeWorker.next.reads = [`${PARAMS.baseUri}/manifest.json`, `${PARAMS.ortBaseUri}${RUNTIME}`, `${PARAMS.baseUri}/../../secret.txt`];
  await new EngineWorker(SCRIPT, undefined, { cache }).load(PARAMS);
  assert.deepEqual([...cache.entries.keys()], []);
  assert.deepEqual(cache.gets, []);
});

/** The smallest valid WebAssembly module: the magic word and version 1. */
const EMPTY_WASM = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

test('after a load that read the runtime as bytes, the page reads it over its URI; the next page compiles it from there', async (t) => {
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const tag = `${EMPTY_WASM.length}-1700000000000`;
  const cache = new MemoryCache();
  const asked: string[] = [];
  const host = async (url: string): Promise<FileReply> => {
    asked.push(url);
    return { bytes: url === runtimeUrl ? EMPTY_WASM.slice() : new TextEncoder().encode(`bytes of ${url}`) };
  };
  // The runtime's URI answers as the editor's service worker does: the binary, as application/wasm.
  const g = globalThis as Record<string, unknown>;
  const plainFetch = g.fetch as (url: string, init?: RequestInit) => Promise<Response>;
  t.after(() => { g.fetch = plainFetch; });                // also when an assertion fails midway
  let uriAnswerMs = 0;
  g.fetch = async (url: string, init?: RequestInit) => {
    if (url !== runtimeUrl) return plainFetch(url, init);
    fetched.push(url);
    await new Promise((resolve, reject) => {
      setTimeout(resolve, uriAnswerMs);
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
    return new Response(EMPTY_WASM.slice(), { headers: { 'content-type': 'application/wasm' } });
  };
  const page = () => new EngineWorker(SCRIPT, host, { cache, runtimeTags: { [RUNTIME]: tag }, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 200 }, storeDelayMs: 0 });

  // First window: bytes from the host; once the load has ended, one read over the URI, noted in the page's storage.
  await page().load(PARAMS);
  assert.deepEqual(asked, [`${PARAMS.baseUri}/manifest.json`, runtimeUrl]);
  assert.ok('bytes' in (FakeWorker.last!.readReplies[1] as object));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fetched.filter((u) => u === runtimeUrl), [runtimeUrl]);
  assert.ok(cache.entries.has(`served|runtime|${RUNTIME}|${tag}`));

  // Next window: the worker gets a compiled module; nothing read from the host or the storage for the runtime.
  asked.length = 0;
  fetched.length = 0;
  cache.gets.length = 0;
  const info = await page().load(PARAMS);
  const reply = FakeWorker.last!.readReplies[1] as { module?: unknown };
  assert.ok(reply.module instanceof WebAssembly.Module, 'a compiled module');
  assert.deepEqual(asked, [`${PARAMS.baseUri}/manifest.json`]);
  assert.ok(!cache.gets.includes(`runtime|${RUNTIME}|${tag}`), 'the stored bytes were not read');
  assert.ok(info.marks?.some(([l]) => l === `page: ${RUNTIME} compiled from its URI`));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fetched.filter((u) => u === runtimeUrl), [runtimeUrl], 'compiled once; no second read over the URI');

  // A URI that does not answer in time (the service worker moving the binary again): bytes from the storage.
  uriAnswerMs = 5_000;
  const slow = await page().load(PARAMS);
  assert.ok('bytes' in (FakeWorker.last!.readReplies[1] as object));
  assert.ok(slow.marks?.some(([l]) => l === `page: ${RUNTIME} not compiled from its URI (no answer in time): read as bytes`));

  // A URI whose answer does not compile (not served as WebAssembly): bytes, and neither tried nor read there again.
  uriAnswerMs = 0;
  g.fetch = async (url: string, init?: RequestInit) => {
    if (url !== runtimeUrl) return plainFetch(url, init);
    fetched.push(url);
    return new Response(EMPTY_WASM.slice(), { headers: { 'content-type': 'application/octet-stream' } });
  };
  await page().load(PARAMS);
  assert.ok('bytes' in (FakeWorker.last!.readReplies[1] as object));
  assert.deepEqual([...cache.entries.get(`served|runtime|${RUNTIME}|${tag}`)!], [0]);
  fetched.length = 0;
  await page().load(PARAMS);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok('bytes' in (FakeWorker.last!.readReplies[1] as object));
  assert.deepEqual(fetched.filter((u) => u === runtimeUrl), [], 'not tried again, not read over the URI again');
});

test('the host\'s gzipped files reach the worker inflated', async () => {
  const { gzipSync } = await import('node:zlib');
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const manifestUrl = `${PARAMS.baseUri}/manifest.json`;
  const binary = new Uint8Array((await import('node:crypto')).randomBytes(1 << 20));
  const host = async (url: string): Promise<FileReply> => ({
    bytes: new Uint8Array(gzipSync(url === runtimeUrl ? binary : new TextEncoder().encode(`bytes of ${url}`))), encoding: 'gzip',
  });
  await new EngineWorker(SCRIPT, host).load(PARAMS);
  const [manifest, runtime] = FakeWorker.last!.readReplies as { bytes: Uint8Array }[];
  assert.equal(new TextDecoder().decode(manifest.bytes), `bytes of ${manifestUrl}`);
  assert.deepEqual(runtime.bytes, binary, 'the runtime inflated whole');
});

test('with the host\'s loopback server, the runtime is compiled from it and the checked files fetched from it, once; a wrong or silent answer: the host\'s channel', async (t) => {
  const { LoopbackFileServer } = await import('../../src/node/loopbackFileServer');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ac-page-loopback-'));
  writeFileSync(join(dir, RUNTIME), EMPTY_WASM);
  writeFileSync(join(dir, 'weights.bin'), 'the weights');
  writeFileSync(join(dir, 'other.bin'), 'not what the host checked');
  const server = await LoopbackFileServer.start();
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${server.port}`;
  const runtimeUrl = `${PARAMS.ortBaseUri}${RUNTIME}`;
  const weightsUrl = `${PARAMS.baseUri}/weights.bin`;
  const runtimeAt = origin + server.publish('8-1', RUNTIME, { path: join(dir, RUNTIME), type: 'application/wasm' });
  const weightsAt = origin + server.publish(sha('the weights'), 'weights.bin', { path: join(dir, 'weights.bin'), type: 'application/octet-stream' });
  const g = globalThis as Record<string, unknown>;
  const fake = g.fetch as typeof fetch;
  g.fetch = (url: string, init?: RequestInit) => (url.startsWith('http://127.0.0.1') ? (fetched.push(url), realFetch(url, init)) : fake(url, init));
  const asked: string[] = [];
  const host = async (url: string): Promise<FileReply> => { asked.push(url); return { bytes: new TextEncoder().encode(`from the host: ${url}`) }; };
  const checkedFiles = { 'weights.bin': sha('the weights') };
  const page = (runtime: string) => new EngineWorker(SCRIPT, host, {
    cache: new MemoryCache(), runtimeTags: { [RUNTIME]: '8-1' }, runtimeLoopback: { [RUNTIME]: runtime }, uriTimes: { fillDelayMs: 0, answerTimeoutMs: 300 }, storeDelayMs: 0,
  });

  FakeWorker.next.reads = [`${PARAMS.baseUri}/manifest.json`, runtimeUrl, weightsUrl];
  const info = await page(runtimeAt).load({ ...PARAMS, checkedFiles, loopback: { 'weights.bin': weightsAt } });
  const [manifest, runtime, weights] = FakeWorker.last!.readReplies;
  assert.equal(text(manifest), `from the host: ${PARAMS.baseUri}/manifest.json`, 'a file the server does not have: the channel');
  assert.ok((runtime as { module?: unknown }).module instanceof WebAssembly.Module, 'the runtime compiled as it came');
  assert.equal(text(weights), 'the weights');
  assert.deepEqual(asked, [`${PARAMS.baseUri}/manifest.json`]);
  assert.deepEqual(fetched.filter((u) => u.startsWith(origin)).sort(), [runtimeAt, weightsAt].sort(), 'each fetched once (the early read is the one handed over)');
  assert.ok(info.marks?.some(([l]) => l === `page: ${RUNTIME} compiled from the loopback`));
  assert.ok(info.marks?.some(([l]) => l === 'page: weights.bin fetched from the loopback (0.00 MB)'));

  // Bytes that are not the ones the host checked (another server answering at that address): the channel.
  const otherAt = origin + server.publish(sha('the weights'), 'other.bin', { path: join(dir, 'other.bin'), type: 'application/octet-stream' });
  asked.length = 0;
  FakeWorker.next.reads = [weightsUrl];
  const wrong = await page(runtimeAt).load({ ...PARAMS, checkedFiles, loopback: { 'weights.bin': otherAt } });
  assert.equal(text(FakeWorker.last!.readReplies[0]), `from the host: ${weightsUrl}`);
  assert.ok(wrong.marks?.some(([l]) => l === 'page: weights.bin not fetched from the loopback (not the file the host checked): asked of the host'));

  // An address that never answers, and one refused: the channel, after at most the answer timeout.
  const silent = (await import('node:http')).createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.after(() => { silent.closeAllConnections(); silent.close(); });
  asked.length = 0;
  FakeWorker.next.reads = [runtimeUrl, weightsUrl];
  const t0 = Date.now();
  await page('http://127.0.0.1:9/refused.wasm').load({ ...PARAMS, checkedFiles, loopback: { 'weights.bin': `http://127.0.0.1:${(silent.address() as { port: number }).port}/w` } });
  assert.ok(Date.now() - t0 < 3_000);
  assert.deepEqual(asked.filter((u) => u !== `${PARAMS.baseUri}/manifest.json`).sort(), [runtimeUrl, weightsUrl].sort());
  assert.equal(text(FakeWorker.last!.readReplies[1]), `from the host: ${weightsUrl}`);
});
