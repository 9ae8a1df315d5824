// Launching Debian's chromium (headless, fresh profile) through playwright-core, with console and HTTP errors kept
// for diagnostics.
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, firstLine, keep, track, withTimeout } from './runtime.mjs';

/**
 * Launches Debian's chromium, headless, with a fresh profile.
 * @param {object} o
 * @param {boolean} [o.webgpu]  add --enable-unsafe-webgpu (a SwiftShader software adapter here); without it no adapter
 * @returns {Promise<{context, page, close()}>}
 */
export async function openBrowser({ webgpu = false, viewport = { width: 1440, height: 900 }, timeout = 60_000 } = {}) {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} missing; run scripts/e2e/ensure-code-server.sh`);
  const profile = mkdtempSync(join(tmpdir(), 'ac-e2e-chromium-'));
  const removeProfile = () => { if (!keep) try { rmSync(profile, { recursive: true, force: true }); } catch {} };
  // Tracked from the start: an interrupt during the launch still removes the profile.
  const untrackLaunch = track({ kind: 'browser', name: 'chromium (launching)', close: async () => removeProfile(), syncKill: removeProfile });
  const args = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, args, viewport, timeout,
      // The persistent profile must not restore anything between runs: it is fresh anyway.
    });
  } catch (e) {
    untrackLaunch();
    removeProfile();
    throw e;
  }
  untrackLaunch();
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(60_000);
  const browserPid = (() => { try { return context.browser()?.process()?.pid; } catch { return undefined; } })();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    untrack();
    try { await withTimeout(context.close(), 10_000, 'closing chromium'); }
    catch { if (browserPid) try { process.kill(browserPid, 'SIGKILL'); } catch {} }
    removeProfile();
  };
  const untrack = track({ kind: 'browser', name: `chromium${webgpu ? ' (webgpu)' : ''}`, close,
    syncKill: () => { if (browserPid) try { process.kill(browserPid, 'SIGKILL'); } catch {} removeProfile(); } });
  const page = context.pages()[0] ?? await context.newPage();
  /** Console messages and page errors, for diagnostics. */
  const consoleLines = [];
  page.on('console', (m) => { consoleLines.push(`[${m.type()}] ${m.text()}`); if (consoleLines.length > 500) consoleLines.shift(); });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${firstLine(e)}`));
  /** HTTP errors of the page and its webviews (vsda, VS Code's closed-source signing module, is always missing). */
  const failedRequests = [];
  context.on('response', (r) => {
    if (r.status() >= 400 && !/\/vsda\//.test(r.url())) { failedRequests.push(`${r.status()} ${r.url()}`); if (failedRequests.length > 100) failedRequests.shift(); }
  });
  context.on('requestfailed', (r) => { if (/\/vsda\//.test(r.url())) return; failedRequests.push(`failed (${r.failure()?.errorText}) ${r.url()}`); if (failedRequests.length > 100) failedRequests.shift(); });
  return { context, page, close, consoleLines, failedRequests, webgpu };
}
