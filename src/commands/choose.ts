// Choose Translation Direction and Choose Model: quick picks that write the settings / the chosen package.
import * as vscode from 'vscode';
import { LANG_NAMES, LANGS, type TargetSetting } from '../shared/manifest';
import { readSettings, setTargetLanguage } from '../config';
import type { ModelRegistry } from '../models/registry';
import { verifyPackageFiles } from '../models/packageVerifier';

export async function chooseDirection(): Promise<void> {
  const current = readSettings().targetLanguage;
  const options: { label: string; description: string; value: TargetSetting }[] = [
    { label: vscode.l10n.t('Automatic'), description: vscode.l10n.t('Korean → English, English → Korean, German → English'), value: 'auto' },
    ...LANGS.map((l) => ({ label: vscode.l10n.t('Into {0}', vscode.l10n.t(LANG_NAMES[l])), description: l, value: l })),
  ];
  const items = options.map((i) => ({ ...i, picked: i.value === current, detail: i.value === current ? vscode.l10n.t('current') : undefined }));
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Translate into which language?') });
  if (pick) await setTargetLanguage(pick.value);
}

export async function chooseModel(registry: ModelRegistry): Promise<boolean> {
  const { entries, problems } = await registry.all(readSettings().modelPaths);
  for (const p of problems) void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: {0}', p));
  const current = await registry.current().catch(() => undefined);
  const pick = await vscode.window.showQuickPick(entries.map((e) => ({
    label: e.manifest.id,
    description: e.bundled ? vscode.l10n.t('bundled') : e.dir.fsPath,
    detail: [e.manifest.description, e.manifest.training?.config && `config ${e.manifest.training.config}`]
      .filter(Boolean).join(' · '),
    picked: current?.dir.toString() === e.dir.toString(),
    entry: e,
  })), { title: vscode.l10n.t('Choose the translation model') });
  if (!pick) return false;
  // Checked before it becomes the choice: a damaged package is named, and the model in use stays as it was.
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking model {0}…', pick.label) },
      () => verifyPackageFiles(pick.entry.dir, pick.entry.manifest));
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Attention Companion: {0} The model in use stays as it was.', (e as Error).message));
    return false;
  }
  await registry.choose(pick.entry);
  return true;
}
