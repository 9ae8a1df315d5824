// Starting code-server (a real VS Code served to a browser) in fresh folders with the extension installed, and
// running other processes with a time limit. Recipe: /work/shared/notes/vscode-e2e.md.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { codeServerEntry, firstLine, groupAlive, keep, killGroup, log, repoRoot, track, verbose, waitFor } from './runtime.mjs';

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
 * Runs code-server on prepared folders until /healthz answers. Returns {port, pid, stop(), track(close, remove)}:
 * stop() ends its process group (the folders stay); track() hands the running server to the teardown. Throws with
 * `exitedEarly` when code-server quit before it answered (its process group is gone then).
 */
async function serve({ env, common, root, ws, logFile, startTimeout, restricted }) {
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  // detached: true = setsid(2): the server, its extension host and everything under it share one process group.
  const child = spawn(process.execPath, [codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', ...(restricted ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--ignore-last-opened', ...common, ws], { env, cwd: root, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const pid = child.pid;
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });

  let stopped = false;
  let untrack = track({ kind: 'server', name: `code-server :${port} (starting)`, syncKill: () => killGroup(pid, 'SIGKILL'), close: () => stop() });
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
  };
  try {
    await waitFor(async () => {
      if (exited) throw Object.assign(new Error(`code-server exited early (${JSON.stringify(exited)})`), { fatal: true, exitedEarly: true });
      const ctl = new AbortController();
      const t = setTimeout(() => ctl.abort(), 2_000);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: ctl.signal });
        return r.ok;
      } finally { clearTimeout(t); }
    }, { timeout: startTimeout, interval: 250, message: `code-server /healthz on port ${port}` });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port, pid, stop,
    track(close, remove) {
      untrack();
      untrack = track({ kind: 'server', name: `code-server :${port}`, syncKill: () => { killGroup(pid, 'SIGKILL'); remove(); }, close });
    },
  };
}

/**
 * Starts a fresh code-server.
 * @param {object} o
 * @param {string} [o.vsix]            .vsix to install (`--install-extension`) before starting
 * @param {Record<string,string|Buffer>} [o.workspaceFiles]  relative path -> content, written into the workspace folder
 * @param {object} [o.settings]        workspace settings (.vscode/settings.json)
 * @param {object} [o.userSettings]    extra user settings (merged over quiet defaults)
 * @param {number} [o.startTimeout]    ms to wait for /healthz (default 60 s)
 * @param {boolean} [o.restricted]     workspace trust on, and the workspace not trusted: Restricted Mode (no prompt)
 * @returns {Promise<{url, port, root, workspace, logFile, writeSettings(obj), readWorkspaceFile(rel), stop()}>}
 */
export async function startCodeServer({ vsix, workspaceFiles = {}, settings = {}, userSettings = {}, startTimeout = 60_000, restricted = false } = {}) {
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerEntry}; run scripts/e2e/ensure-code-server.sh`);
  }
  const root = mkdtempSync(join(tmpdir(), 'ac-e2e-'));
  const ud = join(root, 'user-data'), exts = join(root, 'extensions'), xdg = join(root, 'xdg'), ws = join(root, 'workspace');
  for (const d of [ud, exts, xdg, ws, join(ud, 'User'), join(ws, '.vscode')]) mkdirSync(d, { recursive: true });
  const trust = restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always' } : {};
  const user = { ...defaultUserSettings, ...trust, ...userSettings };
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
        { env, timeout: 240_000 });   // minutes when other jobs share the two cores
      const out = r.stdout + r.stderr;
      if (r.code !== 0 || /failed|error/i.test(out) && !/successfully installed/i.test(out)) {
        const why = out.split('\n').find((l) => /error|failed/i.test(l))?.trim() ?? 'see below';
        throw new Error(`installing ${vsix} failed (exit ${r.code}): ${why}\n${out.slice(-2000)}`);
      }
      log(`installed ${vsix} in ${Date.now() - t0} ms`);
    }
  } catch (e) { removeRoot(); throw e; }

  // code-server gives its VS Code process 10 s to report ready, else exits with "timed out" (its wrapper.js): on a
  // loaded machine that happens now and then, and a later start usually makes it (three tries).
  const logFile = join(root, 'code-server.log');
  let server;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await serve({ env, common, root, ws, logFile, startTimeout, restricted });
    } catch (e) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      if (attempt < 3 && e.exitedEarly && /\berror timed out\b/.test(tail)) { log(`code-server timed out starting; trying again`); continue; }
      removeRoot();
      throw new Error(`${firstLine(e)}\n--- code-server log ---\n${tail}`);
    }
  }
  const { port, pid } = server;
  const stop = async () => { await server.stop(); removeRoot(); };
  server.track(stop, removeRoot);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`;
  log(`code-server up at ${url} (pid ${pid}, root ${root})`);

  return {
    url, port, pid, root, workspace: ws, logFile,
    /** Rewrites .vscode/settings.json; the running VS Code picks the change up (file watcher). */
    writeSettings(obj) { writeFileSync(settingsFile, JSON.stringify(obj, null, 2)); },
    /** Rewrites the user's settings.json (merged over the quiet defaults); the running VS Code picks the change up. */
    writeUserSettings(obj) { writeFileSync(join(ud, 'User/settings.json'), JSON.stringify({ ...defaultUserSettings, ...trust, ...obj }, null, 2)); },
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
