// End-to-end harness: code-server (a real VS Code in a browser) + Debian's chromium driven by playwright-core.
// Recipe: ../shared/notes/vscode-e2e.md. Plain Node ESM, no build step.
//
// Every wait is bounded. Everything started here (code-server process groups, browsers, temp folders) is
// tracked, so that `cleanupAll()` (called by run.mjs in finally blocks and on SIGINT/SIGTERM) stops it all.
//
// The parts: harness/runtime.mjs (paths, waiting, teardown), harness/codeServer.mjs (starting code-server),
// harness/browser.mjs (chromium), harness/workbench.mjs (VS Code page objects), harness/webviews.mjs (webview frames).
export * from './harness/runtime.mjs';
export * from './harness/codeServer.mjs';
export * from './harness/browser.mjs';
export * from './harness/workbench.mjs';
export * from './harness/webviews.mjs';
