// npm run bench: the shipped model's speed, side by side in one run: the engine on WASM in Node, on WASM and WebGPU
// in headless Chromium, and the same sentences through the PyTorch model; plus panel redraw, .vsix size and the
// attention payload. Prints the tables; --json / --markdown write them. Figures are reported, never asserted.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelManifest } from '../src/shared/manifest';
import { defaultPackageDir } from '../src/node/fsPackage';
import { runChromium, type ChromiumReport } from './chromium';
import type { PayloadReport } from './engineRuns';
import { checkFixture, makePlan, mergeRounds, SIZES, type Plan, type Size, type RunnerReport, type RuntimeId } from './plan';
import { agreement, cpuRows, median, OURS, p95, ratio, renderMarkdown, renderText, SHORT_NAMES, wallRows } from './table';
import { vsixSize, type VsixSize } from './vsix';

const USAGE = `Usage: npm run bench -- [--quick] [--json out.json] [--markdown out.md] [--only node|chromium|webgpu|torch|panel[,...]] [--repeats N] [--rounds N] [--sizes 5,25,60] [--model DIR]
  --quick      one sentence per cell, translated once (CI smoke: every row still printed)
  --only       run only these runtimes (comma-separated; chromium: its WASM backend, the attention payload and the panel
               redraw; webgpu: Chromium's WebGPU backend; panel: the Chromium WASM page for the payload and the redraw
               only, without the latency cells); the others' columns say "skipped"
  --repeats N  translations of each sentence per cell (default 5; every translation is one sample)
  --rounds N   run Node WASM and PyTorch N times in turn (fresh processes), their samples pooled, and print each round's
               ratio for the 25-word greedy cells: a shared machine's drift then falls on both sides (default 1)
  --sizes L    only sentences of these sizes (words: 5, 25, 60; comma-separated), in the latency cells and the
               batches: for a runtime too slow for the whole plan (WebGPU on a software adapter)
  --model DIR  a model package (default: the one models/DEFAULT names)`;

const repo = resolve(__dirname, '../..');
const log = (line: string) => process.stderr.write(`# ${line}\n`);

interface Options { quick: boolean; json?: string; markdown?: string; only: Set<string>; repeats: number; rounds: number; sizes?: Size[]; packageDir: string }

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false }, json: { type: 'string' }, markdown: { type: 'string' }, only: { type: 'string' },
      repeats: { type: 'string', default: '5' }, rounds: { type: 'string', default: '1' }, sizes: { type: 'string' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const only = new Set((values.only ?? 'node,chromium,webgpu,torch').split(',').map((s) => s.trim()).filter(Boolean));
  const unknown = [...only].filter((o) => !['node', 'chromium', 'webgpu', 'torch', 'panel'].includes(o));
  if (unknown.length) fail(`--only takes node, chromium, webgpu, torch and panel, not ${unknown.join(', ')}`);
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100) fail('--repeats must be an integer from 1 to 100');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) fail('--rounds must be an integer from 1 to 20');
  const sizes = values.sizes?.split(',').map((s) => s.trim()).filter(Boolean);
  const badSizes = sizes?.filter((s) => !(SIZES as readonly string[]).includes(s)) ?? [];
  if (sizes && (sizes.length === 0 || badSizes.length)) fail(`--sizes takes ${SIZES.join(', ')} (comma-separated), not ${values.sizes}`);
  return { quick: values.quick!, json: values.json, markdown: values.markdown, only, repeats, rounds, sizes: sizes as Size[] | undefined, packageDir: resolve(values.model ?? defaultPackageDir(repo)) };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Runs a runner process; its stderr (progress) passes through; its last stdout line is its JSON report. */
function runJson<T>(cmd: string, args: string[]): Promise<T> {
  return new Promise((ok, no) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', no);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return no(new Error(`${cmd} ${args[0]} exited with ${code}`));
      try {
        ok(JSON.parse(last) as T);
      } catch {
        no(new Error(`${cmd} ${args[0]} printed no JSON report`));
      }
    });
  });
}

function skipped(runtime: RuntimeId, why: string): RunnerReport {
  return { runtime, label: SHORT_NAMES[runtime], skipped: why, loadMs: NaN, cells: {}, batches: {}, peakRssBytes: NaN, notes: [] };
}

function machine(): Record<string, string | number> {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? model;
  } catch {
    // lscpu missing: os.cpus() names it
  }
  let chromium = '';
  try {
    chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    chromium = 'not installed';
  }
  return { cpu: model, cores: cpus().length, memoryGB: Math.round(totalmem() / 1e8) / 10, loadAverageAtStart: loadavg()[0], node: process.version, chromium };
}

async function main(): Promise<void> {
  const o = options();
  const startedAt = new Date().toISOString();
  const host = machine();
  const manifest = JSON.parse(readFileSync(join(o.packageDir, 'manifest.json'), 'utf8')) as ModelManifest & { weightsDtype?: string };
  const plan: Plan = makePlan(checkFixture(JSON.parse(readFileSync(join(repo, 'bench/sentences.json'), 'utf8'))), { quick: o.quick, repeats: o.repeats, threads: 1, sizes: o.sizes });
  mkdirSync(join(repo, 'out/bench'), { recursive: true });
  const planFile = join(repo, 'out/bench/plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const failures: string[] = [];
  const reports: Partial<Record<RuntimeId, RunnerReport>> = {};
  const attempt = async (id: RuntimeId, enabled: boolean, run: () => Promise<RunnerReport>) => {
    if (!enabled) {
      reports[id] = skipped(id, 'left out (--only)');
      return;
    }
    try {
      reports[id] = await run();
    } catch (e) {
      failures.push(`${SHORT_NAMES[id]}: ${(e as Error).message}`);
      reports[id] = skipped(id, 'failed');
    }
  };

  let payload: PayloadReport | undefined;
  const runNode = async () => {
    const r = await runJson<RunnerReport & { payload: PayloadReport }>(process.execPath, [join(repo, 'out/bench/nodeRunner.js'), planFile, o.packageDir]);
    payload ??= r.payload;
    return r;
  };
  const runTorch = async () => {
    const python = join(repo, '.venv/bin/python');
    if (!existsSync(python)) throw new Error('no .venv: run bash scripts/ensure-python.sh');
    return runJson<RunnerReport>(python, [join(repo, 'bench/pytorch_runner.py'), '--plan', planFile, '--package', o.packageDir]);
  };
  // Node WASM and PyTorch in turn, --rounds times (fresh processes each), their samples pooled (mergeRounds).
  const nodeRounds: RunnerReport[] = [];
  const torchRounds: RunnerReport[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    if (o.rounds > 1) log(`round ${round} of ${o.rounds}`);
    for (const [id, enabled, rounds, run] of [['node-wasm', o.only.has('node'), nodeRounds, runNode], ['pytorch', o.only.has('torch'), torchRounds, runTorch]] as const) {
      if (!enabled) { reports[id] = skipped(id, 'left out (--only)'); continue; }
      if (round > 1 && !rounds.length) continue;   // its first round failed: reported once
      try {
        rounds.push(await run());
        reports[id] = mergeRounds(rounds);
      } catch (e) {
        failures.push(`${SHORT_NAMES[id]}${o.rounds > 1 ? ` round ${round}` : ''}: ${(e as Error).message}`);
        if (!rounds.length) reports[id] = skipped(id, 'failed');   // later rounds' failures keep the rounds before
      }
    }
  }
  const chromiumReports: ChromiumReport[] = [];
  for (const backend of ['wasm', 'webgpu'] as const) {
    const id: RuntimeId = backend === 'wasm' ? 'chromium-wasm' : 'chromium-webgpu';
    const panelOnly = backend === 'wasm' && o.only.has('panel') && !o.only.has('chromium');
    await attempt(id, o.only.has(backend === 'wasm' ? 'chromium' : 'webgpu') || panelOnly, async () => {
      if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing (apt-get install chromium)');
      const r = await runChromium({ backend, plan, repo, packageDir: o.packageDir, manifest, redraws: backend === 'wasm' ? 100 : 0, progress: log, panelOnly });
      chromiumReports.push(r);
      // The webview's page measures what it posts; Node's figure is the fallback.
      if (r.payload) payload = r.payload;
      return panelOnly ? { ...r, skipped: 'panel figures only (--only panel)' } : r;
    });
  }
  let vsix: VsixSize | undefined;
  try {
    vsix = vsixSize(repo, log);
  } catch (e) {
    failures.push(`.vsix: ${(e as Error).message}`);
  }

  const wall = wallRows(plan, reports);
  const cpu = cpuRows(plan, reports);
  const redraw = chromiumReports.find((r) => r.redraw)?.redraw;
  const lines: string[] = [];
  lines.push(`Attention Companion benchmark: ${manifest.id} (${manifest.weightsDtype ?? 'fp32'} weights), ${plan.threads} thread, ${o.quick ? 'quick (1 sample per cell)' : `${o.repeats} repeats per sentence`}`);
  lines.push(`Machine: ${host.cpu}, ${host.cores} cores, ${host.memoryGB} GB; load average ${Number(host.loadAverageAtStart).toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end`);
  lines.push('Runtimes:');
  for (const r of Object.values(reports)) lines.push(`  ${SHORT_NAMES[r!.runtime].padEnd(16)} ${r!.skipped ? `skipped: ${r!.skipped}` : r!.label}`);
  lines.push('×PyTorch: how many times better than PyTorch eager on the same row (above 1: ours is better).');
  lines.push('Latency rows: ms per translation, "median / p95"; sizes in source words; "attention": the panel\'s attention outputs on.');
  lines.push('', 'Wall clock', renderText(wall, reports), '', 'CPU time (per translation, mean; batches: source words per CPU-second)', renderText(cpu, reports), '', 'Other figures');
  const torch = reports.pytorch;
  const sameAs = OURS.map((id) => reports[id]).filter((r): r is RunnerReport => !!r && !r.skipped && !!torch && !torch.skipped)
    .map((r) => { const a = agreement(plan, r, torch!); return `${SHORT_NAMES[r.runtime]} ${a.same}/${a.total}`; });
  lines.push(`  same tokens as PyTorch          ${sameAs.join(', ') || '—'}`);
  const firstAttn = [reports['node-wasm'], ...chromiumReports]
    .filter((r): r is RunnerReport => !!r && !r.skipped && !!r.firstAttentionMs).map((r) => `${SHORT_NAMES[r.runtime]} ${Math.round(r.firstAttentionMs!)} ms`);
  lines.push(`  first attention request         ${firstAttn.join(', ') || '—'}  (5-word sentence; creates the attention graphs)`);
  const settle = Object.values(reports).filter((r): r is RunnerReport => !!r && !r.skipped && !!r.settleRoundsMs?.length)
    .map((r) => `${SHORT_NAMES[r.runtime]} ${r.settleRoundsMs!.map((ms) => Math.round(ms)).join(' → ')}`);
  lines.push(`  warm-up before the cells        ${settle.join('; ') || '—'} ms  (rounds of the first 25-word sentence each way, greedy and beam 4, until one is not 10% faster than the one before)`);
  lines.push(redraw
    ? `  panel redraw                    ${median(redraw.samplesMs).toFixed(2)} ms median, ${(redraw.samplesMs.reduce((a, b) => a + b, 0) / redraw.samplesMs.length).toFixed(2)} ms mean, ${p95(redraw.samplesMs).toFixed(2)} ms p95 over ${redraw.samplesMs.length} head picks (cross-attention ${redraw.rows}×${redraw.cols}, Chromium WASM page)  goal ≤ 16 ms`
    : '  panel redraw                    —');
  lines.push(vsix ? `  .vsix                           ${(vsix.bytes / 1e6).toFixed(1)} MB${vsix.packaged ? ' (packaged now)' : ''}  goal ≤ 30 MB` : '  .vsix                           —');
  const kb = (bytes: number) => `${(bytes / 1e3).toFixed(0)} KB`;
  lines.push(payload
    ? `  attention payload               ${kb(payload.bytes)} across the boundary (JSON ${kb(payload.jsonBytes)} + ArrayBuffers ${kb(payload.bufferBytes)}) for ${payload.sourceTokens} source and ${payload.targetTokens} target tokens (Show Attention: beam 4, attention, steps); attention ${kb(payload.attentionBytes)} of it; ${kb(payload.bytesWithQueriesAndKeys)} with queries/keys (the companion's, never sent to the host); ${kb(payload.plainJsonBytes)} as plain JSON; panel saved state ${kb(payload.savedStateBytes)}  goal ≤ 150 KB`
    : '  attention payload               —');
  if (nodeRounds.length > 1 && torchRounds.length > 1) {
    for (const key of plan.cells.filter((c) => c.size === '25' && c.beam === 1 && !c.attention).map((c) => c.key)) {
      const each = nodeRounds.map((r, i) => torchRounds[i] && median(torchRounds[i].cells[key].samplesMs) / median(r.cells[key].samplesMs));
      lines.push(`  PyTorch ÷ ours by round         ${key}: ${each.filter((x): x is number => x !== undefined).map((x) => `${x.toFixed(2)}×`).join(', ')}`);
    }
  }
  for (const r of Object.values(reports)) for (const n of r!.notes) lines.push(`  note (${SHORT_NAMES[r!.runtime]}): ${n}`);
  for (const f of failures) lines.push(`  FAILED ${f}`);
  process.stdout.write(lines.join('\n') + '\n');

  const ratios = Object.fromEntries([...wall, ...cpu.map((r) => ({ ...r, label: `cpu ${r.label}` }))]
    .map((row) => [row.label, Object.fromEntries(OURS.map((id) => [id, ratio(row, id)]))]));
  if (o.json) {
    writeFileSync(o.json, JSON.stringify({ startedAt, command: process.argv.slice(2), machine: { ...host, loadAverageAtEnd: loadavg()[0] }, plan, reports, payload, redraw, vsix, rows: { wall, cpu }, ratios, failures }, null, 1) + '\n');
  }
  if (o.markdown) {
    writeFileSync(o.markdown, ['### Wall clock', '', renderMarkdown(wall, reports), '', '### CPU time', '', renderMarkdown(cpu, reports), '', ...lines.slice(lines.indexOf('Other figures')).map((l) => l.replace(/^ {2}/, '- '))].join('\n') + '\n');
  }
  if (failures.length) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
