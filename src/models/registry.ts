// Finds model packages (the bundled default and the folders in attentionCompanion.modelPaths) and remembers the choice.
import * as vscode from 'vscode';
import { userModelPaths } from '../config';
import type { ModelManifest } from '../shared/manifest';
import { validateManifest } from '../shared/manifestValidation';
import { packageFileLabel } from '../shared/packageError';
import { parseJsonFile } from '../engine/packageFiles';

export interface ModelEntry { dir: vscode.Uri; manifest: ModelManifest; bundled: boolean }

const CHOSEN_KEY = 'attentionCompanion.chosenModel';

export class ModelRegistry {
  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The bundled default package, from models/DEFAULT. */
  async bundled(): Promise<ModelEntry> {
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'models');
    const name = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, 'DEFAULT'))).trim();
    const dir = vscode.Uri.joinPath(root, name);
    return { dir, manifest: await readManifest(dir), bundled: true };
  }

  /** A user folder: resolved against the first workspace folder when relative. Errors name the folder. */
  async fromPath(path: string): Promise<ModelEntry> {
    const dir = resolveFolder(path);
    return { dir, manifest: await readManifest(dir), bundled: false };
  }

  /** Every package that loads, plus the problems with those that do not. */
  async all(paths: string[]): Promise<{ entries: ModelEntry[]; problems: string[] }> {
    const entries: ModelEntry[] = [];
    const problems: string[] = [];
    try {
      entries.push(await this.bundled());
    } catch (e) {
      problems.push((e as Error).message);
    }
    for (const p of paths) {
      try {
        entries.push(await this.fromPath(p));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return { entries, problems };
  }

  /** The answer of current() for the choice it was asked under (every Translate asks; Choose Model changes it). */
  private remembered?: { chosen: string | undefined; entry: Promise<ModelEntry> };

  /**
   * The package to use: the one chosen with Choose Model if it still loads, else the bundled one. Read once per
   * choice (each Translate asks, and the read cost 150-300 ms on a busy machine: e2e scenario 60); the engine keeps
   * the package it loaded anyway, and its files are checked against this manifest when it loads.
   */
  current(): Promise<ModelEntry> {
    const chosen = this.context.globalState.get<string>(CHOSEN_KEY);
    if (this.remembered && this.remembered.chosen === chosen) return this.remembered.entry;
    const entry = this.readCurrent();
    this.remembered = { chosen, entry };
    entry.catch(() => { if (this.remembered?.entry === entry) this.remembered = undefined; });
    return entry;
  }

  private async readCurrent(): Promise<ModelEntry> {
    const chosen = this.context.globalState.get<string>(CHOSEN_KEY);
    if (chosen) {
      try {
        return { dir: vscode.Uri.parse(chosen), manifest: await readManifest(vscode.Uri.parse(chosen)), bundled: false };
      } catch {
        await this.context.globalState.update(CHOSEN_KEY, undefined);
      }
    }
    return this.bundled();
  }

  /**
   * The folders besides the extension's own that a webview may read: the package the user chose with Choose Model,
   * and the modelPaths of the user's own settings (so that a model chosen while a panel is open loads without
   * reopening it). Never modelPaths from workspace settings: a workspace can set those (to `/`, say), and every one
   * would become readable by the webview.
   */
  webviewModelRoots(): vscode.Uri[] {
    const chosen = this.context.globalState.get<string>(CHOSEN_KEY);
    const userFolders = userModelPaths().filter((p) => (p.trim().startsWith('/') || /^[a-zA-Z]:[\\/]|^~/.test(p.trim())))
      .map(resolveFolder);
    return [...(chosen ? [vscode.Uri.parse(chosen)] : []), ...userFolders];
  }

  async choose(entry: ModelEntry): Promise<void> {
    await this.context.globalState.update(CHOSEN_KEY, entry.bundled ? undefined : entry.dir.toString());
    this.remembered = undefined;                      // the same folder chosen again is read again
  }
}

export function resolveFolder(path: string): vscode.Uri {
  const trimmed = path.trim().replace(/^~(?=$|\/)/, process.env.HOME ?? '~');
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(trimmed)) return vscode.Uri.parse(trimmed);
  if (trimmed.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(trimmed)) return vscode.Uri.file(trimmed);
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  return base ? vscode.Uri.joinPath(base, trimmed) : vscode.Uri.file(trimmed);
}

async function readManifest(dir: vscode.Uri): Promise<ModelManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'manifest.json'));
  } catch {
    throw new Error(vscode.l10n.t('No model package in {0}: the folder or its manifest.json does not exist.', dir.fsPath));
  }
  // Errors name the manifest and the field; they never quote the file (JSON.parse's own messages do).
  const file = packageFileLabel(dir.scheme === 'file' ? dir.fsPath : dir.toString(), 'manifest.json');
  return validateManifest(parseJsonFile(bytes, file), file);
}
