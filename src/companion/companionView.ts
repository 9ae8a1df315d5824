// The "Paper Companion" webview view: a reading companion to "Attention Is All You Need" whose sections run the
// live model. The engine runs inside this view's webview, which calls it directly; the host only loads the current
// model into it (on every `ready`, and when the view is shown again) and answers its requests for the selection.
import * as vscode from 'vscode';
import { readSettings, type Settings } from '../config';
import type { ModelRegistry } from '../models/registry';
import { EngineClient, resourceRoots } from '../panels/engineClient';
import { WebviewReloadedError } from '../shared/ipc';
import { COMPANION, type CompanionProtocol, type SelectionReply } from '../shared/protocol';

export class CompanionViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'attentionCompanion.companion';

  private view?: vscode.WebviewView;
  private client?: EngineClient<CompanionProtocol>;

  /** Registers the provider (the webview keeps its state and its loaded model while the view is hidden). */
  static register(extensionUri: vscode.Uri, registry: ModelRegistry, settings: () => Settings = readSettings): vscode.Disposable {
    const provider = new CompanionViewProvider(extensionUri, registry, settings);
    return vscode.Disposable.from(provider,
      vscode.window.registerWebviewViewProvider(CompanionViewProvider.viewId, provider, { webviewOptions: { retainContextWhenHidden: true } }));
  }

  constructor(private readonly extensionUri: vscode.Uri, private readonly registry: ModelRegistry, private readonly settings: () => Settings = readSettings) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.detach();
    this.view = view;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: resourceRoots(this.extensionUri, this.registry.webviewModelRoots()),
    };
    this.client = new EngineClient<CompanionProtocol>(webview, this.extensionUri, {
      names: COMPANION,
      peer: 'The Paper Companion view',
      handlers: { selection: async () => this.selection() },
      roots: () => resourceRoots(this.extensionUri, this.registry.webviewModelRoots()),
      // Every start of the script (a reload too) has an empty engine: load the current model into it.
      onNotification: (n) => { if (n.method === 'ready') void this.loadModel(view); },
    });
    void this.client.setHtml('companion.js', vscode.l10n.t('Paper Companion'), this.settings().backend);
    const subscriptions = [
      // A model chosen with Choose Model (or another backend) is loaded when the view is shown again.
      view.onDidChangeVisibility(() => { if (view.visible) void this.loadModel(view); }),
      view.onDidDispose(() => {
        for (const s of subscriptions) s.dispose();
        if (this.view === view) this.detach();
      }),
    ];
  }

  /** The active editor's selection (trimmed, at most maxInputLength characters), or why there is none. */
  private selection(): SelectionReply {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return { problem: 'noEditor' };
    const text = editor.document.getText(editor.selection).trim();
    if (!text) return { problem: 'empty' };
    return { text: text.slice(0, this.settings().maxInputLength) };
  }

  /** Makes sure the current model is loaded in the view's webview; tells the webview when that fails. */
  private async loadModel(view: vscode.WebviewView): Promise<void> {
    const client = this.client;
    if (!client || this.view !== view) return;
    try {
      const { dir, manifest } = await this.registry.current();
      await client.ensureModel(dir, manifest, this.settings().backend);
    } catch (e) {
      // A load cut short by a reload is followed by the new script's own load: nothing to report.
      if (e instanceof WebviewReloadedError || this.client !== client) return;
      client.endpoint.notify('modelError', { error: (e as Error).message });
    }
  }

  private detach(): void {
    this.client?.dispose();
    this.client = undefined;
    this.view = undefined;
  }

  dispose(): void {
    this.detach();
  }
}
