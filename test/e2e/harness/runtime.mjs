// The harness's runtime: paths, bounded waiting, and the tracking of everything started (code-server process
// groups, browsers, temp folders) so that `cleanupAll()` (run.mjs: finally blocks, SIGINT/SIGTERM) stops it all.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const resultsDir = process.env.E2E_RESULTS || join(repoRoot, 'test-results/e2e');
export const codeServerCache = process.env.AC_CACHE || join(repoRoot, '.cache/code-server');
export const codeServerEntry = join(codeServerCache, 'node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
export const keep = process.env.E2E_KEEP === '1';            // keep temp folders for debugging
export const verbose = process.env.E2E_VERBOSE === '1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function log(...args) { if (verbose) console.error('[e2e]', ...args); }

/**
 * Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (throws with `message`, or what
 * `message()` says then: the last state seen).
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
      throw new Error(`timed out after ${(timeout / 1000).toFixed(1)} s waiting for ${typeof message === 'function' ? message() : message}` +
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

export function track(res) { live.add(res); return () => live.delete(res); }

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

export function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}

export function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}
