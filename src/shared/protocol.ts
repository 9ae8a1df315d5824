// The one typed protocol between the extension host and the Attention webview. Imports neither vscode nor the DOM.
import type { Lang, ModelManifest, TargetSetting } from './manifest';
import type { Backend, BackendSetting, TranslationResult } from './results';

/** Requests the host sends to the webview; each names its response type. */
export interface HostRequests {
  /** Load (or switch to) a model package; `baseUri` is a webview URI of the package folder. */
  loadModel: { params: { baseUri: string; ortBaseUri: string; backend: BackendSetting; label: string }; result: ModelInfo };
  translate: { params: TranslateParams; result: TranslationResult };
}

/** Notifications (no response) in either direction. */
export interface WebviewNotifications {
  ready: { version: number };
  progress: { requestId: number; done: number; total: number; message?: string };
  log: { level: 'info' | 'warn' | 'error'; message: string };
  /** The user did something in the panel that the host should act on. */
  action: { kind: 'exportFigure'; svg: string; png: string; name: string } | { kind: 'openSettings' };
}
export interface HostNotifications {
  /** Show a result that the host already has (e.g. opening the panel from a hover). */
  show: { result: TranslationResult; focus?: { kind: 'encoder' | 'decoder' | 'cross'; layer: number; head: number | 'mean' } };
  theme: { kind: 'light' | 'dark' | 'highContrast' | 'highContrastLight' };
}

export interface TranslateParams {
  text: string;
  to: TargetSetting;
  from?: Lang;
  beam: number;
  attention: boolean;
  steps?: boolean;
  /** Draw the result in the panel (Show Attention) or only answer (Translate Selection). */
  display: boolean;
}

export interface ModelInfo { id: string; backend: Backend; manifest: ModelManifest; loadMillis: number }

export const PROTOCOL_VERSION = 1;

export type Method = keyof HostRequests;

export type Message =
  | { kind: 'request'; id: number; method: Method; params: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string; cancelled?: boolean }
  | { kind: 'cancel'; id: number }
  | { kind: 'notify'; method: string; params: unknown };

/** Narrow an untrusted value (anything a webview posts) to a Message, or undefined. */
export function parseMessage(value: unknown): Message | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const id = m.id;
  switch (m.kind) {
    case 'request':
      return Number.isInteger(id) && (m.method === 'loadModel' || m.method === 'translate') ? (m as Message) : undefined;
    case 'response':
      if (!Number.isInteger(id) || typeof m.ok !== 'boolean') return undefined;
      return m.ok || typeof m.error === 'string' ? (m as Message) : undefined;
    case 'cancel':
      return Number.isInteger(id) ? (m as Message) : undefined;
    case 'notify':
      return typeof m.method === 'string' ? (m as Message) : undefined;
    default:
      return undefined;
  }
}

export class RequestTimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`The Attention panel did not answer "${method}" within ${Math.round(ms / 1000)} s.`);
    this.name = 'RequestTimeoutError';
  }
}
export class ChannelClosedError extends Error {
  constructor() {
    super('The Attention panel was closed before it answered. Run the command again to reopen it.');
    this.name = 'ChannelClosedError';
  }
}
export class RequestCancelledError extends Error {
  constructor(reason = 'The request was cancelled.') {
    super(reason);
    this.name = 'RequestCancelledError';
  }
}

interface Pending { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout>; method: string }

/** The requesting side: sends requests, matches responses by id, times them out, cancels them. */
export class RequestChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly post: (m: Message) => void) {}

  request<M extends Method>(method: M, params: HostRequests[M]['params'], opts: { timeoutMs: number; signal?: AbortSignal; onId?: (id: number) => void }): Promise<HostRequests[M]['result']> {
    if (this.closed) return Promise.reject(new ChannelClosedError());
    const id = this.nextId++;
    opts.onId?.(id);
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new RequestCancelledError());
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.post({ kind: 'cancel', id });
        reject(new RequestTimeoutError(method, opts.timeoutMs));
      }, opts.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      opts.signal?.addEventListener('abort', () => {
        if (!this.pending.has(id)) return;
        this.settle(id, undefined, new RequestCancelledError());
        this.post({ kind: 'cancel', id });
      }, { once: true });
      this.post({ kind: 'request', id, method, params });
    });
  }

  /** Feed every incoming response here; returns false when it matched no pending request. */
  handleResponse(m: Extract<Message, { kind: 'response' }>): boolean {
    if (!this.pending.has(m.id)) return false;
    if (m.ok) this.settle(m.id, m.result);
    else this.settle(m.id, undefined, m.cancelled ? new RequestCancelledError(m.error) : new Error(m.error));
    return true;
  }

  /** The other side is gone: every pending request fails now, and later ones at once. */
  close(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, new ChannelClosedError());
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private settle(id: number, result: unknown, error?: Error) {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(result);
  }
}

export type Handlers = { [M in Method]: (params: HostRequests[M]['params'], ctx: { id: number; signal: AbortSignal }) => Promise<HostRequests[M]['result']> };

/** The answering side: runs handlers, answers each request once, aborts a handler when its request is cancelled. */
export class RequestServer {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly post: (m: Message) => void, private readonly handlers: Handlers) {}

  async handle(m: Message): Promise<void> {
    if (m.kind === 'cancel') {
      this.running.get(m.id)?.abort();
      return;
    }
    if (m.kind !== 'request') return;
    const abort = new AbortController();
    this.running.set(m.id, abort);
    try {
      const handler = this.handlers[m.method] as (p: unknown, ctx: { id: number; signal: AbortSignal }) => Promise<unknown>;
      const result = await handler(m.params, { id: m.id, signal: abort.signal });
      this.post({ kind: 'response', id: m.id, ok: true, result });
    } catch (e) {
      const err = e as Error;
      this.post({ kind: 'response', id: m.id, ok: false, error: err?.message ?? String(e), cancelled: abort.signal.aborted || err?.name === 'CancelledError' });
    } finally {
      this.running.delete(m.id);
    }
  }
}
