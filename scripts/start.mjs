// Serves the packaged extension in code-server with a sample workspace until Ctrl+C (used by `npm start`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startCodeServer, installSignalHandlers } from '../test/e2e/harness.mjs';

installSignalHandlers();
const sample = readFileSync(join(repoRoot, 'media/sample/attention-blog.md'));
const server = await startCodeServer({
  vsix: join(repoRoot, 'dist/attention-companion.vsix'),
  workspaceFiles: { 'attention-blog.md': sample },
  settings: { 'workbench.startupEditor': 'none' },
  userSettings: { 'workbench.colorTheme': 'Default Dark Modern' },
  startTimeout: 120_000,
});
console.log(`\nAttention Companion is running in VS Code (code-server) at:\n\n  ${server.url}\n`);
console.log('Open attention-blog.md from the Explorer, select a sentence, then run "Attention Companion: Translate Selection"');
console.log('or "Attention Companion: Show Attention for Selection" from the command palette (F1). Ctrl+C stops the server.');
process.stdin.resume();
