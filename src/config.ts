// Reads the extension's settings with their defaults, in one place.
import * as vscode from 'vscode';
import type { TargetSetting } from './shared/manifest';
import type { BackendSetting } from './shared/results';

export type OutputSetting = 'panel' | 'replace' | 'insertBelow' | 'clipboard';

export interface Settings {
  targetLanguage: TargetSetting;
  backend: BackendSetting;
  beamSize: number;
  output: OutputSetting;
  modelPaths: string[];
  maxInputLength: number;
  hover: boolean;
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
  };
}
