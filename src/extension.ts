// Entry point: registers the commands, the status bar item, the hover and the panel serializer. Activation runs at
// startup (onStartupFinished) so that the status item is there at once, or earlier when a Markdown document opens
// (the users' posts: their first selection then prepares the package before the first Translate, which otherwise
// activates the extension itself): nothing heavy runs here. Models, webviews and onnxruntime load only when a
// command, the restored panel or the companion view needs them.
import * as vscode from 'vscode';
import { AttentionPanel, PANEL_VIEW_TYPE } from './panels/attentionPanel';
import { ModelRegistry } from './models/registry';
import { TranslationService } from './translationService';
import { StatusBar } from './status/statusBar';
import { readSettings, SECTION } from './config';
import { showAttention, translateSelection } from './commands/translate';
import { chooseDirection, chooseModel } from './commands/choose';
import { AttentionCache } from './hover/attentionCache';
import { registerHover } from './hover/attentionHover';
import { postEditor, saveFigure } from './commands/exportFigure';
import { openSample, openWalkthrough, showWalkthroughOnFirstRun } from './commands/welcome';
import { CompanionViewProvider } from './companion/companionView';
import type { FigureExport } from './shared/protocol';
import { prepareRuntimeFiles } from './models/engineFileServer';
import { closeLoopback, loopback } from './models/loopback';
import { logLine } from './timingLog';
import { TextProcess } from './node/textProcessClient';

export function activate(context: vscode.ExtensionContext): void {
  const registry = new ModelRegistry(context);
  context.subscriptions.push(CompanionViewProvider.register(context.extensionUri, registry));
  const panel = new AttentionPanel(context.extensionUri, () => registry.webviewModelRoots());
  // A new panel's translations until its engine is in, in a process of its own (src/node/textProcessClient.ts).
  const textProcess = new TextProcess(vscode.Uri.joinPath(context.extensionUri, 'dist', 'textProcess.mjs').fsPath,
    vscode.Uri.joinPath(context.extensionUri, 'dist', 'ort', 'ort-wasm-simd-threaded.wasm').fsPath);
  context.subscriptions.push(textProcess);
  const service = new TranslationService(panel, registry, undefined, textProcess);
  const status = new StatusBar();
  service.onDidLoadModel.event(({ id, backend, choice }) => status.setModel(id, backend, choice));
  const cache = new AttentionCache((listener) => vscode.workspace.onDidChangeTextDocument(listener));
  service.onDidTranslate.event(({ result, origin, version }) => {
    status.setDirection(result.from, result.to);
    status.setTranslatedBy(result.modelId, result.backend);
    if (origin && version !== undefined) {
      cache.add(origin.document, origin.document.offsetAt(origin.range.start), origin.document.offsetAt(origin.range.end), version, result);
    }
  });
  const exportShownFigure = async (figure?: FigureExport) => {
    if (!figure) {
      const show = vscode.l10n.t('Show Attention for Selection');
      const choice = await vscode.window.showWarningMessage(panel.isOpen
        ? vscode.l10n.t('Attention Companion: the Attention panel shows no attention to export yet. Select a sentence and show its attention first.')
        : vscode.l10n.t('Attention Companion: open the Attention panel with a sentence\'s attention first.'), show);
      if (choice === show) await vscode.commands.executeCommand('attentionCompanion.showAttention');
      return;
    }
    await saveFigure(figure, postEditor(figure.source));
  };
  panel.onNotification((n) => {
    if (n.method !== 'action') return;
    // Checked field by field: anything a webview posts is untrusted.
    const a = n.params as Partial<Record<keyof FigureExport | 'kind', unknown>>;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    if (a?.kind === 'exportFigure' && text(a.svg) !== undefined && text(a.png) !== undefined && text(a.name) !== undefined) {
      void exportShownFigure({ svg: a.svg as string, png: a.png as string, name: a.name as string, title: text(a.title) ?? '', source: text(a.source) ?? '' });
    }
  });
  registerHover(context, cache, {
    openInPanel: (hit, focus) => {
      if (!hit) return;
      panel.reveal(false);
      panel.notify('show', { result: hit.entry.result, focus });
    },
    headCounts: async () => {
      const dims = (await registry.current().catch(() => undefined))?.manifest.dims;
      return dims && {
        encoder: { layers: dims.encoderLayers, heads: dims.heads },
        cross: { layers: dims.decoderLayers, heads: dims.heads },
        decoder: { layers: dims.decoderLayers, heads: dims.heads },
      };
    },
  });
  const written = (document: vscode.TextDocument, start: number, result: Parameters<AttentionCache['addWritten']>[2]) => {
    if (readSettings().hover) cache.addWritten(document, start, result);
  };
  context.subscriptions.push(panel, service, status, cache,
    // After a window reload VS Code gives the Attention panel back; its webview redraws the result it had saved.
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, { deserializeWebviewPanel: async (p) => panel.restore(p) }),
    vscode.commands.registerCommand('attentionCompanion.translateSelection', () => translateSelection(service, panel, written)),
    vscode.commands.registerCommand('attentionCompanion.showAttention', () => showAttention(service, panel)),
    vscode.commands.registerCommand('attentionCompanion.openPanel', () => panel.reveal(false)),
    vscode.commands.registerCommand('attentionCompanion.exportFigure', async () => {
      try {
        await exportShownFigure(await panel.figure());
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: {0}', (e as Error).message));
      }
    }),
    vscode.commands.registerCommand('attentionCompanion.openWalkthrough', () => openWalkthrough(context)),
    vscode.commands.registerCommand('attentionCompanion.openSample', () => openSample(context)),
    vscode.commands.registerCommand('attentionCompanion.chooseDirection', chooseDirection),
    vscode.commands.registerCommand('attentionCompanion.chooseModel', async () => {
      if (await chooseModel(registry)) status.setModel((await registry.current()).manifest.id, '');
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) status.refresh();
      if (e.affectsConfiguration(`${SECTION}.modelPaths`)) void service.checkModelPaths(readSettings().modelPaths);
    }),
  );
  // The first text selected is a hint that a translation may come: check the package's files then, in the
  // background (hashing ~11 MB), load it in the text process (which gives a cold panel its first text) and start the
  // loopback file server, so the first Translate waits for none of them. Text selected before the extension started
  // (it starts after the window's own start) counts. Onnxruntime's binaries are gzipped for the engine webview (0.6 s
  // of CPU) only when no text process preloads: otherwise the panel's engine loads later, once the user reads, and
  // the first window's start and the process need both cores meanwhile.
  const prepare = (editor: vscode.TextEditor) => {
    firstSelection.dispose();
    const t0 = Date.now();
    const selected = editor.document.getText(editor.selection).slice(0, 2000);
    service.prepare(selected).then((preloaded) => {
      logLine(`Package checked in the background, at the first text selected: ${Date.now() - t0} ms${preloaded ? ' (the text process preloads it)' : ''}`);
      if (!preloaded) prepareRuntimeFiles(context.extensionUri).catch(() => undefined);
    }, () => prepareRuntimeFiles(context.extensionUri).catch(() => undefined));
    void loopback();
  };
  const firstSelection = vscode.window.onDidChangeTextEditorSelection((e) => {
    if (e.selections.some((s) => !s.isEmpty)) prepare(e.textEditor);
  });
  context.subscriptions.push(firstSelection, { dispose: closeLoopback });
  const active = vscode.window.activeTextEditor;
  if (active?.selections.some((s) => !s.isEmpty)) prepare(active);
  void showWalkthroughOnFirstRun(context);
}

export function deactivate(): void {
  // Disposables registered in activate() clean up.
}
