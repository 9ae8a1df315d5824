// The "Attention Companion" output log: where each Translate Selection's time went (host, webview page, engine
// worker), as a readable breakdown and as one JSON line (the end-to-end scenario 60 reads it back from the log file).
import * as vscode from 'vscode';
import type { Timeline } from './shared/timeline';

let channel: vscode.LogOutputChannel | undefined;

function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Attention Companion', { log: true });
  return channel;
}

/** Writes `timeline` as a breakdown titled `what` ("Translate Selection, cold"). */
export function logTimeline(what: string, timeline: Timeline): void {
  const phases = timeline.phases();
  const total = phases.length ? phases[phases.length - 1].sinceStartMs : 0;
  log().info(`${what}: ${total.toFixed(0)} ms\n${timeline.format()}\ntimeline-json ${JSON.stringify({ what, marks: timeline.marks })}`);
}

/** One line of the log (work done ahead of a command: "package checked in the background"). */
export function logLine(message: string): void {
  log().info(message);
}

export function disposeTimingLog(): void {
  channel?.dispose();
  channel = undefined;
}
