// First run and the walkthrough: "Open Walkthrough", "Open the Sample Post" (the walkthrough's first step: the sample
// opens with a sentence selected, ready to translate), and the walkthrough once on first start.
import * as vscode from 'vscode';
import { walkthroughsOpenOnInstall } from '../config';

export const WALKTHROUGH_ID = 'attentionCompanion.start';
const SHOWN_KEY = 'attentionCompanion.walkthroughShown';
/** The sample post: the workspace's copy when `npm start` put one there, else the one that ships with the extension. */
const SAMPLE_NAME = 'attention-blog.md';
/** The sentence the sample selects: the one the panel, the hover and the companion explain best. */
export const SAMPLE_SENTENCE = '은행에 가서 돈을 찾았다';

export function openWalkthrough(context: vscode.ExtensionContext, toSide = false): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, toSide);
}

/**
 * Once per installation, the walkthrough opens beside what is open, unless the user turned off walkthroughs on
 * install (workbench.welcomePage.walkthroughs.openOnInstall). Cheap: a state read and, the first time, one command.
 */
export async function showWalkthroughOnFirstRun(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  if (!walkthroughsOpenOnInstall()) return;
  await context.globalState.update(SHOWN_KEY, true);
  await openWalkthrough(context, vscode.window.visibleTextEditors.length > 0);
}

async function sampleDocument(context: vscode.ExtensionContext): Promise<vscode.TextDocument> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith(`/${SAMPLE_NAME}`) || (d.isUntitled && d.getText().includes(SAMPLE_SENTENCE)));
  if (open) return open;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, SAMPLE_NAME);
    try {
      await vscode.workspace.fs.stat(uri);
      return await vscode.workspace.openTextDocument(uri);
    } catch {
      // not in this folder
    }
  }
  // An untitled copy: the user may translate into it (output replace / insertBelow) without touching the extension.
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'media', 'sample', SAMPLE_NAME));
  return vscode.workspace.openTextDocument({ language: 'markdown', content: new TextDecoder().decode(bytes) });
}

/** Opens the sample post (where it shows already, else beside the walkthrough when that is in front) with the sample sentence selected. */
export async function openSample(context: vscode.ExtensionContext): Promise<vscode.TextEditor> {
  const doc = await sampleDocument(context);
  // Where the post already shows, else beside the walkthrough (when that is in front), else in the active group.
  const shown = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn;
  const walkthroughInFront = !!vscode.window.tabGroups.activeTabGroup.activeTab && !vscode.window.activeTextEditor;
  const viewColumn = shown ?? (walkthroughInFront ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
  const editor = await vscode.window.showTextDocument(doc, { viewColumn, preview: false });
  const at = doc.getText().indexOf(SAMPLE_SENTENCE);
  if (at >= 0) {
    editor.selection = new vscode.Selection(doc.positionAt(at), doc.positionAt(at + SAMPLE_SENTENCE.length));
    editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return editor;
}
