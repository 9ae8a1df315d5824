// The benchmark's tables: runner reports -> rows (median, p95, CPU time, throughput, memory) with each figure's ratio
// to PyTorch's, rendered as aligned text (the terminal) or Markdown (docs/PERFORMANCE.md). Pure: unit-tested.
import { DECODES, RUNTIMES, type Plan, type RunnerReport, type RuntimeId } from './plan';

export type Unit = 'ms' | 'words/s' | 'MB';

/** One figure: a value (NaN when missing) and, for latencies, the 95th percentile beside the median. */
export interface Figure { value: number; p95?: number }

export interface Row {
  label: string;
  unit: Unit;
  /** Which way is better: decides the ratio's direction, so a ratio above 1 always means ours is better. */
  better: 'lower' | 'higher';
  goal?: string;
  figures: Partial<Record<RuntimeId, Figure>>;
}

export const SHORT_NAMES: Record<RuntimeId, string> = {
  'node-wasm': 'Node WASM', 'chromium-wasm': 'Chromium WASM', 'chromium-webgpu': 'Chromium WebGPU', pytorch: 'PyTorch eager',
};
/** The engine's runtimes: every one but PyTorch. */
export const OURS = RUNTIMES.filter((r) => r !== 'pytorch');

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank 95th percentile (with few samples, the largest). */
export function p95(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.95 * s.length) - 1)];
}

/** How many times better ours is than PyTorch on this row (above 1: ours better); NaN when either is missing. */
export function ratio(row: Row, runtime: RuntimeId): number {
  const ours = row.figures[runtime]?.value ?? NaN;
  const torch = row.figures.pytorch?.value ?? NaN;
  return row.better === 'lower' ? torch / ours : ours / torch;
}

const GOALS: Record<string, string> = {
  'en→ko 25w greedy plain': '≤ 60', 'ko→en 25w greedy plain': '≤ 60', 'en→ko 25w beam 4 plain': '≤ 200', 'ko→en 25w beam 4 plain': '≤ 200',
};

type Reports = Partial<Record<RuntimeId, RunnerReport>>;

function each(reports: Reports, f: (r: RunnerReport) => Figure | undefined): Partial<Record<RuntimeId, Figure>> {
  const out: Partial<Record<RuntimeId, Figure>> = {};
  for (const id of RUNTIMES) {
    const r = reports[id];
    if (r && !r.skipped) out[id] = f(r) ?? { value: NaN };
  }
  return out;
}

/** Source words per second over both directions' batches of one decoding, from wall (median per batch) or CPU time. */
function throughput(r: RunnerReport, keys: string[], clock: 'wall' | 'cpu'): Figure | undefined {
  const runs = keys.map((k) => r.batches[k]);
  if (runs.some((b) => !b)) return undefined;
  const words = runs.reduce((s, b) => s + b.words, 0);
  const ms = runs.reduce((s, b) => s + (clock === 'wall' ? median(b.samplesMs) : b.cpuMs), 0);
  return { value: words / (ms / 1000) };
}

function batchRows(plan: Plan, reports: Reports, clock: 'wall' | 'cpu'): Row[] {
  return DECODES.map(({ name, beam }) => {
    const keys = plan.batches.filter((b) => b.beam === beam).map((b) => b.key);
    const n = plan.batches.filter((b) => b.beam === beam).reduce((s, b) => s + b.sentences.length, 0);
    return {
      label: `batch ${name}, ${n} sentences, both directions`, unit: 'words/s' as const, better: 'higher' as const, goal: '≥ 500',
      figures: each(reports, (r) => throughput(r, keys, clock)),
    };
  });
}

/** Wall clock: load, latency (median and p95) per cell, batch throughput, peak memory. */
export function wallRows(plan: Plan, reports: Reports): Row[] {
  const rows: Row[] = [{ label: 'model load', unit: 'ms', better: 'lower', figures: each(reports, (r) => ({ value: r.loadMs })) }];
  for (const c of plan.cells) {
    rows.push({
      label: c.key, unit: 'ms', better: 'lower', goal: GOALS[c.key],
      figures: each(reports, (r) => r.cells[c.key] && { value: median(r.cells[c.key].samplesMs), p95: p95(r.cells[c.key].samplesMs) }),
    });
  }
  rows.push(...batchRows(plan, reports, 'wall'));
  rows.push({ label: 'peak RSS (Chromium: the page\'s renderer)', unit: 'MB', better: 'lower', figures: each(reports, (r) => ({ value: r.peakRssBytes / 1e6 })) });
  return rows;
}

/** CPU time: the same translations, per translation (mean), and batches per CPU-second: robust to a busy machine. */
export function cpuRows(plan: Plan, reports: Reports): Row[] {
  const rows: Row[] = plan.cells.map((c) => ({
    label: c.key, unit: 'ms' as const, better: 'lower' as const,
    figures: each(reports, (r) => r.cells[c.key] && { value: r.cells[c.key].cpuMs }),
  }));
  return [...rows, ...batchRows(plan, reports, 'cpu')];
}

/** How many of a runtime's translations have exactly PyTorch's target tokens. */
export function agreement(plan: Plan, ours: RunnerReport, torch: RunnerReport): { same: number; total: number } {
  let same = 0;
  let total = 0;
  for (const c of plan.cells) {
    const a = ours.cells[c.key]?.outputs ?? [];
    const b = torch.cells[c.key]?.outputs ?? [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      total++;
      if (a[i].length === b[i].length && a[i].every((id, j) => id === b[i][j])) same++;
    }
  }
  return { same, total };
}

export function formatValue(f: Figure | undefined, unit: Unit): string {
  if (!f || !Number.isFinite(f.value)) return '—';
  const n = (v: number) => (unit === 'MB' ? v.toFixed(1) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return f.p95 !== undefined && Number.isFinite(f.p95) ? `${n(f.value)} / ${n(f.p95)}` : n(f.value);
}

export function formatRatio(x: number): string {
  return Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : '—';
}

/** Header and body cells of a table over the runtimes present (skipped ones say so once, in their column). */
function grid(rows: Row[], reports: Reports): string[][] {
  const present = RUNTIMES.filter((id) => reports[id]);
  const head = ['measure', 'unit', 'goal'];
  for (const id of present) head.push(SHORT_NAMES[id], ...(id !== 'pytorch' && reports.pytorch ? ['×PyTorch'] : []));
  const body = rows.map((row) => {
    const cells = [row.label, row.unit, row.goal ?? ''];
    for (const id of present) {
      const skipped = reports[id]?.skipped;
      cells.push(skipped ? 'skipped' : formatValue(row.figures[id], row.unit));
      if (id !== 'pytorch' && reports.pytorch) cells.push(skipped ? '' : formatRatio(ratio(row, id)));
    }
    return cells;
  });
  return [head, ...body];
}

export function renderText(rows: Row[], reports: Reports): string {
  const g = grid(rows, reports);
  const widths = g[0].map((_, i) => Math.max(...g.map((r) => [...r[i]].length)));
  return g.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function renderMarkdown(rows: Row[], reports: Reports): string {
  const g = grid(rows, reports);
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(g[0]), line(g[0].map((_, i) => (i < 1 ? '---' : '---:'))), ...g.slice(1).map(line)].join('\n');
}

