// Errors that a setting can fix carry an "Open Settings" button that opens the Settings editor on that setting.
import * as vscode from 'vscode';

/** Opens the Settings editor filtered to `setting` (e.g. "attentionCompanion.maxInputLength"). */
export function openSetting(setting: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', setting);
}

/**
 * Shows `message` as an error with "Open Settings" (opening `setting`) after the `actions` given; resolves to the
 * action chosen (not "Open Settings", which it handles), or undefined.
 */
export async function showSettingError(message: string, setting: string, ...actions: string[]): Promise<string | undefined> {
  const open = vscode.l10n.t('Open Settings');
  const choice = await vscode.window.showErrorMessage(message, ...actions, open);
  if (choice === open) {
    await openSetting(setting);
    return undefined;
  }
  return choice;
}
