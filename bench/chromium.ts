// Runs the plan in headless Debian Chromium (playwright-core): the page (bench/browserPage.ts) loads the package over
// a local HTTP server with the webview's engine host, on WASM or WebGPU. Wall time comes from the page; CPU time and
// peak memory from /proc (every Chromium process below this one), since WebGPU's work is in the GPU process.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { ModelManifest } from '../src/shared/manifest';
import type { RedrawRun } from './browserPage';
import type { PayloadReport } from './engineRuns';
import type { Plan, RunnerReport } from './plan';
import { commandLine, cpuMs, descendants, holdNiceness, peakRssBytes } from './procStats';

export const CHROMIUM = '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.map': 'application/json',
};

// The empty icon: without one Chromium asks for /favicon.ico, and its 404 reached the report as a page error.
const PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="/media/panel.css">
<title>bench</title></head><body><div id="app" style="width: 900px"></div><script type="module" src="/bench/browserPage.js"></script></body></html>`;

/** Serves the page, its bundle, onnxruntime-web's files and the package, from these folders only. */
function serve(roots: Record<string, string>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const [, prefix, ...rest] = path.split('/');
    const root = roots[prefix];
    const file = root && resolve(root, normalize(rest.join('/')));
    if (!file || !file.startsWith(resolve(root)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    ok({ server, origin: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
  }));
}

export interface ChromiumReport extends RunnerReport { redraw?: RedrawRun; payload?: PayloadReport; adapter?: string | null }

export interface ChromiumOptions {
  backend: 'wasm' | 'webgpu'; plan: Plan; repo: string; packageDir: string; manifest: ModelManifest; redraws: number; progress: (line: string) => void;
  /** Only the panel's figures (payload, redraw): no latency cells or batches. */
  panelOnly?: boolean;
}

/** A fresh headless Chromium with the bench page loaded (served from the repo and `packageDir`), handed to `use`. */
export async function withBenchPage<T>(o: { repo: string; packageDir: string; webgpu?: boolean },
  use: (page: Page, version: string, pageErrors: string[]) => Promise<T>): Promise<T> {
  const { server, origin } = await serve({
    bench: join(o.repo, 'out/bench'), ort: join(o.repo, 'node_modules/onnxruntime-web/dist'), model: o.packageDir, media: join(o.repo, 'media'),
  });
  const args = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage',
    '--disable-renderer-backgrounding', '--disable-background-timer-throttling'];
  if (o.webgpu) args.push('--enable-unsafe-webgpu');
  const release = holdNiceness();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args }).catch((e) => {
    release();
    server.close();
    throw e;
  });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    // The console says only "404"; the path says which request it was.
    page.on('response', (r) => { if (r.status() === 404) pageErrors.push(`404 for ${new URL(r.url()).pathname}`); });
    await page.goto(origin + '/');
    await page.waitForFunction(() => !!window.bench, undefined, { timeout: 60_000 });
    return await use(page, browser.version(), pageErrors);
  } finally {
    await browser.close();
    release();
    server.close();
  }
}

/** Measures one backend in a fresh browser (so each backend's peak memory is its own). */
export async function runChromium(o: ChromiumOptions): Promise<ChromiumReport> {
  const runtime = o.backend === 'wasm' ? 'chromium-wasm' : 'chromium-webgpu';
  let errors: string[] = [];
  try {
    return await withBenchPage({ repo: o.repo, packageDir: o.packageDir, webgpu: o.backend === 'webgpu' }, async (page, version, pageErrors) => {
      errors = pageErrors;
      const adapter = await page.evaluate(() => window.bench!.adapter());
      const label = `Chromium ${version} ${o.backend === 'wasm' ? 'WASM' : `WebGPU (${adapter ?? 'no adapter'})`}`;
      if (o.backend === 'webgpu' && !adapter) {
        return { runtime, label, skipped: 'no WebGPU adapter in this Chromium', loadMs: NaN, cells: {}, batches: {}, peakRssBytes: NaN, notes: [], adapter } as ChromiumReport;
      }
      const checked = checkedFiles(o.manifest);
      const { loadMs, backend } = await page.evaluate(([b, c]) => window.bench!.load(b, c), [o.backend, checked] as const);
      if (backend !== o.backend) throw new Error(`asked for ${o.backend}, the engine chose ${backend}`);
      const warm = await page.evaluate((plan) => window.bench!.warmUp(plan), o.plan);
      const cells: RunnerReport['cells'] = {};
      for (const cell of o.panelOnly ? [] : o.plan.cells) {
        cells[cell.key] = await timed(page, (p) => window.bench!.cell(p.plan, p.key), { plan: o.plan, key: cell.key });
        o.progress(`${runtime}: ${cell.key}`);
      }
      const batches: RunnerReport['batches'] = {};
      for (const b of o.panelOnly ? [] : o.plan.batches) {
        batches[b.key] = await timed(page, (p) => window.bench!.batch(p.plan, p.key), { plan: o.plan, key: b.key });
        o.progress(`${runtime}: batch ${b.key}`);
      }
      const redraw = o.redraws > 0 ? await page.evaluate(([plan, n]) => window.bench!.redraw(plan, n), [o.plan, o.redraws] as const) : undefined;
      const payload = o.backend === 'wasm' ? await page.evaluate((plan) => window.bench!.payload(plan), o.plan) : undefined;
      const procs = descendants(process.pid);
      const renderer = Math.max(0, ...procs.filter((p) => commandLine(p).includes('--type=renderer')).map(peakRssBytes));
      const gpu = Math.max(0, ...procs.filter((p) => commandLine(p).includes('--type=gpu-process')).map(peakRssBytes));
      return {
        runtime, label, loadMs, cells, batches, peakRssBytes: renderer, gpuPeakRssBytes: gpu, redraw, payload, adapter, ...warm,
        notes: pageErrors.length ? [`page errors: ${pageErrors.slice(0, 3).join(' | ')}`] : [],
      };
    });
  } catch (e) {
    throw new Error(`${runtime}: ${(e as Error).message}${errors.length ? ` (page: ${errors.slice(0, 3).join(' | ')})` : ''}`);
  }
}

/** The package's digests, as the host hands them to the webview (it has checked the files). */
export function checkedFiles(manifest: ModelManifest): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.files).map(([name, d]) => [name, d.sha256]));
}

interface CellArg { plan: Plan; key: string }

/** Runs `fn` in the page; adds the CPU time all Chromium processes spent meanwhile, per translation. */
async function timed<R extends { samplesMs: number[]; cpuMs: number }>(page: Page, fn: (arg: CellArg) => Promise<R>, arg: CellArg): Promise<R> {
  const before = cpuMs(descendants(process.pid));
  const r = await page.evaluate(fn, arg);
  const spent = cpuMs(descendants(process.pid)) - before;
  return { ...r, cpuMs: spent / r.samplesMs.length };
}
