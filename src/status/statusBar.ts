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
  private spokenDirection = '';

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

  /** A translation by `id` on `backend` (the extension host's text process): named until a model load says more. */
  setTranslatedBy(id: string, backend: string): void {
    if (this.model) return;
    this.setModel(id, backend);
  }

  setDirection(from: string, to: string): void {
    this.direction = `${from}→${to}`;
    this.spokenDirection = vscode.l10n.t('{0} to {1}', from, to);
    this.refresh();
  }

  refresh(): void {
    const target = readSettings().targetLanguage;
    const dir = this.direction || (target === 'auto' ? 'auto' : `→${target}`);
    this.item.text = `$(symbol-event) AC ${dir}${this.backend ? ` · ${this.backend}` : ''}`;
    const model = this.model || vscode.l10n.t('not loaded yet');
    const backend = this.backend || vscode.l10n.t('not loaded yet');
    this.item.tooltip = new vscode.MarkdownString(vscode.l10n.t('**Attention Companion**\n\nModel: {0}\n\nDirection: {1}\n\nBackend: {2}\n\nClick to choose the translation direction.',
      model, dir, this.backendChoice ? `${this.backend} · ${backendReason(this.backendChoice)}` : backend));
    // Read by screen readers instead of the icon's name and the abbreviation "AC".
    this.item.accessibilityInformation = {
      role: 'button',
      label: vscode.l10n.t('Attention Companion: direction {0}, model {1}, backend {2}. Choose the translation direction.',
        this.spokenDirection || (target === 'auto' ? vscode.l10n.t('automatic') : vscode.l10n.t('into {0}', target)), model, backend),
    };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
