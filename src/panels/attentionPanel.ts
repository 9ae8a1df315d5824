// Owns the Attention webview panel: creates it (kept alive while hidden), reopens it after it was closed, and takes
// back the one VS Code restores after a window reload (its webview redraws the result it saved in its state).
import * as vscode from 'vscode';
import { readSettings } from '../config';
import type { Method, NotificationOf, ParamsOf, RequestOptions, ResultOf } from '../shared/ipc';
import type { ModelManifest } from '../shared/manifest';
import { type FigureExport, type GraphUse, type HostTranslationNote, type LoadModelParams, PANEL, type PanelProtocol } from '../shared/protocol';
import type { BackendSetting, TranslationResult } from '../shared/results';
import { EngineClient, resourceRoots, type LoadedModel } from './engineClient';

type ToPanel = PanelProtocol['hostToWebview'];
export type PanelNotification = NotificationOf<PanelProtocol['webviewToHost']['notifications']>;
export type PanelNotificationListener = (n: PanelNotification) => void;

/** The panel's webview type: package.json's onWebviewPanel activation and the serializer name it. */
export const PANEL_VIEW_TYPE = 'attentionCompanion.attention';
/** The panel's name in errors ("The Attention panel was closed before it answered"). */
export const PANEL_PEER = 'The Attention panel';
/** Context key: true while the panel exists (the "Export Figure" editor-title button). */
const OPEN_CONTEXT = 'attentionCompanion.panelOpen';

export class AttentionPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private client?: EngineClient<PanelProtocol>;
  private readonly listeners = new Set<PanelNotificationListener>();
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly extraRoots: () => vscode.Uri[]) {}

  /** Calls `listener` when the panel open now is closed (once). */
  onDidClose(listener: () => void): vscode.Disposable {
    this.closeListeners.add(listener);
    return new vscode.Disposable(() => this.closeListeners.delete(listener));
  }

  onNotification(listener: PanelNotificationListener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /**
   * Opens the panel (when it is not open) with a page that leaves onnxruntime until its first load: the extension
   * host's text process translates meanwhile (src/translationService.ts). Returns whether it opened it.
   */
  openWithRuntimeAtLoad(): boolean {
    if (this.panel) return false;
    this.open(true);
    return true;
  }

  /** How a translation the host runs goes (PanelProtocol's `hostTranslation`), drawn once the page listens. */
  noteHostTranslation(note: HostTranslationNote): void {
    const client = this.client;
    client?.whenReady(() => client.endpoint.notify('hostTranslation', note));
  }

  /** A result the host computed, drawn (and kept for a reload) once the page listens. */
  showResult(result: TranslationResult): void {
    const client = this.client;
    client?.whenReady(() => client.endpoint.notify('show', { result }));
  }

  reveal(preserveFocus = true): void {
    this.open().panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
  }

  /** `background`: a load for later translations (LoadModelParams's). */
  ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting, firstUse: GraphUse, background?: LoadModelParams['background']): Promise<LoadedModel> {
    return this.open().client.ensureModel(dir, manifest, backend, firstUse, background);
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

  private open(runtimeAtLoad = false): { panel: vscode.WebviewPanel; client: EngineClient<PanelProtocol> } {
    if (this.panel && this.client) return { panel: this.panel, client: this.client };
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) });
    return this.adopt(panel, runtimeAtLoad);
  }

  private adopt(panel: vscode.WebviewPanel, runtimeAtLoad = false): { panel: vscode.WebviewPanel; client: EngineClient<PanelProtocol> } {
    // A restored panel comes with the options it was saved with; the model roots may have changed since.
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(this.extensionUri, this.extraRoots()) };
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'attention.svg');
    const client = new EngineClient<PanelProtocol>(panel.webview, this.extensionUri, {
      names: PANEL, peer: PANEL_PEER, handlers: {},
      roots: () => resourceRoots(this.extensionUri, this.extraRoots()),
      onNotification: (n) => { for (const l of this.listeners) l(n); },
    });
    void client.setHtml('webview.js', vscode.l10n.t('Attention'), readSettings().backend, runtimeAtLoad);
    this.panel = panel;
    this.client = client;
    void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, true);
    panel.onDidDispose(() => {
      client.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.client = undefined;
        for (const l of [...this.closeListeners]) l();
        this.closeListeners.clear();
        void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, false);
      }
    });
    return { panel, client };
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
