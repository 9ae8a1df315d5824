// Choose Translation Direction and Choose Model: quick picks that write the settings / the chosen package. The
// current choice is marked "current" and has the focus, so Enter keeps it.
import * as vscode from 'vscode';
import { LANG_NAMES, LANGS, type TargetSetting } from '../shared/manifest';
import { readSettings, SECTION, setTargetLanguage } from '../config';
import type { ModelRegistry } from '../models/registry';
import { verifyPackageFiles } from '../models/packageVerifier';
import { showSettingError } from './settingsLink';

/** A single-choice quick pick whose `current` item is marked and focused; resolves to the item chosen. */
async function pickOne<T extends vscode.QuickPickItem>(items: T[], isCurrent: (item: T) => boolean, title: string): Promise<T | undefined> {
  const marked = items.map((i) => (isCurrent(i) ? { ...i, description: [i.description, vscode.l10n.t('current')].filter(Boolean).join(' · ') } : i));
  const qp = vscode.window.createQuickPick<T>();
  qp.title = title;
  qp.items = marked;
  const current = marked.find((_, k) => isCurrent(items[k]));
  if (current) qp.activeItems = [current];
  return new Promise<T | undefined>((resolve) => {
    let chosen: T | undefined;
    qp.onDidAccept(() => { chosen = qp.selectedItems[0] ?? qp.activeItems[0]; qp.hide(); });
    qp.onDidHide(() => { qp.dispose(); resolve(chosen); });
    qp.show();
  });
}

export async function chooseDirection(): Promise<void> {
  const current = readSettings().targetLanguage;
  const options: (vscode.QuickPickItem & { value: TargetSetting })[] = [
    { label: vscode.l10n.t('Automatic'), description: vscode.l10n.t('Korean → English, English → Korean, German → English'), value: 'auto' },
    ...LANGS.map((l) => ({ label: vscode.l10n.t('Into {0}', vscode.l10n.t(LANG_NAMES[l])), description: l, value: l })),
  ];
  const pick = await pickOne(options, (i) => i.value === current, vscode.l10n.t('Translate into which language?'));
  if (pick) await setTargetLanguage(pick.value);
}

export async function chooseModel(registry: ModelRegistry): Promise<boolean> {
  const { entries, problems } = await registry.all(readSettings().modelPaths);
  for (const p of problems) void showSettingError(vscode.l10n.t('Attention Companion: {0}', p), `${SECTION}.modelPaths`);
  const current = await registry.current().catch(() => undefined);
  const items = entries.map((e) => ({
    label: e.manifest.id,
    description: e.bundled ? vscode.l10n.t('bundled') : e.dir.fsPath,
    detail: [e.manifest.description, e.manifest.training?.config && `config ${e.manifest.training.config}`]
      .filter(Boolean).join(' · '),
    entry: e,
  }));
  const pick = await pickOne(items, (i) => current?.dir.toString() === i.entry.dir.toString(), vscode.l10n.t('Choose the translation model'));
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
