// A cancellable progress notification that appears only when the work outlasts a short delay.
import * as vscode from 'vscode';

/**
 * A warm translation ends in a few hundred milliseconds: a notification shown at once would flash and vanish, and
 * drawing it competes with the panel's paint (in code-server the webview shares the workbench's renderer thread:
 * docs/PERFORMANCE.md, "The progress notification after a delay"). Longer work (a model load, a long selection)
 * gets the same notification, cancel button included, this much later.
 */
export const PROGRESS_DELAY_MS = 600;

export interface DelayedProgress {
  /** As vscode.Progress.report: kept until the notification appears, then shown in it. */
  report(value: { message?: string; increment?: number }): void;
}

/**
 * Runs `task` with a progress notification (`title`, cancellable) shown `delayMs` after the start if the task has
 * not finished by then. `token` is cancelled by the notification's Cancel; the latest message and the increments so
 * far are shown as soon as it appears.
 */
export async function withProgressAfterDelay<T>(title: string, task: (progress: DelayedProgress, token: vscode.CancellationToken) => Promise<T>,
  delayMs = PROGRESS_DELAY_MS): Promise<T> {
  const cancel = new vscode.CancellationTokenSource();
  let message: string | undefined;
  let increment = 0;
  let shown: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const timer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => cancel.cancel());
      if (message !== undefined || increment > 0) progress.report({ message, increment });
      shown = progress;
      return finished;
    });
  }, delayMs);
  try {
    return await task({
      report: (value) => {
        if (value.message !== undefined) message = value.message;
        increment += value.increment ?? 0;
        shown?.report(value);
      },
    }, cancel.token);
  } finally {
    clearTimeout(timer);
    finish();
    cancel.dispose();
  }
}
