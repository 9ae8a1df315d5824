// npm run bench:smoke: the benchmark still runs end to end. Runs `npm run bench -- --quick` (one sample per cell)
// and checks that it exits 0 and that every row is printed with a figure for every runtime it ran.
// It asserts that figures exist, never how large they are: speed is reported, not tested.
// The WebGPU column runs only with --webgpu: on a machine without a GPU Chromium's adapter is SwiftShader (software),
// and that one column took over an hour of a 70-minute smoke on the 2-core CI machine, without telling anything
// about GPUs. `npm run bench:smoke -- --webgpu` on a machine with one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const withWebgpu = process.argv.includes('--webgpu');
const RUNTIMES = ['node-wasm', 'chromium-wasm', ...(withWebgpu ? ['chromium-webgpu'] : []), 'pytorch'];
const ONLY = withWebgpu ? 'node,chromium,webgpu,torch' : 'node,chromium,torch';
// 2 directions x 3 sizes x (greedy, beam 4) x (plain, attention): the issue's grid; fewer means the plan rotted.
const CELLS = 24;

const dir = mkdtempSync(join(tmpdir(), 'ac-bench-smoke-'));
const jsonFile = join(dir, 'bench.json');
const t0 = Date.now();
const r = spawnSync(process.execPath, [join(repo, 'bench/main.mjs'), '--quick', '--only', ONLY, '--json', jsonFile], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const problems = [];
if (r.status !== 0) problems.push(`npm run bench -- --quick --only ${ONLY} exited with ${r.status}`);
const out = r.stdout ?? '';
let result;
try {
  result = JSON.parse(readFileSync(jsonFile, 'utf8'));
} catch {
  problems.push('no --json file written');
}
if (result) {
  if (result.plan.cells.length !== CELLS) problems.push(`the plan has ${result.plan.cells.length} latency cells, not ${CELLS}`);
  for (const id of RUNTIMES) {
    const rep = result.reports[id];
    if (!rep || rep.skipped) problems.push(`${id}: ${rep ? `skipped (${rep.skipped})` : 'no report'}`);
  }
  for (const [table, rows] of Object.entries(result.rows)) {
    for (const row of rows) {
      if (!out.split('\n').some((l) => l.startsWith(row.label))) problems.push(`${table}: "${row.label}" is not printed`);
      for (const id of RUNTIMES) {
        if (!Number.isFinite(row.figures[id]?.value)) problems.push(`${table}: "${row.label}" has no ${id} figure`);
      }
    }
  }
  for (const label of ['same tokens as PyTorch', 'first attention request', 'warm-up before the cells', 'panel redraw', '.vsix', 'attention payload']) {
    const line = out.split('\n').find((l) => l.trim().startsWith(label));
    if (!line || /^\s*\S.*?\s{2,}—/.test(line)) problems.push(`"${label}" is missing or has no figure`);
  }
  if (result.failures.length) problems.push(...result.failures.map((f) => `failed: ${f}`));
}
rmSync(dir, { recursive: true, force: true });
if (problems.length) {
  process.stdout.write(out);
  console.error(`bench smoke: ${problems.length} problem(s):\n  ${problems.slice(0, 30).join('\n  ')}`);
  process.exit(1);
}
console.log(`bench smoke: ok, ${result.rows.wall.length + result.rows.cpu.length} rows for ${RUNTIMES.length} runtimes (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
