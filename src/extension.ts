// Entry point: registers the commands and the status bar item. Nothing heavy runs until a command does.
import * as vscode from 'vscode';
import { AttentionPanel } from './panels/attentionPanel';
import { ModelRegistry } from './models/registry';
import { TranslationService } from './translationService';
import { StatusBar } from './status/statusBar';
import { readSettings, SECTION } from './config';
import { showAttention, translateSelection } from './commands/translate';
import { chooseDirection, chooseModel } from './commands/choose';
import { AttentionCache } from './hover/attentionCache';
import { registerHover } from './hover/attentionHover';
import { saveFigure } from './commands/exportFigure';
import { CompanionViewProvider } from './companion/companionView';

export function activate(context: vscode.ExtensionContext): void {
  const registry = new ModelRegistry(context);
  context.subscriptions.push(CompanionViewProvider.register(context.extensionUri, registry));
  const panel = new AttentionPanel(context.extensionUri, () => registry.webviewModelRoots());
  const service = new TranslationService(panel, registry);
  const status = new StatusBar();
  service.onDidLoadModel.event(({ id, backend, choice }) => status.setModel(id, backend, choice));
  const cache = new AttentionCache();
  service.onDidTranslate.event(({ result, origin, version }) => {
    status.setDirection(result.from, result.to);
    if (origin && version !== undefined) cache.add(origin.document, origin.range, version, result);
  });
  panel.onNotification((n) => {
    if (n.method !== 'action') return;
    // Checked field by field: anything a webview posts is untrusted.
    const a = n.params as { kind?: string; svg?: unknown; png?: unknown; name?: unknown };
    if (a?.kind === 'exportFigure' && typeof a.svg === 'string' && typeof a.png === 'string' && typeof a.name === 'string') {
      void saveFigure(a.svg, a.png, a.name, vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown'));
    }
  });
  registerHover(context, cache, (hit, focus) => {
    if (!hit) return;
    panel.reveal(false);
    panel.notify('show', { result: hit.entry.result, focus: { kind: 'encoder', ...focus } });
  });
  context.subscriptions.push(panel, service, status, cache,
    vscode.commands.registerCommand('attentionCompanion.translateSelection', () => translateSelection(service, panel)),
    vscode.commands.registerCommand('attentionCompanion.showAttention', () => showAttention(service, panel)),
    vscode.commands.registerCommand('attentionCompanion.chooseDirection', chooseDirection),
    vscode.commands.registerCommand('attentionCompanion.chooseModel', async () => {
      if (await chooseModel(registry)) status.setModel((await registry.current()).manifest.id, '');
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) status.refresh();
      if (e.affectsConfiguration(`${SECTION}.modelPaths`)) void service.checkModelPaths(readSettings().modelPaths);
    }),
  );
}

export function deactivate(): void {
  // Disposables registered in activate() clean up.
}
