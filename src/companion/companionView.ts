// The "Paper Companion" webview view: a reading companion to "Attention Is All You Need" whose sections run the
// live model. The engine runs inside this view's webview (like the Attention panel's); the host loads the current
// model into it and relays the companion's own messages (selection, analysis) from src/companion/messages.ts.
import * as vscode from 'vscode';
import { readSettings, type Settings } from '../config';
import { resolveFolder, type ModelRegistry } from '../models/registry';
import { EngineClient, resourceRoots, type NotificationListener } from '../panels/engineClient';
import { webviewHtml } from '../panels/webviewHtml';
import { parseCompanionRequest, type CompanionReply, type CompanionRequest } from './messages';
import { displayLang, translator } from '../../webview/companion/strings';

const TRANSLATE_TIMEOUT_MS = 60_000;

export class CompanionViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'attentionCompanion.companion';

  private view?: vscode.WebviewView;
  private client?: EngineClient;
  private helloSeen = false;
  private readonly listeners = new Set<NotificationListener>();

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
      localResourceRoots: resourceRoots(this.extensionUri, this.settings().modelPaths.map(resolveFolder)),
    };
    const title = translator(displayLang(vscode.env.language))('view.name');
    webview.html = webviewHtml(webview, this.extensionUri, 'companion.js', title, vscode.env.language);
    this.client = new EngineClient(webview, this.extensionUri, this.listeners);
    this.helloSeen = false;
    const subscriptions = [
      webview.onDidReceiveMessage((raw) => {
        const m = parseCompanionRequest(raw);
        if (m) void this.handle(view, m);
      }),
      // A model chosen with Choose Model (or another backend) is loaded when the view is shown again.
      view.onDidChangeVisibility(() => { if (view.visible) void this.loadModel(view); }),
      view.onDidDispose(() => {
        for (const s of subscriptions) s.dispose();
        if (this.view === view) this.detach();
      }),
    ];
  }

  private async handle(view: vscode.WebviewView, m: CompanionRequest): Promise<void> {
    if (this.view !== view) return;                    // a view that was replaced
    switch (m.type) {
      case 'hello':
        // The script started again in the same webview (a reload): its engine is empty, start a fresh client.
        // The webview posts 'hello' before the engine's 'ready', so the new client still sees 'ready'.
        if (this.helloSeen) {
          this.client?.dispose();
          this.client = new EngineClient(view.webview, this.extensionUri, this.listeners);
        }
        this.helloSeen = true;
        void this.loadModel(view);
        return;
      case 'selection': {
        const editor = vscode.window.activeTextEditor;
        if (!editor) return this.post(view, { kind: 'companion', type: 'selection', id: m.id, problem: 'noEditor' });
        const text = editor.document.getText(editor.selection).trim();
        const max = this.settings().maxInputLength;
        if (!text) return this.post(view, { kind: 'companion', type: 'selection', id: m.id, problem: 'empty' });
        return this.post(view, { kind: 'companion', type: 'selection', id: m.id, text: text.slice(0, max) });
      }
      case 'analyze':
        try {
          const client = await this.loadModel(view);
          if (!client) throw new Error(translator(displayLang(vscode.env.language))('view.noModel'));
          const result = await client.request('translate', { text: m.text, to: 'auto', beam: 1, attention: true, display: false }, TRANSLATE_TIMEOUT_MS);
          this.post(view, { kind: 'companion', type: 'analysis', id: m.id, result });
        } catch (e) {
          this.post(view, { kind: 'companion', type: 'analysis', id: m.id, error: (e as Error).message });
        }
        return;
    }
  }

  /** Makes sure the current model is loaded in the view's webview; tells the webview when that fails. */
  private async loadModel(view: vscode.WebviewView): Promise<EngineClient | undefined> {
    const client = this.client;
    if (!client || this.view !== view) return undefined;
    try {
      const { dir, manifest } = await this.registry.current();
      await client.ensureModel(dir, manifest, this.settings().backend);
      return client;
    } catch (e) {
      this.post(view, { kind: 'companion', type: 'modelError', error: (e as Error).message });
      return undefined;
    }
  }

  private post(view: vscode.WebviewView, m: CompanionReply): void {
    void view.webview.postMessage(m);
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
