// Owns the Attention webview panel: creates it (kept alive while hidden), reopens it after it was closed, and takes
// back the one VS Code restores after a window reload (its webview redraws the result it saved in its state).
import * as vscode from 'vscode';
import { readSettings } from '../config';
import type { Method, NotificationOf, ParamsOf, RequestOptions, ResultOf } from '../shared/ipc';
import type { ModelManifest } from '../shared/manifest';
import { type FigureExport, type GraphUse, PANEL, type PanelProtocol } from '../shared/protocol';
import type { BackendSetting } from '../shared/results';
import { EngineClient, resourceRoots, type LoadedModel } from './engineClient';

type ToPanel = PanelProtocol['hostToWebview'];
export type PanelNotification = NotificationOf<PanelProtocol['webviewToHost']['notifications']>;
export type PanelNotificationListener = (n: PanelNotification) => void;

/** The panel's webview type: package.json's onWebviewPanel activation and the serializer name it. */
export const PANEL_VIEW_TYPE = 'attentionCompanion.attention';
/** Context key: true while the panel exists (the "Export Figure" editor-title button). */
const OPEN_CONTEXT = 'attentionCompanion.panelOpen';

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

  ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting, firstUse: GraphUse): Promise<LoadedModel> {
    return this.open().client.ensureModel(dir, manifest, backend, firstUse);
  }

  request<M extends Method<ToPanel['requests']>>(method: M, params: ParamsOf<ToPanel['requests'], M>, opts: RequestOptions): Promise<ResultOf<ToPanel['requests'], M>> {
    return this.open().client.endpoint.request(method, params, opts);
  }

  notify<K extends keyof ToPanel['notifications']>(method: K, params: ToPanel['notifications'][K]): void {
    this.client?.endpoint.notify(method, params);
  }

  /** Whether the panel exists (shown or in a background tab). */
  get isOpen(): boolean {
    return !!this.panel;
  }

  /** The figure of what the panel shows; undefined when there is no panel or it shows no attention. */
  async figure(): Promise<FigureExport | undefined> {
    if (!this.client) return undefined;
    return (await this.client.endpoint.request('exportFigure', undefined, { timeoutMs: 30_000 })) ?? undefined;
  }

  /** A panel VS Code restored after a reload (WebviewPanelSerializer): it becomes this panel. */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) {
      panel.dispose();                          // one Attention panel at a time
      return;
    }
    this.adopt(panel);
  }

  private open(): { panel: vscode.WebviewPanel; client: EngineClient<PanelProtocol> } {
    if (this.panel && this.client) return { panel: this.panel, client: this.client };
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) });
    return this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): { panel: vscode.WebviewPanel; client: EngineClient<PanelProtocol> } {
    // A restored panel comes with the options it was saved with; the model roots may have changed since.
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) };
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'attention.svg');
    const client = new EngineClient<PanelProtocol>(panel.webview, this.extensionUri, {
      names: PANEL, peer: 'The Attention panel', handlers: {},
      roots: () => resourceRoots(this.extensionUri, this.extraRoots()),
      onNotification: (n) => { for (const l of this.listeners) l(n); },
    });
    void client.setHtml('webview.js', vscode.l10n.t('Attention'), readSettings().backend);
    this.panel = panel;
    this.client = client;
    void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, true);
    panel.onDidDispose(() => {
      client.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.client = undefined;
        void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, false);
      }
    });
    return { panel, client };
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
