// The host's view of one engine webview, without vscode (unit-tested): the ready handshake, which model the webview's
// engine holds, and the protocol endpoint. The webview's engine is the one source of truth; this only remembers what
// it asked for since the webview last started, and forgets it on every `ready` (a reload empties the engine).
import {
  WebviewReloadedError, hostEndpoint, type Endpoint, type Message, type NotificationOf, type ProtocolNames, type RequestHandlers,
} from '../shared/ipc';
import { PROTOCOL_VERSION, type EngineProtocol, type LoadModelParams, type ModelInfo } from '../shared/protocol';

export interface EngineConnectionOptions<P extends EngineProtocol> {
  post(m: Message): void;
  names: ProtocolNames<P>;
  /** The webview's name in errors ("The Attention panel"). */
  peer: string;
  /** Answers to the webview's own requests. */
  handlers: RequestHandlers<P['webviewToHost']['requests']>;
  /** Every notification from the webview, after the connection has seen it (`ready` included). */
  onNotification?(n: NotificationOf<P['webviewToHost']['notifications']>): void;
  readyTimeoutMs: number;
  readyTimeoutMessage: string;
}

/** A package asked for: its key, and which start of the webview its request went to (once sent). */
interface ModelEntry { key: string; sentTo?: number }

export class EngineConnection<P extends EngineProtocol> {
  readonly endpoint: Endpoint<P['hostToWebview'], P['webviewToHost']>;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly readyTimer: ReturnType<typeof setTimeout>;
  /** How many times the webview has started (said `ready`). */
  private starts = 0;
  /** The package last asked for. */
  private model?: ModelEntry & { load: Promise<ModelInfo> };

  constructor(private readonly o: EngineConnectionOptions<P>) {
    let fail!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      fail = reject;
    });
    this.readyTimer = setTimeout(() => fail(new Error(o.readyTimeoutMessage)), o.readyTimeoutMs);
    this.ready.catch(() => undefined);
    this.endpoint = hostEndpoint<P>(o.names, {
      post: o.post,
      peer: o.peer,
      handlers: o.handlers,
      onNotification: (n) => {
        if (n.method === 'ready') this.onReady(n.params as { version?: number });
        o.onNotification?.(n);
      },
    });
  }

  /** Feed everything the webview posts; what is not a message of this webview's protocol is ignored. */
  receive(raw: unknown): boolean {
    return this.endpoint.receive(raw);
  }

  /** True once the webview has started at least once (tests and diagnostics). */
  get isReady(): boolean {
    return this.starts > 0;
  }

  /**
   * The script started, first or again: its engine is empty. A load already sent went to the previous script, so
   * it is forgotten (and fails now); one still being prepared will go to this one and stays.
   */
  private onReady(params: { version?: number }): void {
    if (params?.version !== PROTOCOL_VERSION) return;
    if (this.starts > 0) this.endpoint.failPending(new WebviewReloadedError(this.o.peer));
    this.starts++;
    if (this.model?.sentTo !== undefined) this.model = undefined;
    clearTimeout(this.readyTimer);
    this.markReady();
  }

  /**
   * Makes sure the package `key` names is the one the webview's engine holds: asks once per key until the webview
   * starts again. `params` runs first (e.g. checking the package's files), then the request waits for `ready`.
   */
  ensureModel(key: string, params: () => Promise<LoadModelParams>, timeoutMs: number): Promise<ModelInfo> {
    if (this.model?.key === key) return this.model.load;
    const entry: ModelEntry = { key };
    const load = this.load(entry, params, timeoutMs);
    this.model = Object.assign(entry, { load });
    load.catch(() => {
      if (this.model === entry) this.model = undefined;
    });
    return load;
  }

  private async load(entry: ModelEntry, params: () => Promise<LoadModelParams>, timeoutMs: number): Promise<ModelInfo> {
    const p = await params();
    await this.ready;
    entry.sentTo = this.starts;
    return this.endpoint.request('loadModel', p, { timeoutMs }) as Promise<ModelInfo>;
  }

  /** The webview is gone: pending requests fail with a clear error. */
  dispose(): void {
    clearTimeout(this.readyTimer);
    this.endpoint.close();
  }
}
