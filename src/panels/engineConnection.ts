// The host's view of one engine webview, without vscode (unit-tested): the ready handshake, which model the webview's
// engine holds, and the protocol endpoint. The webview's engine is the one source of truth; this only remembers what
// it asked for since the webview last started, and forgets it on every `ready` (a reload empties the engine).
import {
  ChannelClosedError, WebviewReloadedError, hostEndpoint, type Endpoint, type Message, type NotificationOf, type ProtocolNames, type RequestHandlers,
} from '../shared/ipc';
import { untilAborted } from '../engine/concurrency';
import { addOpen, markOpen } from '../shared/timeline';
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

/** The next `ready` of the webview: waited for by loads, failed on dispose or when it does not come in time. */
interface Gate { opened: Promise<void>; open(): void; fail(e: Error): void; failed: boolean; timer: ReturnType<typeof setTimeout> }

export class EngineConnection<P extends EngineProtocol> {
  readonly endpoint: Endpoint<P['hostToWebview'], P['webviewToHost']>;
  /** Open while the webview's current script has said `ready`; a new one while a (re)start is awaited. */
  private gate: Gate;
  private gateOpen = false;
  /** Aborted on dispose: everything waiting settles at once. */
  private readonly closed = new AbortController();
  /** How many times the webview has started (said `ready`). */
  private starts = 0;
  /** The package last asked for. */
  private model?: ModelEntry & { load: Promise<ModelInfo> };

  constructor(private readonly o: EngineConnectionOptions<P>) {
    this.gate = this.newGate();
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

  private newGate(): Gate {
    let open!: () => void;
    let reject!: (e: Error) => void;
    const opened = new Promise<void>((resolve, no) => {
      open = resolve;
      reject = no;
    });
    opened.catch(() => undefined);
    const gate: Gate = {
      opened, open, failed: false,
      fail: (e) => {
        gate.failed = true;
        reject(e);
      },
      timer: setTimeout(() => gate.fail(new Error(this.o.readyTimeoutMessage)), this.o.readyTimeoutMs),
    };
    return gate;
  }

  /** Feed everything the webview posts; what is not a message of this webview's protocol is ignored. */
  receive(raw: unknown): boolean {
    return this.endpoint.receive(raw);
  }

  /** True once the webview has started at least once (tests and diagnostics). */
  get isReady(): boolean {
    return this.starts > 0;
  }

  get isDisposed(): boolean {
    return this.closed.signal.aborted;
  }

  /**
   * The script started, first or again: its engine is empty. A load already sent went to the previous script, so
   * it is forgotten (and fails now); one still being prepared will go to this one and stays.
   */
  private onReady(params: { version?: number }): void {
    if (params?.version !== PROTOCOL_VERSION || this.isDisposed) return;
    markOpen('host: webview said ready');
    if (this.starts > 0) this.endpoint.failPending(new WebviewReloadedError(this.o.peer));
    this.starts++;
    if (this.model?.sentTo !== undefined) this.model = undefined;
    clearTimeout(this.gate.timer);
    // A start later than the timeout still counts: loads from now on go to it.
    if (this.gate.failed) this.gate = this.newGate();
    clearTimeout(this.gate.timer);
    this.gate.open();
    this.gateOpen = true;
  }

  /**
   * The host is about to make the webview start again (new `localResourceRoots` reload it): loads from now on wait
   * for the new script's `ready`, not the old one's.
   */
  expectReload(): void {
    if (this.isDisposed || !this.gateOpen) return;
    this.gate = this.newGate();
    this.gateOpen = false;
  }

  /**
   * Makes sure the package `key` names is the one the webview's engine holds: asks once per key until the webview
   * starts again. `params` runs first (e.g. checking the package's files), then the request waits for `ready`.
   */
  ensureModel(key: string, params: () => Promise<LoadModelParams>, timeoutMs: number): Promise<ModelInfo> {
    if (this.isDisposed) return Promise.reject(new ChannelClosedError(this.o.peer));
    if (this.model?.key === key) return this.model.load;
    const entry: ModelEntry = { key };
    const load = untilAborted(this.load(entry, params, timeoutMs), this.closed.signal, () => new ChannelClosedError(this.o.peer));
    this.model = Object.assign(entry, { load });
    load.catch(() => {
      if (this.model === entry) this.model = undefined;
    });
    return load;
  }

  private async load(entry: ModelEntry, params: () => Promise<LoadModelParams>, timeoutMs: number): Promise<ModelInfo> {
    const p = await params();
    await this.gate.opened;
    entry.sentTo = this.starts;
    markOpen('host: loadModel sent');
    const info = await (this.endpoint.request('loadModel', p, { timeoutMs }) as Promise<ModelInfo>);
    markOpen('host: model loaded (answer received)');
    addOpen(info.marks);
    return info;
  }

  /** Runs `send` once the webview's current script listens (at once when it does); never after dispose. */
  whenReady(send: () => void): void {
    this.gate.opened.then(() => {
      if (!this.isDisposed) send();
    }, () => undefined);
  }

  /** The webview is gone: every waiting request and load fails now, and later ones at once. */
  dispose(): void {
    if (this.isDisposed) return;
    this.closed.abort();
    clearTimeout(this.gate.timer);
    this.gate.fail(new ChannelClosedError(this.o.peer));
    this.model = undefined;
    this.endpoint.close();
  }
}
