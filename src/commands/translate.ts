// Translate Selection and Show Attention for Selection: read the selection, run the model, put the result where asked.
import * as vscode from 'vscode';
import { readSettings, SECTION } from '../config';
import type { TranslationResult } from '../shared/results';
import { SelectionTooLongError, type TranslationService } from '../translationService';
import type { AttentionPanel } from '../panels/attentionPanel';
import { RequestCancelledError } from '../shared/ipc';
import { leadingPartLength } from './leadingPart';
import { showSettingError } from './settingsLink';
import { Timeline } from '../shared/timeline';
import { logTimeline } from '../timingLog';

/** A translation written into a document (output replace or insertBelow), at this offset: the hover explains it. */
export type WrittenListener = (document: vscode.TextDocument, start: number, result: TranslationResult) => void;

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

/**
 * Shows what went wrong. A selection over the length limit offers to translate its first part (the selection
 * shrinks to it, and `retry` runs the command again) or to open the setting.
 */
export async function reportError(e: unknown, editor?: vscode.TextEditor, retry?: () => unknown): Promise<void> {
  if (e instanceof RequestCancelledError || (e as Error)?.name === 'RequestCancelledError') return;   // the user asked for it
  const message = vscode.l10n.t('Attention Companion: {0}', (e as Error)?.message ?? String(e));
  if (!(e instanceof SelectionTooLongError)) {
    // The engine names the setting that would fix it ("backend" when WebGPU was asked for and there is none).
    const setting = /"?attentionCompanion\.(backend)"?/.exec(message)?.[1];
    if (setting) void showSettingError(message, `${SECTION}.${setting}`);
    else void vscode.window.showErrorMessage(message);
    return;
  }
  const count = new Intl.NumberFormat(vscode.env.language).format(e.limit);
  const firstPart = vscode.l10n.t('Translate the First {0} Characters', count);
  const choice = await showSettingError(message, `${SECTION}.maxInputLength`, ...(editor && retry ? [firstPart] : []));
  if (choice !== firstPart || !editor || !retry) return;
  const sel = editor.selection;
  const doc = editor.document;
  const start = doc.offsetAt(sel.start);
  const length = leadingPartLength(doc.getText(sel), e.limit);
  if (length === 0) return;
  editor.selection = new vscode.Selection(sel.start, doc.positionAt(start + length));
  editor.revealRange(editor.selection);
  await retry();
}

export async function translateSelection(service: TranslationService, panel: AttentionPanel, written?: WrittenListener): Promise<TranslationResult | undefined> {
  const timeline = new Timeline();
  timeline.mark('host: command invoked');
  const sel = selectedText();
  if (!sel) return undefined;
  const { output, hover } = readSettings();
  // Attention costs extra graphs: only when the panel draws it or the hover inspector will explain the text (the
  // source range, or the translation written into the document).
  const attention = output === 'panel' || hover;
  try {
    const result = await service.run(sel.text, {
      display: output === 'panel', attention, steps: output === 'panel',
      editorKey: sel.editor.document.uri.toString(), title: vscode.l10n.t('Attention Companion: translating'),
      origin: { document: sel.editor.document, range: sel.range }, timeline,
    });
    await deliver(result, output, sel.editor, sel.range, panel, written);
    timeline.mark(`host: delivered (output ${output})`);
    logTimeline(`Translate Selection (${sel.text.length} characters)`, timeline);
    return result;
  } catch (e) {
    void reportError(e, sel.editor, () => translateSelection(service, panel, written));
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
    void reportError(e, sel.editor, () => showAttention(service, panel));
    return undefined;
  }
}

async function deliver(result: TranslationResult, output: string, editor: vscode.TextEditor, range: vscode.Range, panel: AttentionPanel, written?: WrittenListener) {
  const doc = editor.document;
  switch (output) {
    case 'replace': {
      const start = doc.offsetAt(range.start);
      const ok = await editor.edit((b) => b.replace(range, result.text));
      if (!ok) throw new Error(vscode.l10n.t('The document changed before the translation arrived; nothing was replaced.'));
      written?.(doc, start, result);
      break;
    }
    case 'insertBelow': {
      const line = doc.lineAt(range.end.line);
      const at = doc.offsetAt(line.range.end);
      const ok = await editor.edit((b) => b.insert(line.range.end, '\n' + result.text));
      if (!ok) throw new Error(vscode.l10n.t('The document changed before the translation arrived; nothing was inserted.'));
      // The translation starts after the line break just written (two characters in a CRLF document).
      written?.(doc, at + (doc.eol === vscode.EndOfLine.CRLF ? 2 : 1), result);
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
