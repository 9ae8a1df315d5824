// End-to-end harness: code-server (a real VS Code in a browser) + Debian's chromium driven by playwright-core.
// Recipe: ../shared/notes/vscode-e2e.md. Plain Node ESM, no build step.
//
// Every wait is bounded. Everything started here (code-server process groups, browsers, temp folders) is
// tracked, so that `cleanupAll()` (called by run.mjs in finally blocks and on SIGINT/SIGTERM) stops it all.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const resultsDir = process.env.E2E_RESULTS || join(repoRoot, 'test-results/e2e');
export const codeServerCache = process.env.AC_CACHE || join(repoRoot, '.cache/code-server');
export const codeServerEntry = join(codeServerCache, 'node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const keep = process.env.E2E_KEEP === '1';            // keep temp folders for debugging
const verbose = process.env.E2E_VERBOSE === '1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function log(...args) { if (verbose) console.error('[e2e]', ...args); }

/**
 * Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (throws with `message`).
 * Errors thrown by `fn` are retried, except those with `fatal: true`, which end the wait at once.
 */
export async function waitFor(fn, { timeout = 10_000, interval = 200, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e?.fatal) throw e;           // the condition can no longer become true
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${(timeout / 1000).toFixed(1)} s waiting for ${message}` +
        (lastErr ? ` (last error: ${firstLine(lastErr)})` : ''));
    }
    await sleep(interval);
  }
}

/** Rejects after `ms` with a message; the wrapped promise keeps running (callers tear down afterwards). */
export function withTimeout(promise, ms, what) {
  let t;
  const timer = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${(ms / 1000).toFixed(0)} s`)), ms); });
  return Promise.race([promise, timer]).finally(() => clearTimeout(t));
}

export function firstLine(e) { return String(e?.message ?? e).split('\n')[0]; }

// ---------------------------------------------------------------------------------------------------------
// Resource tracking and teardown

const live = new Set();          // { kind, name, syncKill(), close() }

function track(res) { live.add(res); return () => live.delete(res); }

/** Stops everything still running: browsers (async close, bounded), code-server groups, temp folders. */
export async function cleanupAll() {
  const all = [...live];
  // Browsers first (they talk to the servers), then servers.
  all.sort((a, b) => (a.kind === 'browser' ? -1 : 0) - (b.kind === 'browser' ? -1 : 0));
  for (const r of all) {
    try { await withTimeout(r.close(), 15_000, `closing ${r.name}`); } catch (e) { try { r.syncKill(); } catch {} }
    live.delete(r);
  }
}

/** Synchronous last resort (process 'exit'): SIGKILL every tracked process group. */
function killAllSync() {
  for (const r of live) { try { r.syncKill(); } catch {} }
}
process.on('exit', killAllSync);

let signalsInstalled = false;
/** Installs SIGINT/SIGTERM handlers that tear everything down, then exit 130/143. */
export function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.on(sig, () => {
      console.error(`\n[e2e] ${sig}: tearing down`);
      const hard = setTimeout(() => { killAllSync(); process.exit(code); }, 20_000);
      hard.unref();
      cleanupAll().finally(() => process.exit(code));
    });
  }
}

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}

function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------------------
// code-server

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/** Runs a command to completion with a time limit; resolves {code, stdout, stderr}. */
export function runProcess(cmd, args, { env = process.env, cwd = repoRoot, timeout = 120_000, input } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; if (verbose) process.stderr.write(d); });
    child.stderr.on('data', (d) => { stderr += d; if (verbose) process.stderr.write(d); });
    if (input != null) child.stdin.end(input); else child.stdin.end();
    const untrack = track({ kind: 'process', name: `${cmd} ${args.join(' ')}`,
      syncKill: () => killGroup(child.pid, 'SIGKILL'), close: async () => killGroup(child.pid, 'SIGKILL') });
    const t = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      rej(new Error(`${cmd} ${args.join(' ')}: timed out after ${timeout / 1000} s\n${(stdout + stderr).slice(-2000)}`));
    }, timeout);
    child.on('error', (e) => { clearTimeout(t); untrack(); rej(e); });
    child.on('close', (code) => { clearTimeout(t); untrack(); res({ code, stdout, stderr }); });
  });
}

const defaultUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'workbench.editor.enablePreview': false,
};

/**
 * Starts a fresh code-server.
 * @param {object} o
 * @param {string} [o.vsix]            .vsix to install (`--install-extension`) before starting
 * @param {Record<string,string|Buffer>} [o.workspaceFiles]  relative path -> content, written into the workspace folder
 * @param {object} [o.settings]        workspace settings (.vscode/settings.json)
 * @param {object} [o.userSettings]    extra user settings (merged over quiet defaults)
 * @param {number} [o.startTimeout]    ms to wait for /healthz (default 60 s)
 * @returns {Promise<{url, port, root, workspace, logFile, writeSettings(obj), readWorkspaceFile(rel), stop()}>}
 */
export async function startCodeServer(options = {}) {
  // code-server gives its child process 10 s to report in; on a loaded machine that fails now and then ("exited
  // early … error timed out"). Such a start is retried with fresh folders, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(options);
    } catch (e) {
      if (attempt >= 3 || !/exited early[\s\S]*error timed out/.test(String(e?.message))) throw e;
      log(`code-server start ${attempt} timed out inside code-server; retrying`);
    }
  }
}

async function startCodeServerOnce({ vsix, workspaceFiles = {}, settings = {}, userSettings = {}, startTimeout = 60_000 } = {}) {
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerEntry}; run scripts/e2e/ensure-code-server.sh`);
  }
  const root = mkdtempSync(join(tmpdir(), 'ac-e2e-'));
  const ud = join(root, 'user-data'), exts = join(root, 'extensions'), xdg = join(root, 'xdg'), ws = join(root, 'workspace');
  for (const d of [ud, exts, xdg, ws, join(ud, 'User'), join(ws, '.vscode')]) mkdirSync(d, { recursive: true });
  const user = { ...defaultUserSettings, ...userSettings };
  writeFileSync(join(ud, 'User/settings.json'), JSON.stringify(user, null, 2));
  // Machine-scoped settings reach the (remote) extension host only from the server's own settings file.
  const machineKeys = ['workbench.welcomePage.walkthroughs.openOnInstall'];
  mkdirSync(join(ud, 'Machine'), { recursive: true });
  writeFileSync(join(ud, 'Machine/settings.json'), JSON.stringify(Object.fromEntries(machineKeys.map((k) => [k, user[k]])), null, 2));
  for (const [rel, content] of Object.entries(workspaceFiles)) {
    const p = join(ws, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const settingsFile = join(ws, '.vscode/settings.json');
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const env = { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: join(root, 'xdg-data'), XDG_CACHE_HOME: join(root, 'xdg-cache') };
  delete env.VSCODE_IPC_HOOK_CLI;   // never talk to an outer VS Code
  const common = ['--extensions-dir', exts, '--user-data-dir', ud];
  const removeRoot = () => { if (!keep) try { rmSync(root, { recursive: true, force: true }); } catch {} };

  try {
    if (vsix) {
      const t0 = Date.now();
      const r = await runProcess(process.execPath, [codeServerEntry, ...common, '--install-extension', vsix, '--force'],
        { env, timeout: Number(process.env.E2E_INSTALL_TIMEOUT_S ?? 240) * 1000 });
      const out = r.stdout + r.stderr;
      if (r.code !== 0 || /failed|error/i.test(out) && !/successfully installed/i.test(out)) {
        const why = out.split('\n').find((l) => /error|failed/i.test(l))?.trim() ?? 'see below';
        throw new Error(`installing ${vsix} failed (exit ${r.code}): ${why}\n${out.slice(-2000)}`);
      }
      log(`installed ${vsix} in ${Date.now() - t0} ms`);
    }
  } catch (e) { removeRoot(); throw e; }

  const port = await freePort();
  const logFile = join(root, 'code-server.log');
  const fd = openSync(logFile, 'a');
  // detached: true = setsid(2): the server, its extension host and everything under it share one process group.
  const child = spawn(process.execPath, [codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', ...common, ws], { env, cwd: root, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const pid = child.pid;
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    try {
      await waitFor(() => !groupAlive(pid), { timeout: 5_000, interval: 100, message: 'code-server to exit' });
    } catch {
      killGroup(pid, 'SIGKILL');
      await waitFor(() => !groupAlive(pid), { timeout: 5_000, interval: 100, message: 'code-server to die' }).catch(() => {});
    }
    untrack();
    removeRoot();
  };
  const untrack = track({ kind: 'server', name: `code-server :${port}`,
    syncKill: () => { killGroup(pid, 'SIGKILL'); removeRoot(); }, close: stop });

  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`;
  try {
    await waitFor(async () => {
      if (exited) throw Object.assign(new Error(`code-server exited early (${JSON.stringify(exited)})`), { fatal: true });
      const ctl = new AbortController();
      const t = setTimeout(() => ctl.abort(), 2_000);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: ctl.signal });
        return r.ok;
      } finally { clearTimeout(t); }
    }, { timeout: startTimeout, interval: 250, message: `code-server /healthz on port ${port}` });
  } catch (e) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    await stop();
    throw new Error(`${firstLine(e)}\n--- code-server log ---\n${tail}`);
  }
  log(`code-server up at ${url} (pid ${pid}, root ${root})`);

  return {
    url, port, pid, root, workspace: ws, logFile,
    /** Rewrites .vscode/settings.json; the running VS Code picks the change up (file watcher). */
    writeSettings(obj) { writeFileSync(settingsFile, JSON.stringify(obj, null, 2)); },
    readWorkspaceFile(rel) { return readFileSync(join(ws, rel), 'utf8'); },
    /** Waits (bounded) until the workspace file's text satisfies `test` (RegExp, substring or function); returns it. */
    async waitForFile(rel, test, { timeout = 10_000 } = {}) {
      const ok = test instanceof RegExp ? (t) => test.test(t) : typeof test === 'function' ? test : (t) => t.includes(test);
      let last = '';
      return waitFor(() => { last = existsSync(join(ws, rel)) ? readFileSync(join(ws, rel), 'utf8') : ''; return ok(last) ? last : null; },
        { timeout, interval: 100, message: `${rel} on disk to match ${test}` });
    },
    writeWorkspaceFile(rel, content) { const p = join(ws, rel); mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, content); },
    log() { return existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''; },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Browser

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

// ---------------------------------------------------------------------------------------------------------
// Page objects (VS Code workbench)

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget input.input';
const QUICK_ROW = '.quick-input-list .monaco-list-row';

/** Navigates to the workbench (when `url` is given) and waits until it is rendered and usable. */
export async function waitForWorkbench(page, { url, timeout = 60_000 } = {}) {
  if (url) await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout });
  // The status bar and the activity bar come last; the explorer shows the folder once the workspace loads.
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout });
  await page.locator('.explorer-folders-view, .monaco-workbench .part.sidebar').first().waitFor({ state: 'attached', timeout });
}

async function closeQuickInput(page) {
  for (let i = 0; i < 3; i++) {
    if (!(await page.locator(QUICK_INPUT).isVisible().catch(() => false))) return;
    await page.keyboard.press('Escape');
    await sleep(100);
  }
}

function normalize(s) { return String(s ?? '').replace(/\s+/g, ' ').trim(); }

/** The label of a quick-pick row (without keybinding/description decorations). */
async function rowLabels(page) {
  return page.locator(QUICK_ROW).evaluateAll((rows) => rows.map((r) => {
    const label = r.querySelector('.label-name') ?? r.querySelector('.monaco-icon-label') ?? r;
    const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
    return { label: norm(label.textContent), aria: r.getAttribute('aria-label') ?? '', text: norm(r.textContent),
      focused: r.classList.contains('focused') };
  }));
}

/**
 * Opens the quick input (F1), types `text`, waits (bounded) for a row whose label satisfies `match`, and accepts it:
 * Enter when it is the focused row, otherwise a click. Retries (bounded) because contributed commands and
 * file search results appear late.
 */
async function quickPick(page, text, match, { timeout = 30_000, what = text } = {}) {
  const deadline = Date.now() + timeout;
  let lastSeen = [];
  let attempt = 0;
  while (Date.now() < deadline) {
    attempt++;
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    const box = page.locator(QUICK_INPUT_BOX);
    if (!(await box.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) {
      // F1 went nowhere (focus inside a webview or a widget that ate it): give the focus back to the workbench.
      await page.evaluate(() => { document.activeElement?.blur?.(); document.body.focus(); }).catch(() => {});
      continue;
    }
    await box.fill(text);
    // Wait up to 3 s (per attempt) for the row.
    const rowDeadline = Math.min(deadline, Date.now() + 3_000);
    let idx = -1;
    while (Date.now() < rowDeadline) {
      lastSeen = await rowLabels(page).catch(() => []);
      idx = lastSeen.findIndex((r) => match(r.label));
      if (idx >= 0) break;
      await sleep(150);
    }
    if (idx < 0) continue;
    if (lastSeen[idx].focused || idx === 0) await page.keyboard.press('Enter');
    else await page.locator(QUICK_ROW).nth(idx).click({ timeout: 5_000 });
    // Accepted when the quick input closes (or shows something else: a command may open its own quick pick).
    const closed = await waitFor(async () => {
      if (!(await page.locator(QUICK_INPUT).isVisible().catch(() => false))) return true;
      const v = await box.inputValue().catch(() => '');
      return v !== text;
    }, { timeout: 3_000, interval: 100 }).then(() => true, () => false);
    if (closed) { log(`quick pick "${what}" accepted on attempt ${attempt}`); return; }
  }
  await closeQuickInput(page);
  throw new Error(`quick pick: no row matching "${what}" within ${(timeout / 1000).toFixed(0)} s` +
    ` (last rows: ${lastSeen.slice(0, 5).map((r) => JSON.stringify(r.label)).join(', ') || 'none'})`);
}

/** Runs a command from the palette by its full title, e.g. "Attention Companion: Translate Selection". */
export async function runCommand(page, title, { timeout = 30_000 } = {}) {
  const want = normalize(title).toLowerCase();
  await quickPick(page, '>' + title, (label) => label.toLowerCase() === want, { timeout, what: title });
}

/**
 * After a command opened its own quick pick: chooses the first row whose label contains `label` (or matches a
 * RegExp); when no label matches, the first row whose whole text (description, detail) does. Returns the row.
 */
export async function pickQuickItem(page, label, { timeout = 15_000 } = {}) {
  const test = label instanceof RegExp ? (s) => label.test(s) : (s) => s.toLowerCase().includes(String(label).toLowerCase());
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout });
  let seen = [];
  const rows = await waitFor(async () => {
    const rs = seen = await rowLabels(page);
    let i = rs.findIndex((r) => test(r.label));
    if (i < 0) i = rs.findIndex((r) => test(r.text) || test(r.aria));
    return i >= 0 ? { i, rs } : null;
  }, { timeout, message: `quick pick item ${label}` }).catch((e) => {
    throw new Error(`${firstLine(e)} (rows: ${seen.slice(0, 8).map((r) => JSON.stringify(r.label)).join(', ') || 'none'})`);
  });
  await page.locator(QUICK_ROW).nth(rows.i).click({ timeout: 5_000 });
  await waitFor(async () => !(await page.locator(QUICK_INPUT).isVisible()), { timeout: 5_000, message: 'quick pick to close' }).catch(() => {});
  return rows.rs[rows.i];
}

/** Closes a quick input that a command left open (Escape, bounded). */
export async function dismissQuickInput(page) { await closeQuickInput(page); }

/** Opens a workspace file by name through quick open (file search), and waits for its tab to be active. */
export async function openFile(page, name, { timeout = 30_000 } = {}) {
  const base = name.split('/').pop();
  // Already open: activate its tab (keeps the editor in its group; does not cover a panel beside it).
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  if (await tab.count()) {
    await tab.first().click({ timeout: 5_000 });
    await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: 10_000 });
    return;
  }
  // A top-level file shown in the Explorer: click it (fast); otherwise quick open (file search, slower when cold).
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  const inExplorer = !name.includes('/') &&
    await row.first().waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
  if (inExplorer) await row.first().click({ timeout: 5_000 });
  else await quickPick(page, name, (label) => label === base, { timeout, what: `file ${name}` });
  // Generous: on a loaded machine a first editor takes long to open.
  await page.locator(`.tabs-container .tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`)
    .waitFor({ state: 'visible', timeout: 30_000 });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: 30_000 });
}

/** The active text editor (the one in the active editor group). */
export function activeEditor(page) {
  return page.locator('.editor-group-container.active .monaco-editor:not(.inline-diff-editor)').first();
}

/**
 * Focuses the active text editor without moving its cursor or selection: focuses its input element
 * (EditContext div or the classic textarea); falls back to clicking the active tab.
 */
export async function focusEditor(page) {
  const ed = activeEditor(page);
  await ed.waitFor({ state: 'visible', timeout: 10_000 });
  const focused = () => ed.evaluate((e) => e.contains(document.activeElement));
  if (await focused()) return;
  await ed.locator('.native-edit-context, textarea.inputarea').first().evaluate((e) => e.focus()).catch(() => {});
  if (await focused()) return;
  await page.locator('.editor-group-container.active .tabs-container .tab.active').first().click({ timeout: 5_000 });
  await waitFor(focused, { timeout: 5_000, message: 'the editor to take focus' });
}

/**
 * Selects the first occurrence of `text` in the active editor: Find widget (Ctrl+F), type, Enter to land on it,
 * Escape (the match stays selected). Verified by reading the editor's "Selection" status bar entry
 * (e.g. "Ln 3, Col 1 (12 selected)").
 */
export async function selectText(page, text, { timeout = 15_000 } = {}) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');          // search from the top: first occurrence
  await waitFor(async () => /^Ln 1, Col 1$/.test((await selectionStatus(page)) ?? ''), { timeout: 5_000, message: 'cursor at the start' });
  await page.keyboard.press('Control+f');
  const find = activeEditor(page).locator('.find-widget .find-part .input');
  await find.waitFor({ state: 'visible', timeout });
  // Clear first: the widget keeps the last search, and filling in the same text again would not search (nor select).
  await find.fill('');
  await find.fill(text);
  // The match count appears once the search ran ("1 of 3"); "No results" means the text is not there.
  const matches = activeEditor(page).locator('.find-widget .matchesCount');
  const count = await waitFor(async () => {
    const t = normalize(await matches.textContent());
    return t && t !== '?' ? t : null;
  }, { timeout, message: `find widget results for ${JSON.stringify(text)}` });
  if (/no results/i.test(count)) throw new Error(`selectText: ${JSON.stringify(text)} not found in the active editor`);
  // Escape closes the widget; the editor keeps the match selected.
  const widget = activeEditor(page).locator('.find-widget.visible');
  await waitFor(async () => {
    if (!(await widget.count())) return true;
    await page.keyboard.press('Escape');
    await sleep(150);
    return !(await widget.count());
  }, { timeout: 5_000, interval: 50, message: 'the find widget to close' });
  // Find-as-you-type selects the current match; check the selection length reported by the status bar.
  const want = [...text].length;
  await waitFor(async () => {
    const sel = await selectionStatus(page);
    const m = /\((\d+) selected\)/.exec(sel ?? '');
    return m && Number(m[1]) === want;
  }, { timeout: 5_000, message: `a selection of ${want} characters (status bar: ${await selectionStatus(page)})` });
}

/** Removes the selection: cursor to the start of the document. */
export async function clearSelection(page) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');
  await waitFor(async () => !/selected/.test((await selectionStatus(page)) ?? ''), { timeout: 5_000, message: 'no selection' });
}

/** The editor's cursor/selection status bar entry, e.g. "Ln 1, Col 1" or "Ln 3, Col 9 (12 selected)". */
export async function selectionStatus(page) {
  const item = page.locator('#status\\.editor\\.selection');
  if (!(await item.count())) return null;
  return normalize(await item.textContent({ timeout: 2_000 }).catch(() => null));
}

/**
 * Saves the active editor (Ctrl+S) and waits until its tab is no longer marked dirty. The write to disk lands
 * a little later (and the dirty mark itself is set asynchronously): read the file with `server.waitForFile`.
 */
export async function saveActive(page) {
  await focusEditor(page);
  await page.keyboard.press('Control+s');
  await waitFor(async () => !(await page.locator('.tabs-container .tab.active.dirty').count()), { timeout: 10_000, message: 'save' });
}

/** The visible text of the active editor (only the rendered lines: fine for short documents). */
export async function editorText(page) {
  const lines = await activeEditor(page).locator('.view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
}

/**
 * A webview's content frame (two frames down: the outer iframe.webview, then iframe#active-frame).
 * `titleOrIndex`: a panel title (its editor tab is activated first, then the visible webview is used),
 * or an index among the ready webviews (default 0).
 */
export async function webviewFrame(page, titleOrIndex = 0, { timeout = 30_000 } = {}) {
  if (typeof titleOrIndex === 'string') {
    const exact = new RegExp(`^\\s*${titleOrIndex.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: exact }) });
    await waitFor(async () => (await tab.count()) > 0, { timeout, message: `a tab titled "${titleOrIndex}"` });
    // Several tabs with that title: prefer the active tab of the active group, then any active tab, then the first.
    const inActiveGroup = page.locator('.editor-group-container.active .tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: exact }) });
    const activeTab = page.locator('.tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: exact }) });
    const t = (await inActiveGroup.count()) ? inActiveGroup.first() : (await activeTab.count()) ? activeTab.last() : tab.first();
    if (!(await t.evaluate((el) => el.classList.contains('active')))) await t.click({ timeout: 5_000 });
    // Tab active in its group; several groups may each show a webview: pick the one in the tab's group.
    const outer = await waitFor(async () => {
      const frames = page.locator('iframe.webview.ready');
      const n = await frames.count();
      const tabBox = await t.boundingBox();
      for (let i = 0; i < n; i++) {
        const f = frames.nth(i);
        if (!(await f.isVisible())) continue;
        const box = await f.boundingBox();
        // The webview sits below its tab, horizontally within the same group.
        if (box && tabBox && tabBox.x + 1 >= box.x - 2 && tabBox.x < box.x + box.width && box.y >= tabBox.y) return f;
      }
      return null;
    }, { timeout, message: `the webview of "${titleOrIndex}" to be visible and ready` });
    return outer.contentFrame().locator('iframe#active-frame').contentFrame();
  }
  const outer = page.locator('iframe.webview.ready').nth(titleOrIndex);
  await outer.waitFor({ state: 'attached', timeout });
  return outer.contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * The content frame of a ready webview (an editor panel or a view in the sidebar/panel, which has no tab) whose
 * document has a visible element matching `selector`: a playwright Frame (it has `locator()` like a FrameLocator).
 * Waits (bounded) until one exists; the webview's script may still be building its DOM.
 */
export async function webviewFrameWith(page, selector, { timeout = 30_000 } = {}) {
  return waitFor(async () => {
    for (const fr of page.frames()) {
      if (fr === page.mainFrame() || fr.isDetached()) continue;
      // Webview content: the inner iframe#active-frame of an iframe.webview (both origins are vscode-cdn/webview hosts).
      if (!fr.parentFrame() || fr.parentFrame() === page.mainFrame()) continue;
      const el = fr.locator(selector).first();
      if ((await el.count().catch(() => 0)) && (await el.isVisible().catch(() => false))) return fr;
    }
    return null;
  }, { timeout, interval: 250, message: `a webview whose document shows ${selector}` });
}

/**
 * Places the mouse over the characters [from, to) of the first visible line of the active editor whose text
 * (whitespace-normalized) matches `lineTest` (a RegExp or a substring); returns that point {x, y}.
 * The position is measured with a DOM Range over the line's text nodes (decorations split a line into spans).
 */
export async function hoverEditorText(page, lineTest, from, to, { timeout = 10_000 } = {}) {
  const ed = activeEditor(page);
  const spec = lineTest instanceof RegExp ? { re: lineTest.source, flags: lineTest.flags } : { sub: String(lineTest) };
  const box = await waitFor(() => ed.locator('.view-lines').evaluate((root, { spec, from, to }) => {
    const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
    const test = spec.re !== undefined ? (t) => new RegExp(spec.re, spec.flags).test(t) : (t) => t.includes(spec.sub);
    const lines = [...root.querySelectorAll('.view-line')].sort((a, b) => (parseFloat(a.style.top) || 0) - (parseFloat(b.style.top) || 0));
    const line = lines.find((l) => test(norm(l.textContent)));
    if (!line) return null;
    // Walk the text nodes to the character offsets (counted in UTF-16 units of the rendered text).
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let pos = 0, started = false;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const len = n.textContent.length;
      if (!started && from < pos + len) { range.setStart(n, from - pos); started = true; }
      if (started && to <= pos + len) { range.setEnd(n, to - pos); break; }
      pos += len;
    }
    if (!started) return null;
    const r = range.getBoundingClientRect();
    return r.width > 0 ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : null;
  }, { spec, from, to }), { timeout, message: `a line matching ${lineTest} in the active editor` });
  // Two moves: the hover controller reacts to mousemove events inside the text.
  await page.mouse.move(box.x - 3, box.y);
  await page.mouse.move(box.x, box.y, { steps: 3 });
  return box;
}

/** Screenshot of one element (e.g. the sidebar) into test-results/e2e/<name>.png; returns the path. */
export async function screenshotOf(locator, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await locator.screenshot({ path: file, timeout: 15_000 });
  return file;
}

/** Texts of the visible notification toasts (messages only), newest last. */
export async function notificationText(page) {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** Waits (bounded) for a toast whose message matches `re` (RegExp or substring); returns its text. */
export async function waitForNotification(page, re, { timeout = 30_000 } = {}) {
  const test = re instanceof RegExp ? (s) => re.test(s) : (s) => s.includes(re);
  return waitFor(async () => (await notificationText(page)).find(test), { timeout, message: `a notification matching ${re}` });
}

/** Closes all notification toasts (Clear All Notifications). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
}

/** Texts of the status bar items (icons excluded), left to right. */
export async function statusBarText(page) {
  return page.locator('#workbench\\.parts\\.statusbar .statusbar-item').evaluateAll((els) => els
    .map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean));
}

/** Waits (bounded) for a status bar item matching `re`; returns its text. */
export async function waitForStatusBar(page, re, { timeout = 30_000 } = {}) {
  const test = re instanceof RegExp ? (s) => re.test(s) : (s) => s.includes(re);
  let seen = [];
  try {
    return await waitFor(async () => (seen = await statusBarText(page)).find(test), { timeout, message: `a status bar item matching ${re}` });
  } catch (e) {
    throw new Error(`${e.message}; the status bar shows: ${JSON.stringify(seen)}`);
  }
}

/**
 * Chooses an option in a <select> or a webview-ui-toolkit <vscode-dropdown> inside a webview frame, the way a user
 * does (select / click the dropdown, click the option). `option`: a value, a label (exact, then substring), or
 * {index: n}. Returns {value, label} of the chosen option.
 */
export async function chooseOption(frame, selector, option, { timeout = 10_000 } = {}) {
  const el = frame.locator(selector).first();
  await el.waitFor({ state: 'visible', timeout });
  const tag = await el.evaluate((e) => e.tagName.toLowerCase());
  const optSel = tag === 'select' ? 'option' : 'vscode-option, [role="option"]';
  const opts = el.locator(optSel);
  const all = await opts.evaluateAll((os) => os.map((o) => ({ value: String(o.value ?? o.getAttribute('value') ?? ''),
    label: (o.textContent ?? '').replace(/\s+/g, ' ').trim() })));
  let i;
  if (option && typeof option === 'object' && 'index' in option) i = option.index;
  else {
    const want = String(option);
    i = all.findIndex((o) => o.value === want);
    if (i < 0) i = all.findIndex((o) => o.label === want);
    if (i < 0) i = all.findIndex((o) => o.label.includes(want));
  }
  if (!(i >= 0 && i < all.length)) {
    throw new Error(`chooseOption: no option ${JSON.stringify(option)} in ${selector} (have ${all.map((o) => o.label).join(', ')})`);
  }
  if (tag === 'select') {
    await el.selectOption({ index: i }, { timeout });
  } else {
    await el.click({ timeout });
    await opts.nth(i).click({ timeout });
  }
  await waitFor(async () => (await el.evaluate((e) => String(e.value))) === all[i].value,
    { timeout: 5_000, message: `${selector} to take the value ${all[i].value}` });
  return all[i];
}

/** Canvas pixels as a data URL (inside a webview frame), for before/after comparisons. */
export async function canvasDataUrl(frame, selector) {
  return frame.locator(selector).first().evaluate((c) => c.toDataURL('image/png'));
}

/** Screenshot of the whole page into test-results/e2e/<name>.png; returns the path. */
export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}
