// The host's end of one engine webview (the Attention panel or the companion view): ready handshake, model loading, requests.
import * as vscode from 'vscode';
import type { ModelManifest } from '../shared/manifest';
import {
  PROTOCOL_VERSION, RequestChannel, parseMessage, type HostNotifications, type HostRequests, type Message, type ModelInfo,
  type WebviewNotifications,
} from '../shared/protocol';
import type { BackendSetting } from '../shared/results';

const READY_TIMEOUT_MS = 60_000;
const LOAD_TIMEOUT_MS = 180_000;

export interface LoadedModel { dir: vscode.Uri; backend: BackendSetting; info: ModelInfo }
export type NotificationListener = <K extends keyof WebviewNotifications>(method: K, params: WebviewNotifications[K]) => void;

export class EngineClient implements vscode.Disposable {
  private readonly channel: RequestChannel;
  private readonly ready: Promise<void>;
  private loaded?: Promise<LoadedModel>;
  private loadedKey?: string;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, private readonly extensionUri: vscode.Uri, private readonly listeners: Set<NotificationListener>) {
    this.channel = new RequestChannel((m) => void webview.postMessage(m));
    let markReady!: () => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      setTimeout(() => reject(new Error(vscode.l10n.t('The webview did not start within {0} s.', READY_TIMEOUT_MS / 1000))), READY_TIMEOUT_MS);
    });
    this.ready.catch(() => undefined);
    this.subscription = webview.onDidReceiveMessage((raw) => {
      const m = parseMessage(raw);
      if (!m) return;                                  // anything malformed from the webview is ignored
      if (m.kind === 'response') this.channel.handleResponse(m);
      else if (m.kind === 'notify') {
        if (m.method === 'ready' && (m.params as { version?: number })?.version === PROTOCOL_VERSION) markReady();
        for (const l of this.listeners) l(m.method as keyof WebviewNotifications, m.params as never);
      }
    });
  }

  /** Makes sure `dir` is the model loaded in this webview (loads it once per folder and backend). */
  ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting): Promise<LoadedModel> {
    const key = `${dir.toString()}|${backend}`;
    if (this.loaded && this.loadedKey === key) return this.loaded;
    const load = (async () => {
      await this.ready;
      const info = await this.request('loadModel', {
        baseUri: this.webview.asWebviewUri(dir).toString(),
        ortBaseUri: this.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'ort')).toString() + '/',
        backend,
        label: manifest.id,
      }, LOAD_TIMEOUT_MS);
      return { dir, backend, info };
    })();
    this.loaded = load;
    this.loadedKey = key;
    load.catch(() => {
      if (this.loaded === load) {
        this.loaded = undefined;
        this.loadedKey = undefined;
      }
    });
    return load;
  }

  request<M extends keyof HostRequests>(method: M, params: HostRequests[M]['params'], timeoutMs: number, signal?: AbortSignal, onId?: (id: number) => void): Promise<HostRequests[M]['result']> {
    return this.channel.request(method, params, { timeoutMs, signal, onId });
  }

  notify<K extends keyof HostNotifications>(method: K, params: HostNotifications[K]): void {
    void this.webview.postMessage({ kind: 'notify', method, params } satisfies Message);
  }

  /** The webview is gone: pending requests fail with a clear error. */
  dispose(): void {
    this.channel.close();
    this.subscription.dispose();
  }
}

/** Folders a webview may read: the build output, media, bundled models and the user's model folders. */
export function resourceRoots(extensionUri: vscode.Uri, extra: vscode.Uri[]): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, 'dist'),
    vscode.Uri.joinPath(extensionUri, 'media'),
    vscode.Uri.joinPath(extensionUri, 'models'),
    ...extra,
  ];
}
