// Serves the packaged extension in code-server with a sample workspace until Ctrl+C (used by `npm start`). The
// address it prints opens the sample post; the extension opens its walkthrough beside it on first start.
import { join } from 'node:path';
import { repoRoot, startCodeServer, installSignalHandlers } from '../test/e2e/harness.mjs';
import { sampleServerOptions, sampleUrl, SAMPLE_FILE } from './sampleWorkspace.mjs';

installSignalHandlers();
const server = await startCodeServer(sampleServerOptions(repoRoot, join(repoRoot, 'dist/attention-companion.vsix')));
console.log(`\nAttention Companion is running in VS Code (code-server) at:\n\n  ${sampleUrl(server)}\n`);
console.log(`It opens ${SAMPLE_FILE} and the walkthrough "Get started with Attention Companion". Its first step selects a`);
console.log('sentence; then run "Attention Companion: Translate Selection" (Ctrl+K A) or "Show Attention for Selection"');
console.log('from the command palette (F1). Ctrl+C stops the server.');
process.stdin.resume();
