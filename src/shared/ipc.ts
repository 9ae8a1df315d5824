// Requests and notifications between the extension host and a webview, generic over a protocol's method maps
// (src/shared/protocol.ts has the two webviews'). Requests carry their response type, time out and can be
// cancelled. Imports neither vscode nor the DOM: both sides use it.

/** A request names the type of its parameters and of its answer. */
export interface IpcRequest<Params, Result> { readonly params: Params; readonly result: Result }

/** What one side sends the other: requests (answered) and notifications (not), by method name. */
export interface Direction {
  requests: { [method: string]: IpcRequest<unknown, unknown> };
  notifications: { [method: string]: unknown };
}

/** One webview's protocol: a method map for each direction. */
export interface Protocol { hostToWebview: Direction; webviewToHost: Direction }

/** The method names of a direction at run time; the type makes the lists exactly the protocol's methods. */
export interface DirectionNames<D extends Direction> {
  requests: { readonly [M in keyof D['requests']]: true };
  notifications: { readonly [M in keyof D['notifications']]: true };
}
export interface ProtocolNames<P extends Protocol> {
  hostToWebview: DirectionNames<P['hostToWebview']>;
  webviewToHost: DirectionNames<P['webviewToHost']>;
}

export type Method<R extends Direction['requests']> = keyof R & string;
export type ParamsOf<R extends Direction['requests'], M extends keyof R> = R[M]['params'];
export type ResultOf<R extends Direction['requests'], M extends keyof R> = R[M]['result'];

/** A notification as a tagged union: switching on `method` narrows `params`. */
export type NotificationOf<N extends Direction['notifications']> = { [K in keyof N & string]: { method: K; params: N[K] } }[keyof N & string];

export interface RequestContext { id: number; signal: AbortSignal }
export type RequestHandlers<R extends Direction['requests']> = {
  [M in keyof R]: (params: R[M]['params'], ctx: RequestContext) => Promise<R[M]['result']>;
};

export type Message =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string; cancelled?: boolean }
  | { kind: 'cancel'; id: number }
  | { kind: 'notify'; method: string; params: unknown };

const has = (names: object, method: unknown): boolean => typeof method === 'string' && Object.prototype.hasOwnProperty.call(names, method);

/** Narrows an untrusted value (anything the other side posts) to a Message whose method `incoming` names. */
export function parseMessage<D extends Direction>(value: unknown, incoming: DirectionNames<D>): Message | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const id = m.id;
  switch (m.kind) {
    case 'request':
      return Number.isInteger(id) && has(incoming.requests, m.method) ? (m as Message) : undefined;
    case 'response':
      if (!Number.isInteger(id) || typeof m.ok !== 'boolean') return undefined;
      return m.ok || typeof m.error === 'string' ? (m as Message) : undefined;
    case 'cancel':
      return Number.isInteger(id) ? (m as Message) : undefined;
    case 'notify':
      return has(incoming.notifications, m.method) ? (m as Message) : undefined;
    default:
      return undefined;
  }
}

export class RequestTimeoutError extends Error {
  constructor(peer: string, method: string, ms: number) {
    super(`${peer} did not answer "${method}" within ${Math.round(ms / 1000)} s.`);
    this.name = 'RequestTimeoutError';
  }
}
export class ChannelClosedError extends Error {
  constructor(peer: string) {
    super(`${peer} was closed before it answered. Run the command again to reopen it.`);
    this.name = 'ChannelClosedError';
  }
}
export class WebviewReloadedError extends Error {
  constructor(peer: string) {
    super(`${peer} was reloaded before it answered. Run the command again.`);
    this.name = 'WebviewReloadedError';
  }
}
export class RequestCancelledError extends Error {
  constructor(reason = 'The request was cancelled.') {
    super(reason);
    this.name = 'RequestCancelledError';
  }
}

export interface RequestOptions { timeoutMs: number; signal?: AbortSignal; onId?: (id: number) => void }

interface Pending { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }

/** The requesting side: sends requests, matches responses by id, times them out, cancels them. */
export class RequestChannel<R extends Direction['requests']> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** `peer` names the other side in errors ("The Attention panel"). */
  constructor(private readonly post: (m: Message) => void, private readonly peer = 'The webview') {}

  request<M extends Method<R>>(method: M, params: ParamsOf<R, M>, opts: RequestOptions): Promise<ResultOf<R, M>> {
    if (this.closed) return Promise.reject(new ChannelClosedError(this.peer));
    const id = this.nextId++;
    opts.onId?.(id);
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new RequestCancelledError());
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.post({ kind: 'cancel', id });
        reject(new RequestTimeoutError(this.peer, method, opts.timeoutMs));
      }, opts.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
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

  /** Every pending request fails now with `error` (the other side started again and will never answer them). */
  failPending(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, error);
  }

  /** The other side is gone: every pending request fails now, and later ones at once. */
  close(): void {
    this.closed = true;
    this.failPending(new ChannelClosedError(this.peer));
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

/** The answering side: runs handlers, answers each request once, aborts a handler when its request is cancelled. */
export class RequestServer<R extends Direction['requests']> {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly post: (m: Message) => void, private readonly handlers: RequestHandlers<R>) {}

  async handle(m: Message): Promise<void> {
    if (m.kind === 'cancel') {
      this.running.get(m.id)?.abort();
      return;
    }
    if (m.kind !== 'request') return;
    const abort = new AbortController();
    this.running.set(m.id, abort);
    try {
      const handler = this.handlers[m.method as keyof R] as unknown as ((p: unknown, ctx: RequestContext) => Promise<unknown>) | undefined;
      if (!handler) throw new Error(`No handler for "${m.method}".`);
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

export interface EndpointOptions<In extends Direction> {
  post(m: Message): void;
  /** The other side's name in errors. */
  peer: string;
  /** Handlers of the requests the other side sends. */
  handlers: RequestHandlers<In['requests']>;
  onNotification?(n: NotificationOf<In['notifications']>): void;
}

/** One side of a webview's protocol: sends `Out`, answers and hears `In`. */
export class Endpoint<Out extends Direction, In extends Direction> {
  private readonly channel: RequestChannel<Out['requests']>;
  private readonly server: RequestServer<In['requests']>;

  constructor(private readonly incoming: DirectionNames<In>, private readonly o: EndpointOptions<In>) {
    this.channel = new RequestChannel(o.post, o.peer);
    this.server = new RequestServer(o.post, o.handlers);
  }

  request<M extends Method<Out['requests']>>(method: M, params: ParamsOf<Out['requests'], M>, opts: RequestOptions): Promise<ResultOf<Out['requests'], M>> {
    return this.channel.request(method, params, opts);
  }

  notify<K extends keyof Out['notifications'] & string>(method: K, params: Out['notifications'][K]): void {
    this.o.post({ kind: 'notify', method, params });
  }

  /** Feed everything the other side posts; returns false for what is not a message of this protocol. */
  receive(raw: unknown): boolean {
    const m = parseMessage(raw, this.incoming);
    if (!m) return false;
    if (m.kind === 'response') this.channel.handleResponse(m);
    else if (m.kind === 'notify') this.o.onNotification?.({ method: m.method, params: m.params } as NotificationOf<In['notifications']>);
    else void this.server.handle(m);
    return true;
  }

  failPending(error: Error): void {
    this.channel.failPending(error);
  }

  close(): void {
    this.channel.close();
  }

  get pendingCount(): number {
    return this.channel.pendingCount;
  }
}

/** The host's end of a webview's protocol. */
export function hostEndpoint<P extends Protocol>(names: ProtocolNames<P>, o: EndpointOptions<P['webviewToHost']>): Endpoint<P['hostToWebview'], P['webviewToHost']> {
  return new Endpoint<P['hostToWebview'], P['webviewToHost']>(names.webviewToHost, o);
}

/** The webview's end of its protocol. */
export function webviewEndpoint<P extends Protocol>(names: ProtocolNames<P>, o: EndpointOptions<P['hostToWebview']>): Endpoint<P['webviewToHost'], P['hostToWebview']> {
  return new Endpoint<P['webviewToHost'], P['hostToWebview']>(names.hostToWebview, o);
}
