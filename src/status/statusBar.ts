// The status bar item: model, direction and backend; clicking it chooses the direction.
import * as vscode from 'vscode';
import { readSettings } from '../config';
import type { BackendChoice } from '../shared/results';
import { backendReason } from './backendReason';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('attentionCompanion.status', vscode.StatusBarAlignment.Right, 100);
  private model = '';
  private backend = '';
  private backendChoice?: BackendChoice;
  private direction = '';

  constructor() {
    this.item.name = 'Attention Companion';
    this.item.command = 'attentionCompanion.chooseDirection';
    this.refresh();
  }

  /** `choice`: why the backend was chosen (the tooltip says it). */
  setModel(id: string, backend: string, choice?: BackendChoice): void {
    this.model = id;
    this.backend = backend;
    this.backendChoice = choice;
    this.refresh();
  }

  setDirection(from: string, to: string): void {
    this.direction = `${from}→${to}`;
    this.refresh();
  }

  refresh(): void {
    const target = readSettings().targetLanguage;
    const dir = this.direction || (target === 'auto' ? 'auto' : `→${target}`);
    this.item.text = `$(symbol-event) AC ${dir}${this.backend ? ` · ${this.backend}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(vscode.l10n.t('**Attention Companion**\n\nModel: {0}\n\nDirection: {1}\n\nBackend: {2}\n\nClick to choose the translation direction.',
      this.model || vscode.l10n.t('not loaded yet'), dir,
      this.backendChoice ? `${this.backend} · ${backendReason(this.backendChoice)}` : this.backend || vscode.l10n.t('not loaded yet')));
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
