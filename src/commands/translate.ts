// Translate Selection and Show Attention for Selection: read the selection, run the model, put the result where asked.
import * as vscode from 'vscode';
import { readSettings } from '../config';
import type { TranslationResult } from '../shared/results';
import type { TranslationService } from '../translationService';
import type { AttentionPanel } from '../panels/attentionPanel';
import { RequestCancelledError } from '../shared/ipc';

/** The selected text of the active editor, or a clear message when there is none. */
export function selectedText(): { editor: vscode.TextEditor; range: vscode.Range; text: string } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open a text editor and select the text to translate.'));
    return undefined;
  }
  const sel = editor.selection;
  const text = editor.document.getText(sel);
  if (sel.isEmpty || !text.trim()) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Select some text first: Attention Companion translates the selection.'));
    return undefined;
  }
  return { editor, range: new vscode.Range(sel.start, sel.end), text };
}

export function reportError(e: unknown): void {
  if (e instanceof RequestCancelledError || (e as Error)?.name === 'RequestCancelledError') return;   // the user asked for it
  void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: {0}', (e as Error)?.message ?? String(e)));
}

export async function translateSelection(service: TranslationService, panel: AttentionPanel): Promise<TranslationResult | undefined> {
  const sel = selectedText();
  if (!sel) return undefined;
  const { output, hover } = readSettings();
  // Attention costs extra graphs: only when the panel draws it or the hover inspector will explain the range.
  const attention = output === 'panel' || (hover && output !== 'replace');
  try {
    const result = await service.run(sel.text, {
      display: output === 'panel', attention, steps: output === 'panel',
      editorKey: sel.editor.document.uri.toString(), title: vscode.l10n.t('Attention Companion: translating'),
      origin: { document: sel.editor.document, range: sel.range },
    });
    await deliver(result, output, sel.editor, sel.range, panel);
    return result;
  } catch (e) {
    reportError(e);
    return undefined;
  }
}

export async function showAttention(service: TranslationService, panel: AttentionPanel): Promise<TranslationResult | undefined> {
  const sel = selectedText();
  if (!sel) return undefined;
  try {
    panel.reveal(true);
    return await service.run(sel.text, {
      display: true, attention: true, steps: true,
      editorKey: sel.editor.document.uri.toString(), title: vscode.l10n.t('Attention Companion: computing attention'),
      origin: { document: sel.editor.document, range: sel.range },
    });
  } catch (e) {
    reportError(e);
    return undefined;
  }
}

async function deliver(result: TranslationResult, output: string, editor: vscode.TextEditor, range: vscode.Range, panel: AttentionPanel) {
  switch (output) {
    case 'replace': {
      const ok = await editor.edit((b) => b.replace(range, result.text));
      if (!ok) throw new Error(vscode.l10n.t('The document changed before the translation arrived; nothing was replaced.'));
      break;
    }
    case 'insertBelow': {
      const line = editor.document.lineAt(range.end.line);
      await editor.edit((b) => b.insert(line.range.end, '\n' + result.text));
      break;
    }
    case 'clipboard':
      await vscode.env.clipboard.writeText(result.text);
      void vscode.window.showInformationMessage(vscode.l10n.t('Translation copied to the clipboard: {0}', result.text.slice(0, 80)));
      break;
    default:
      panel.reveal(true);
  }
}
