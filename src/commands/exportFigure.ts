// Saves a heatmap figure the panel exported (SVG and PNG) and offers to link it from the Markdown post: the link goes
// on its own line after the paragraph holding the sentence (./figureLink.ts). Inside the workspace it writes; outside,
// it refuses or asks first (./figureDestination.ts decides); an earlier export with the same name is never
// overwritten without asking.
import * as vscode from 'vscode';
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { figureFolderSetting, SECTION } from '../config';
import type { FigureExport } from '../shared/protocol';
import { linkInsertion, markdownImage, relativePath } from './figureLink';
import { showSettingError } from './settingsLink';
import {
  decideFolder, figureFiles, freeFigureName, isAbsoluteSetting, settingSource, type FolderSource,
} from './figureDestination';

interface FigureTarget { folder: vscode.Uri; source: FolderSource }

/** Folders outside the workspace the user agreed to save into, this session. */
const confirmedOutside = new Set<string>();

/** Where figures go: the setting (relative to the workspace), else assets/images/ when it exists, else the workspace root. */
async function figureFolder(): Promise<FigureTarget | undefined> {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  const { value, scopes } = figureFolderSetting();
  const setting = value.trim();
  if (setting) {
    const source = settingSource(scopes, value);
    if (isAbsoluteSetting(setting)) return { folder: vscode.Uri.file(setting.replace(/^~(?=$|[\\/])/, homedir())), source };
    return ws && { folder: vscode.Uri.joinPath(ws, setting.replace(/\\/g, '/')), source };
  }
  if (!ws) return undefined;
  const assets = vscode.Uri.joinPath(ws, 'assets', 'images');
  try {
    await vscode.workspace.fs.stat(assets);
    return { folder: assets, source: 'default' };
  } catch {
    return { folder: ws, source: 'default' };
  }
}

const caseInsensitiveDisk = (uri: vscode.Uri) => uri.scheme === 'file' && process.platform !== 'linux';
const shown = (uri: vscode.Uri) => (uri.scheme === 'file' ? uri.fsPath : uri.toString());

/**
 * A local folder as the disk resolves it, symbolic links followed (a link in the workspace that points elsewhere is
 * elsewhere). The folder may not exist yet: its deepest existing ancestor is resolved and the rest kept.
 */
async function resolvedFolder(uri: vscode.Uri): Promise<vscode.Uri> {
  if (uri.scheme !== 'file') return uri;
  const rest: string[] = [];
  for (let dir = uri.fsPath; ; dir = dirname(dir)) {
    try {
      return vscode.Uri.file(join(await realpath(dir), ...rest));
    } catch {
      if (dirname(dir) === dir) return uri;
      rest.unshift(basename(dir));
    }
  }
}

/** Whether figures may be written to `target`: at once inside the workspace; outside, refused or confirmed. */
async function mayWriteTo(target: FigureTarget): Promise<boolean> {
  const decision = decideFolder({
    folder: await resolvedFolder(target.folder),
    workspaceFolders: await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => resolvedFolder(f.uri))),
    source: target.source,
    ignoreCase: caseInsensitiveDisk(target.folder),
  });
  if (decision === 'write') return true;
  if (decision === 'refuse') {
    void showSettingError(vscode.l10n.t('Attention Companion: this workspace\'s settings save figures in {0}, outside the workspace. A workspace setting can only choose a folder inside the workspace: change attentionCompanion.figureFolder.', shown(target.folder)), `${SECTION}.figureFolder`);
    return false;
  }
  if (confirmedOutside.has(target.folder.toString())) return true;
  const save = vscode.l10n.t('Save There');
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Save the figure outside the workspace, in {0}?', shown(target.folder)), { modal: true }, save);
  if (choice !== save) return false;
  confirmedOutside.add(target.folder.toString());
  return true;
}

/** The name to save under: `base` when it is free; else, asked, `base` again (overwrite) or the next free `base-N`. */
async function chooseName(folder: vscode.Uri, base: string): Promise<string | undefined> {
  let names: string[] = [];
  try {
    names = (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name);
  } catch {
    // a folder that does not exist yet holds no earlier export
  }
  const key = (name: string) => (caseInsensitiveDisk(folder) ? name.toLowerCase() : name);
  const existing = new Set(names.map(key));
  const free = freeFigureName(base, (file) => existing.has(key(file)));
  if (free === base) return base;
  const overwrite = vscode.l10n.t('Overwrite');
  const saveAs = vscode.l10n.t('Save as {0}', free);
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} already has a figure named {1}.', shown(folder), base), { modal: true }, overwrite, saveAs);
  return choice === overwrite ? base : choice === saveAs ? free : undefined;
}

/** A file name from the panel's name: letters (any script), digits, '.', '_' and '-'; at most 80 code points. */
const safeName = (name: string) => [...name.replace(/[^\p{L}\p{N}\p{M}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '')].slice(0, 80).join('') || 'attention';

/**
 * The Markdown editor to link the figure from: a visible one whose text holds the figure's sentence (the post it came
 * from), else the active editor when it is Markdown, else the first visible Markdown editor.
 */
export function postEditor(source: string): vscode.TextEditor | undefined {
  const markdown = vscode.window.visibleTextEditors.filter((e) => e.document.languageId === 'markdown');
  const needle = source.trim();
  return (needle ? markdown.find((e) => e.document.getText().includes(needle)) : undefined)
    ?? (vscode.window.activeTextEditor?.document.languageId === 'markdown' ? vscode.window.activeTextEditor : undefined)
    ?? markdown[0];
}

export async function saveFigure(figure: FigureExport, editor: vscode.TextEditor | undefined): Promise<vscode.Uri | undefined> {
  const match = /^data:image\/png;base64,(.+)$/.exec(figure.png);
  if (!match || !figure.svg.trimStart().startsWith('<svg')) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: the panel sent an invalid figure.'));
    return undefined;
  }
  const target = await figureFolder();
  if (!target) {
    void showSettingError(vscode.l10n.t('Attention Companion: open a folder to save figures into, or set attentionCompanion.figureFolder.'), `${SECTION}.figureFolder`);
    return undefined;
  }
  if (!(await mayWriteTo(target))) return undefined;
  const folder = target.folder;
  const base = await chooseName(folder, safeName(figure.name));
  if (!base) return undefined;
  await vscode.workspace.fs.createDirectory(folder);
  const [svgName, pngName] = figureFiles(base);
  const svgUri = vscode.Uri.joinPath(folder, svgName);
  const pngUri = vscode.Uri.joinPath(folder, pngName);
  await vscode.workspace.fs.writeFile(svgUri, new TextEncoder().encode(figure.svg));
  await vscode.workspace.fs.writeFile(pngUri, Uint8Array.from(Buffer.from(match[1], 'base64')));
  const insert = vscode.l10n.t('Insert Markdown link');
  const canInsert = editor && editor.document.languageId === 'markdown';
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Saved {0} and {1}.', vscode.workspace.asRelativePath(svgUri), vscode.workspace.asRelativePath(pngUri)), ...(canInsert ? [insert] : []));
  if (choice === insert && editor) await insertLink(editor, figure, pngUri);
  return svgUri;
}

/** The image link on its own line after the paragraph holding the figure's sentence (else the cursor's paragraph). */
async function insertLink(editor: vscode.TextEditor, figure: FigureExport, pngUri: vscode.Uri): Promise<void> {
  const doc = editor.document;
  const text = doc.getText();
  const found = figure.source.trim() ? text.indexOf(figure.source.trim()) : -1;
  const anchor = found >= 0 ? found : doc.offsetAt(editor.selection.active);
  const rel = relativePath(vscode.Uri.joinPath(doc.uri, '..').path, pngUri.path);
  const alt = `${figure.title}: ${figure.source}`;
  const { offset, insert } = linkInsertion(text, anchor, markdownImage([...alt].length > 120 ? [...alt].slice(0, 119).join('') + '…' : alt, rel),
    doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
  const at = doc.positionAt(offset);
  const ok = await editor.edit((b) => b.insert(at, insert));
  if (ok) {
    const end = doc.positionAt(offset + insert.length);
    editor.selection = new vscode.Selection(end, end);
    editor.revealRange(new vscode.Range(at, end));
  }
}
