// Owns the Attention webview panel: creates it (kept alive while hidden), loads the model into it, and sends requests.
import * as vscode from 'vscode';
import type { ModelManifest } from '../shared/manifest';
import {
  PROTOCOL_VERSION, RequestChannel, parseMessage, type HostNotifications, type HostRequests, type Message, type ModelInfo,
  type WebviewNotifications,
} from '../shared/protocol';
import type { BackendSetting } from '../shared/results';
import { webviewHtml } from './webviewHtml';

const READY_TIMEOUT_MS = 60_000;
const LOAD_TIMEOUT_MS = 180_000;

export interface LoadedModel { dir: vscode.Uri; backend: BackendSetting; info: ModelInfo }

type NotificationListener = <K extends keyof WebviewNotifications>(method: K, params: WebviewNotifications[K]) => void;

export class AttentionPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private channel?: RequestChannel;
  private ready?: Promise<void>;
  private loaded?: Promise<LoadedModel>;
  private loadedKey?: string;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly listeners = new Set<NotificationListener>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly extraRoots: () => vscode.Uri[]) {}

  get isOpen(): boolean {
    return !!this.panel;
  }

  onNotification(listener: NotificationListener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  reveal(preserveFocus = true): void {
    this.open().reveal(vscode.ViewColumn.Beside, preserveFocus);
  }

  /** Makes sure the panel exists, its script is running, and `dir` is the loaded model. */
  async ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting): Promise<LoadedModel> {
    const key = `${dir.toString()}|${backend}`;
    if (this.loaded && this.loadedKey === key) return this.loaded;
    this.open();
    const ready = this.ready!;
    const panel = this.panel!;
    const load = (async () => {
      await ready;
      const webview = panel.webview;
      const info = await this.request('loadModel', {
        baseUri: webview.asWebviewUri(dir).toString(),
        ortBaseUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'ort')).toString() + '/',
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
    this.open();
    return this.channel!.request(method, params, { timeoutMs, signal, onId });
  }

  notify<K extends keyof HostNotifications>(method: K, params: HostNotifications[K]): void {
    void this.panel?.webview.postMessage({ kind: 'notify', method, params } satisfies Message);
  }

  private open(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const roots = [
      vscode.Uri.joinPath(this.extensionUri, 'dist'),
      vscode.Uri.joinPath(this.extensionUri, 'media'),
      vscode.Uri.joinPath(this.extensionUri, 'models'),
      ...this.extraRoots(),
    ];
    const panel = vscode.window.createWebviewPanel('attentionCompanion.attention', vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: roots });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'attention.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, vscode.l10n.t('Attention'), vscode.env.language);
    const channel = new RequestChannel((m) => void panel.webview.postMessage(m));
    let markReady!: () => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      setTimeout(() => reject(new Error(vscode.l10n.t('The Attention panel did not start within {0} s.', READY_TIMEOUT_MS / 1000))), READY_TIMEOUT_MS);
    });
    ready.catch(() => undefined);
    this.panel = panel;
    this.channel = channel;
    this.ready = ready;
    panel.webview.onDidReceiveMessage((raw) => {
      const m = parseMessage(raw);
      if (!m) return;                                  // anything malformed from the webview is ignored
      if (m.kind === 'response') channel.handleResponse(m);
      else if (m.kind === 'notify') {
        if (m.method === 'ready' && (m.params as { version?: number })?.version === PROTOCOL_VERSION) markReady();
        for (const l of this.listeners) l(m.method as keyof WebviewNotifications, m.params as never);
      }
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      channel.close();
      if (this.panel === panel) {
        this.panel = undefined;
        this.channel = undefined;
        this.ready = undefined;
        this.loaded = undefined;
        this.loadedKey = undefined;
      }
    }, undefined, this.disposables);
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
