// The engine's files kept in the webview's own storage, so that a cold start after the first does not move the
// runtime and the weights over the editor's channel again (19-33 MB, 9-13 s of a cold Translate in code-server on a
// busy machine: docs/PERFORMANCE.md). VS Code keeps a webview's origin per extension and view type across window
// reloads, and with it the origin's IndexedDB. Entries are keyed by content: a package file by the sha256 the host
// checked it against, onnxruntime's binary by its name, size and modification time as the host states them. The
// page checks a package file's bytes against its digest before handing them on, so a damaged entry is read from the
// host again. Anything that goes wrong with the storage (none, blocked, full, evicted) is a miss, never an error.

import { ownBuffer } from '../../src/shared/ownBuffer';

/** What the page asks of a cache (an in-memory one in the unit tests). */
export interface FileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `bytes`, which it may keep as they are (the caller no longer changes or transfers them); completes in the background. */
  put(key: string, bytes: Uint8Array): void;
  /** Drops every entry but `keys` (after a load: what it read is what the next cold start will read). */
  keepOnly(keys: Iterable<string>): Promise<void>;
}

const DB_NAME = 'attention-companion-engine-files';
const STORE = 'files';
/** Opening waits at most this long (another page of the same origin may block an upgrade); then: no cache. */
const OPEN_TIMEOUT_MS = 3_000;

/** The IndexedDB of this page's origin as a FileCache; undefined where the page has none. */
export function indexedDbCache(idb: IDBFactory | undefined = globalThis.indexedDB): FileCache | undefined {
  if (!idb) return undefined;
  let db: Promise<IDBDatabase | undefined> | undefined;
  const open = () => (db ??= new Promise<IDBDatabase | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS);
    const done = (d: IDBDatabase | undefined) => { clearTimeout(timer); resolve(d); };
    try {
      const req = idb.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => done(req.result);
      req.onerror = () => done(undefined);
      req.onblocked = () => done(undefined);
    } catch {
      done(undefined);
    }
  }));
  const request = <T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> => open().then((d) => {
    if (!d) return undefined;
    return new Promise<T | undefined>((resolve) => {
      try {
        const r = f(d.transaction(STORE, mode).objectStore(STORE));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
  }, () => undefined);
  return {
    async get(key) {
      const v = await request('readonly', (s) => s.get(key) as IDBRequest<unknown>);
      return v instanceof ArrayBuffer ? new Uint8Array(v) : undefined;
    },
    put(key, bytes) {
      // The stored value is an ArrayBuffer: the bytes' own when they view all of it (the page's copies do), else a copy.
      const buffer = ownBuffer(bytes).buffer;
      void request('readwrite', (s) => s.put(buffer, key));
    },
    async keepOnly(keys) {
      const keep = new Set(keys);
      const all = await request('readonly', (s) => s.getAllKeys());
      for (const k of all ?? []) if (typeof k === 'string' && !keep.has(k)) await request('readwrite', (s) => s.delete(k));
    },
  };
}

/** The lowercase hex sha256 of `bytes` (WebCrypto; undefined where the page has none). */
export async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
