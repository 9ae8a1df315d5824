// Saves a heatmap figure the panel exported (SVG and PNG) and offers to link it from the active Markdown document.
import * as vscode from 'vscode';
import { SECTION } from '../config';

/** Where figures go: the setting (relative to the workspace), else assets/images/ when it exists, else the workspace root. */
async function figureFolder(): Promise<vscode.Uri | undefined> {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  const setting = vscode.workspace.getConfiguration(SECTION).get<string>('figureFolder', '').trim();
  if (setting) return setting.startsWith('/') ? vscode.Uri.file(setting) : ws && vscode.Uri.joinPath(ws, setting);
  if (!ws) return undefined;
  const assets = vscode.Uri.joinPath(ws, 'assets', 'images');
  try {
    await vscode.workspace.fs.stat(assets);
    return assets;
  } catch {
    return ws;
  }
}

const safeName = (name: string) => name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'attention';

export async function saveFigure(svg: string, pngDataUrl: string, name: string, editor: vscode.TextEditor | undefined): Promise<vscode.Uri | undefined> {
  const folder = await figureFolder();
  if (!folder) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: open a folder to save figures into, or set attentionCompanion.figureFolder.'));
    return undefined;
  }
  const match = /^data:image\/png;base64,(.+)$/.exec(pngDataUrl);
  if (!match || !svg.trimStart().startsWith('<svg')) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: the panel sent an invalid figure.'));
    return undefined;
  }
  await vscode.workspace.fs.createDirectory(folder);
  const base = safeName(name);
  const svgUri = vscode.Uri.joinPath(folder, `${base}.svg`);
  const pngUri = vscode.Uri.joinPath(folder, `${base}.png`);
  await vscode.workspace.fs.writeFile(svgUri, new TextEncoder().encode(svg));
  await vscode.workspace.fs.writeFile(pngUri, Uint8Array.from(Buffer.from(match[1], 'base64')));
  const insert = vscode.l10n.t('Insert Markdown link');
  const canInsert = editor && editor.document.languageId === 'markdown';
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Saved {0} and {1}.', vscode.workspace.asRelativePath(svgUri), vscode.workspace.asRelativePath(pngUri)), ...(canInsert ? [insert] : []));
  if (choice === insert && editor) {
    const docDir = vscode.Uri.joinPath(editor.document.uri, '..');
    const rel = relativePath(docDir.path, pngUri.path);
    await editor.edit((b) => b.insert(editor.selection.active, `![${name}](${rel})`));
  }
  return svgUri;
}

function relativePath(fromDir: string, to: string): string {
  const a = fromDir.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/') || '.';
}
