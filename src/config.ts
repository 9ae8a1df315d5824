// The extension's settings, in one place: every read (with its default) and every write goes through here, so a
// setting's name, default and clamping are written once. Nothing else calls getConfiguration.
import * as vscode from 'vscode';
import type { TargetSetting } from './shared/manifest';
import type { BackendSetting } from './shared/results';
import type { SettingScopes } from './commands/figureDestination';

export type OutputSetting = 'panel' | 'replace' | 'insertBelow' | 'clipboard';

export interface Settings {
  targetLanguage: TargetSetting;
  backend: BackendSetting;
  beamSize: number;
  output: OutputSetting;
  modelPaths: string[];
  maxInputLength: number;
  hover: boolean;
  /** The engine webviews read the model's files over a loopback HTTP server (src/models/loopback.ts). */
  localFileServer: boolean;
  /** A cold Translate Selection's text comes from the extension host's text process (src/node/textProcess.ts). */
  firstTextFromHost: boolean;
}

export const SECTION = 'attentionCompanion';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    targetLanguage: c.get<TargetSetting>('targetLanguage', 'auto'),
    backend: c.get<BackendSetting>('backend', 'auto'),
    beamSize: Math.min(8, Math.max(1, c.get<number>('beamSize', 4))),
    output: c.get<OutputSetting>('output', 'panel'),
    modelPaths: c.get<string[]>('modelPaths', []).filter((p) => typeof p === 'string' && p.trim() !== ''),
    maxInputLength: c.get<number>('maxInputLength', 2000),
    hover: c.get<boolean>('hover.enabled', true),
    localFileServer: c.get<boolean>('localFileServer', true),
    firstTextFromHost: c.get<boolean>('firstTextFromHost', true),
  };
}

/** `figureFolder`: the effective value, and each scope's (a workspace may set it: figureDestination.ts decides). */
export function figureFolderSetting(): { value: string; scopes: SettingScopes<string> | undefined } {
  const c = vscode.workspace.getConfiguration(SECTION);
  return { value: c.get<string>('figureFolder', ''), scopes: c.inspect<string>('figureFolder') };
}

/**
 * `modelPaths` from the user's own settings only, never the workspace's: a workspace could list `/`, and the webview
 * may read every folder listed (ModelRegistry.webviewModelRoots).
 */
export function userModelPaths(): string[] {
  const paths = vscode.workspace.getConfiguration(SECTION).inspect<string[]>('modelPaths')?.globalValue ?? [];
  return paths.filter((p) => typeof p === 'string');
}

/** VS Code's own "open walkthroughs on install" (workbench.welcomePage.walkthroughs.openOnInstall); the first run honours it. */
export function walkthroughsOpenOnInstall(): boolean {
  return vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true) ?? true;
}

/** Writes the target language into the user's settings (Choose Translation Direction). */
export async function setTargetLanguage(value: TargetSetting): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('targetLanguage', value, vscode.ConfigurationTarget.Global);
}
