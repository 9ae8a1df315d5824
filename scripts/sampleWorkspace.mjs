// What `npm start` serves (scripts/start.mjs), shared with the first-run end-to-end scenario so that the test runs
// exactly this: a workspace holding the sample post, user settings that let the walkthrough open on first start, and
// the address that opens the post in the editor (VS Code for the web's `payload` parameter, key `openFile`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_FILE = 'attention-blog.md';

/** startCodeServer() options for the sample workspace; `vsix`: the packaged extension. */
export function sampleServerOptions(repoRoot, vsix) {
  return {
    vsix,
    workspaceFiles: { [SAMPLE_FILE]: readFileSync(join(repoRoot, 'media/sample', SAMPLE_FILE)) },
    settings: { 'workbench.startupEditor': 'none' },
    userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.welcomePage.walkthroughs.openOnInstall': true },
    startTimeout: 120_000,
  };
}

/** The workbench address that also opens the sample post (a file of the remote workspace: vscode-remote://host/path). */
export function sampleUrl(server) {
  const file = `vscode-remote://127.0.0.1:${server.port}${join(server.workspace, SAMPLE_FILE)}`;
  return `${server.url}&payload=${encodeURIComponent(JSON.stringify([['openFile', file]]))}`;
}
