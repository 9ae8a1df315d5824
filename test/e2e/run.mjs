// End-to-end test runner (called by `npm test` as `node test/e2e/run.mjs`).
//   1. packages the extension (`npm run package` -> dist/attention-companion.vsix) when missing or stale,
//   2. ensures code-server (scripts/e2e/ensure-code-server.sh; cached under .cache/code-server or $AC_CACHE),
//   3. runs test/e2e/scenarios/*.mjs in name order (each exports `name` and `run(ctx)`, optionally `timeout` in ms),
//      one line per scenario ("ok - name (12.3 s)" / "not ok - name: reason"), a screenshot on failure,
//   4. ends with exactly one line "N passed, N failed"; exit code 1 on any failure.
//
// Environment:
//   E2E_ONLY=substr     run only scenarios whose name or file name contains substr (case-insensitive)
//   E2E_VSIX=path       use this .vsix instead of building dist/attention-companion.vsix
//   E2E_SELFTEST=1      run the harness self-test (test/e2e/selftest: a throwaway extension) instead
//   E2E_BUDGET_S=2700   overall time budget (18 scenarios take ~17 min on an idle 2-core machine); scenarios that
//                       would start after it are reported as not ok, so a hung run still ends well inside CI's limit
//   E2E_KEEP=1          keep temp folders;  E2E_VERBOSE=1  log harness steps and child output
//   AC_CACHE=dir        code-server cache folder
import { readdirSync, statSync, existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as h from './harness.mjs';

const t0 = Date.now();
const repo = h.repoRoot;
const selftest = process.env.E2E_SELFTEST === '1';
const only = (process.env.E2E_ONLY ?? '').toLowerCase();
const budgetMs = Number(process.env.E2E_BUDGET_S ?? 2700) * 1000;
const defaultTimeout = 240_000;
const note = (msg) => console.error(`# ${msg}`);
const secs = (ms) => (ms / 1000).toFixed(1);

h.installSignalHandlers();

// ---- scenarios
const scenarioDir = join(repo, selftest ? 'test/e2e/selftest/scenarios' : 'test/e2e/scenarios');
const files = existsSync(scenarioDir) ? readdirSync(scenarioDir).filter((f) => f.endsWith('.mjs')).sort() : [];
const scenarios = [];
let loadFailures = 0;
for (const f of files) {
  try {
    const mod = await import(pathToFileURL(join(scenarioDir, f)).href);
    if (typeof mod.run !== 'function') throw new Error('exports no run(ctx)');
    const name = mod.name ?? f.replace(/\.mjs$/, '');
    if (only && !name.toLowerCase().includes(only) && !f.toLowerCase().includes(only)) continue;
    scenarios.push({ file: f, name, run: mod.run, timeout: mod.timeout ?? defaultTimeout });
  } catch (e) {
    if (only && !f.toLowerCase().includes(only)) continue;
    console.log(`not ok - ${f}: cannot load: ${h.firstLine(e)}`);
    loadFailures++;
  }
}

let passed = 0, failed = loadFailures;
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

// ---- prerequisites: the .vsix and code-server
async function newestMtime(paths) {
  let newest = 0;
  const walk = (p, depth) => {
    let st;
    try { st = statSync(p); } catch { return; }
    if (st.isDirectory()) {
      if (depth > 8 || /(^|\/)(node_modules|__pycache__|training|\.git)$/.test(p)) return;
      for (const e of readdirSync(p)) walk(join(p, e), depth + 1);
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(join(repo, p), 0);
  return newest;
}

async function ensureVsix() {
  if (process.env.E2E_VSIX) return process.env.E2E_VSIX;
  if (selftest) {
    const { buildDummy } = await import('./selftest/make-dummy.mjs');
    return buildDummy();
  }
  const vsix = join(repo, 'dist/attention-companion.vsix');
  const inputs = ['src', 'webview', 'media', 'models', 'package.json', 'scripts/build.mjs', 'tsconfig.json', '.vscodeignore', 'README.md', 'LICENSE'];
  const stale = !existsSync(vsix) || statSync(vsix).mtimeMs < await newestMtime(inputs);
  if (!stale) return vsix;
  note(`packaging the extension (npm run package) ${existsSync(vsix) ? '(sources changed)' : '(no .vsix yet)'}`);
  const t = Date.now();
  // stdin closed: vsce asks questions (missing repository/LICENSE) that must fail, not hang.
  const r = await h.runProcess('npm', ['run', 'package'], { timeout: 600_000, input: '' });
  if (r.code !== 0 || !existsSync(vsix)) {
    const lines = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    const errs = lines.filter((l) => /\[ERROR\]|\bERROR\b|error TS\d+|^\s*Error:/.test(l)).map((l) => l.trim());
    const detail = (errs.length ? errs.slice(0, 10) : lines.slice(-15)).join('\n# ');
    throw new Error(`npm run package failed (exit ${r.code}): ${errs[0] ?? 'no .vsix'}\n${detail}`);
  }
  note(`packaged ${relative(repo, vsix)} (${(statSync(vsix).size / 1e6).toFixed(1)} MB) in ${secs(Date.now() - t)} s`);
  return vsix;
}

async function ensureCodeServer() {
  const t = Date.now();
  const r = await h.runProcess('bash', [join(repo, 'scripts/e2e/ensure-code-server.sh')], { timeout: 900_000 });
  if (r.code !== 0) throw new Error(`ensure-code-server.sh failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n# ')}`);
  if (Date.now() - t > 5_000) note(`code-server ready in ${secs(Date.now() - t)} s`);
}

/** One-line failure reason; assertion errors show what was expected and what came. */
function reason(e) {
  if (e?.code === 'ERR_ASSERTION' && e.generatedMessage && 'expected' in e) {
    const show = (v) => { const j = typeof v === 'string' ? JSON.stringify(v) : String(v instanceof RegExp ? v : JSON.stringify(v)); return j.length > 160 ? j.slice(0, 157) + '...' : j; };
    return `${e.operator ?? 'assert'}: expected ${show(e.expected)}, got ${show(e.actual)}`;
  }
  return h.firstLine(e);
}

// ---- context handed to each scenario
function makeContext(scenario, vsix) {
  const slug = scenario.file.replace(/\.mjs$/, '');
  const sessions = [];
  const fixturesDir = join(repo, 'test/e2e/fixtures');
  const ctx = {
    name: scenario.name, slug, vsix, repo, fixturesDir, sessions,
    /** A fixture's text (test/e2e/fixtures/<name>). */
    fixture: (name) => readFileSync(join(fixturesDir, name), 'utf8'),
    log: (...a) => { if (process.env.E2E_VERBOSE === '1') console.error(`# [${slug}]`, ...a); },
    /**
     * Starts code-server (fresh folders, the .vsix installed, `files` in the workspace, `settings` in
     * .vscode/settings.json, `userSettings` over the quiet defaults), opens chromium on it (at `url`, a string or a
     * function of the server, else the workspace), waits for the workbench and opens `open` (a workspace file).
     * Returns {server, browser, page}. Everything is torn down by the runner after the scenario.
     */
    async launch({ settings = {}, userSettings, restricted, files, webgpu = false, open, server, url } = {}) {
      const s = { server: null, browser: null, page: null, ownsServer: !server };
      sessions.push(s);
      const t = Date.now();
      const lap = (what) => ctx.log(`${what} at ${secs(Date.now() - t)} s`);
      s.server = server ?? await h.startCodeServer({ vsix, workspaceFiles: files ?? { 'sample.md': ctx.fixture('sample.md') }, settings, userSettings, restricted });
      lap('code-server up');
      s.browser = await h.openBrowser({ webgpu });
      s.page = s.browser.page;
      lap('chromium up');
      await h.waitForWorkbench(s.page, { url: typeof url === 'function' ? url(s.server) : url ?? s.server.url });
      lap('workbench ready');
      if (open) { await h.openFile(s.page, open); lap(`${open} open`); }
      return s;
    },
    /** Screenshot of the latest session's page (or `page`) as test-results/e2e/<slug>-<name>.png. */
    async screenshot(name, page) {
      const p = page ?? sessions.at(-1)?.page;
      if (!p) throw new Error('screenshot: no page');
      return h.screenshot(p, `${slug}-${name}`);
    },
    h,
  };
  return ctx;
}

async function teardown(ctx) {
  for (const s of [...ctx.sessions].reverse()) {
    try { await s.browser?.close(); } catch {}
    try { if (s.ownsServer) await s.server?.stop(); } catch {}
  }
  await h.cleanupAll();
}

// ---- main
try {
  if (scenarios.length === 0) {
    note(only ? `no scenario matches E2E_ONLY=${only}` : `no scenarios in ${relative(repo, scenarioDir)}`);
  } else {
    let vsix, prereqError;
    try {
      [vsix] = await Promise.all([ensureVsix(), ensureCodeServer()]);
      note(`using ${vsix.startsWith(repo + '/') ? relative(repo, vsix) : vsix}; ${scenarios.length} scenario(s)`);
    } catch (e) { prereqError = e; }
    // Old results of the scenarios about to run go; others (E2E_ONLY) stay.
    mkdirSync(h.resultsDir, { recursive: true });
    for (const f of readdirSync(h.resultsDir)) {
      if (scenarios.some((s) => f.startsWith(s.file.replace(/\.mjs$/, '') + '-'))) rmSync(join(h.resultsDir, f), { force: true });
    }
    for (const sc of scenarios) {
      if (prereqError) {
        console.log(`not ok - ${sc.name}: ${h.firstLine(prereqError)}`);
        if (sc === scenarios[0]) note(String(prereqError.message).split('\n').slice(1).join('\n# '));
        failed++;
        continue;
      }
      if (Date.now() - t0 > budgetMs) { console.log(`not ok - ${sc.name}: skipped, the e2e budget of ${budgetMs / 1000} s is spent`); failed++; continue; }
      const ctx = makeContext(sc, vsix);
      const start = Date.now();
      try {
        await h.withTimeout(Promise.resolve().then(() => sc.run(ctx)), sc.timeout, 'scenario');
        console.log(`ok - ${sc.name} (${secs(Date.now() - start)} s)`);
        passed++;
      } catch (e) {
        console.log(`not ok - ${sc.name}: ${reason(e)} (${secs(Date.now() - start)} s)`);
        failed++;
        // The rest of the message (Playwright's call log) and the scenario/harness frames of the stack.
        const msg = String(e?.message ?? e).split('\n').slice(1).filter((l) => l.trim()).slice(0, 6);
        const frames = String(e?.stack ?? '').split('\n').filter((l) => /^\s+at .*test\/e2e\//.test(l)).slice(0, 6);
        for (const l of [...msg, ...frames]) note(l.replace(/\x1b\[[0-9;]*m/g, '').trim());
        for (const [i, s] of ctx.sessions.entries()) {
          if (!s.page) continue;
          try { note(`screenshot: ${relative(repo, await h.screenshot(s.page, `${ctx.slug}-FAILED${i ? '-' + i : ''}`))}`); }
          catch (se) { note(`screenshot failed: ${h.firstLine(se)}`); }
          try {
            const toasts = await h.notificationText(s.page);
            if (toasts.length) note(`notifications: ${toasts.join(' | ')}`);
          } catch {}
          const errs = s.browser.consoleLines.filter((l) => /^\[(error|pageerror)\]/.test(l) && !/Failed to load resource/.test(l)).slice(-8);
          for (const l of errs) note(`console: ${l.slice(0, 300)}`);
          for (const l of s.browser.failedRequests.slice(-5)) note(`http: ${l.slice(0, 300)}`);
        }
      } finally {
        await teardown(ctx);
      }
    }
  }
} catch (e) {
  console.log(`not ok - e2e runner: ${h.firstLine(e)}`);
  failed++;
} finally {
  await h.cleanupAll();
  note(`e2e total ${secs(Date.now() - t0)} s`);
  finish();
  // A timed-out scenario may still hold timers; stdout is a file or pipe (synchronous on Linux): exit now.
  process.exit(process.exitCode);
}
