// Owns the Attention webview panel: creates it (kept alive while hidden) and reopens it after it was closed.
import * as vscode from 'vscode';
import type { Method, NotificationOf, ParamsOf, RequestOptions, ResultOf } from '../shared/ipc';
import type { ModelManifest } from '../shared/manifest';
import { PANEL, type PanelProtocol } from '../shared/protocol';
import type { BackendSetting } from '../shared/results';
import { EngineClient, resourceRoots, type LoadedModel } from './engineClient';
import { webviewHtml } from './webviewHtml';

type ToPanel = PanelProtocol['hostToWebview'];
export type PanelNotification = NotificationOf<PanelProtocol['webviewToHost']['notifications']>;
export type PanelNotificationListener = (n: PanelNotification) => void;

export class AttentionPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private client?: EngineClient<PanelProtocol>;
  private readonly listeners = new Set<PanelNotificationListener>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly extraRoots: () => vscode.Uri[]) {}

  onNotification(listener: PanelNotificationListener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  reveal(preserveFocus = true): void {
    this.open().panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
  }

  ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting): Promise<LoadedModel> {
    return this.open().client.ensureModel(dir, manifest, backend);
  }

  request<M extends Method<ToPanel['requests']>>(method: M, params: ParamsOf<ToPanel['requests'], M>, opts: RequestOptions): Promise<ResultOf<ToPanel['requests'], M>> {
    return this.open().client.endpoint.request(method, params, opts);
  }

  notify<K extends keyof ToPanel['notifications']>(method: K, params: ToPanel['notifications'][K]): void {
    this.client?.endpoint.notify(method, params);
  }

  private open(): { panel: vscode.WebviewPanel; client: EngineClient<PanelProtocol> } {
    if (this.panel && this.client) return { panel: this.panel, client: this.client };
    const panel = vscode.window.createWebviewPanel('attentionCompanion.attention', vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'attention.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'webview.js', vscode.l10n.t('Attention'), vscode.env.language);
    const client = new EngineClient<PanelProtocol>(panel.webview, this.extensionUri, {
      names: PANEL, peer: 'The Attention panel', handlers: {},
      roots: () => resourceRoots(this.extensionUri, this.extraRoots()),
      onNotification: (n) => { for (const l of this.listeners) l(n); },
    });
    this.panel = panel;
    this.client = client;
    panel.onDidDispose(() => {
      client.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.client = undefined;
      }
    });
    return { panel, client };
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
