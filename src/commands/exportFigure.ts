// Saves a heatmap figure the panel exported (SVG and PNG) and offers to link it from the active Markdown document.
// Inside the workspace it writes; outside, it refuses or asks first (./figureDestination.ts decides); an earlier
// export with the same name is never overwritten without asking.
import * as vscode from 'vscode';
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { figureFolderSetting } from '../config';
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
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: this workspace\'s settings save figures in {0}, outside the workspace. A workspace setting can only choose a folder inside the workspace: change attentionCompanion.figureFolder.', shown(target.folder)));
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

const safeName = (name: string) => name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'attention';

export async function saveFigure(svg: string, pngDataUrl: string, name: string, editor: vscode.TextEditor | undefined): Promise<vscode.Uri | undefined> {
  const match = /^data:image\/png;base64,(.+)$/.exec(pngDataUrl);
  if (!match || !svg.trimStart().startsWith('<svg')) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: the panel sent an invalid figure.'));
    return undefined;
  }
  const target = await figureFolder();
  if (!target) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: open a folder to save figures into, or set attentionCompanion.figureFolder.'));
    return undefined;
  }
  if (!(await mayWriteTo(target))) return undefined;
  const folder = target.folder;
  const base = await chooseName(folder, safeName(name));
  if (!base) return undefined;
  await vscode.workspace.fs.createDirectory(folder);
  const [svgName, pngName] = figureFiles(base);
  const svgUri = vscode.Uri.joinPath(folder, svgName);
  const pngUri = vscode.Uri.joinPath(folder, pngName);
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
