// Words for why the engine runs on its backend (src/engine/backendChoice.ts decides), for the status bar's tooltip.
import * as vscode from 'vscode';
import type { BackendChoice } from '../shared/results';

/** One sentence: which backend, and why (the setting, no adapter, a software adapter, a hardware adapter). */
export function backendReason(choice: BackendChoice): string {
  const adapter = choice.adapter ?? '';
  switch (choice.reason) {
    case 'setting':
      return choice.backend === 'webgpu'
        ? vscode.l10n.t('WebGPU on {0}, as the backend setting asks.', adapter)
        : vscode.l10n.t('WebAssembly, as the backend setting asks.');
    case 'noAdapter':
      return vscode.l10n.t('WebAssembly: this editor offers no WebGPU adapter.');
    case 'softwareAdapter':
      return vscode.l10n.t('WebAssembly: the only WebGPU adapter, {0}, is a software one, slower than WebAssembly.', adapter);
    case 'hardwareAdapter':
      return vscode.l10n.t('WebGPU on the hardware adapter {0}.', adapter);
  }
}
