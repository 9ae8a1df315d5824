// Owns the Attention webview panel: creates it (kept alive while hidden) and reopens it after it was closed.
import * as vscode from 'vscode';
import type { ModelManifest } from '../shared/manifest';
import type { HostNotifications, HostRequests } from '../shared/protocol';
import type { BackendSetting } from '../shared/results';
import { EngineClient, resourceRoots, type LoadedModel, type NotificationListener } from './engineClient';
import { webviewHtml } from './webviewHtml';

export class AttentionPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private client?: EngineClient;
  private readonly listeners = new Set<NotificationListener>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly extraRoots: () => vscode.Uri[]) {}

  onNotification(listener: NotificationListener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  reveal(preserveFocus = true): void {
    this.open().panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
  }

  ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting): Promise<LoadedModel> {
    return this.open().client.ensureModel(dir, manifest, backend);
  }

  request<M extends keyof HostRequests>(method: M, params: HostRequests[M]['params'], timeoutMs: number, signal?: AbortSignal, onId?: (id: number) => void): Promise<HostRequests[M]['result']> {
    return this.open().client.request(method, params, timeoutMs, signal, onId);
  }

  notify<K extends keyof HostNotifications>(method: K, params: HostNotifications[K]): void {
    this.client?.notify(method, params);
  }

  private open(): { panel: vscode.WebviewPanel; client: EngineClient } {
    if (this.panel && this.client) return { panel: this.panel, client: this.client };
    const panel = vscode.window.createWebviewPanel('attentionCompanion.attention', vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'attention.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'webview.js', vscode.l10n.t('Attention'), vscode.env.language);
    const client = new EngineClient(panel.webview, this.extensionUri, this.listeners);
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
