// What the benchmark measures, decided once from bench/sentences.json and handed to every runner (Node, Chromium,
// PyTorch) as JSON, so all of them translate the same sentences the same number of times. No Node or DOM imports.
import type { Lang } from '../src/shared/manifest';

export const SIZES = ['5', '25', '60'] as const;
export type Size = (typeof SIZES)[number];
export const DIRECTIONS: readonly [Lang, Lang][] = [['en', 'ko'], ['ko', 'en']];
export const DECODES = [{ name: 'greedy', beam: 1 }, { name: 'beam 4', beam: 4 }] as const;

export interface Fixture {
  en: Record<Size, string[]>;
  ko: Record<Size, string[]>;
  payload: { from: Lang; text: string };
}

/** One latency measurement: these sentences, translated `repeats` times each, every translation one sample. */
export interface LatencyCell {
  key: string;
  from: Lang;
  to: Lang;
  size: Size;
  beam: number;
  attention: boolean;
  sentences: string[];
  repeats: number;
}

/** A batch: every sentence of a direction as one text (the engine splits it), translated once per repeat. */
export interface BatchSpec { key: string; from: Lang; to: Lang; beam: number; sentences: string[]; repeats: number }

export interface Plan {
  quick: boolean;
  threads: number;
  cells: LatencyCell[];
  batches: BatchSpec[];
  payload: { from: Lang; to: Lang; text: string };
  /**
   * Attention bound for the "attention" cells: raised from the product's 16 MiB so the longest Korean sentences
   * (about 200 tokens) still compute theirs; otherwise those cells would silently measure no attention at all.
   */
  attentionBudgetBytes: number;
}

export function cellKey(from: Lang, to: Lang, size: Size, beam: number, attention: boolean): string {
  return `${from}→${to} ${size.padStart(2)}w ${beam === 1 ? 'greedy' : `beam ${beam}`} ${attention ? 'attention' : 'plain'}`;
}

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

/** Checks the fixture's shape: each direction's source language has sentences of every size. */
export function checkFixture(f: unknown): Fixture {
  const bad = (what: string) => new Error(`bench/sentences.json: ${what}`);
  const o = f as Partial<Fixture>;
  for (const [from] of DIRECTIONS) {
    const bySize = o?.[from as 'en' | 'ko'];
    for (const size of SIZES) {
      const list = bySize?.[size];
      if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || !s.trim())) {
        throw bad(`"${from}"."${size}" must be a list of sentences`);
      }
    }
  }
  if (typeof o?.payload?.text !== 'string' || (o.payload.from !== 'en' && o.payload.from !== 'ko')) throw bad('"payload" needs "from" (en or ko) and "text"');
  return o as Fixture;
}

/**
 * `quick`: one sentence per cell, translated once (CI smoke); otherwise every sentence `repeats` times.
 * `sizes`: the sentence sizes to run (all unless given): latency cells and batches of those sizes only, for a runtime
 * too slow here for the whole plan (WebGPU on a software adapter spends over 20 minutes in a quick run).
 */
export function makePlan(fixture: Fixture, opts: { quick: boolean; repeats: number; threads: number; sizes?: readonly Size[] }): Plan {
  const repeats = opts.quick ? 1 : opts.repeats;
  const sizes = SIZES.filter((s) => !opts.sizes || opts.sizes.includes(s));
  const cells: LatencyCell[] = [];
  for (const [from, to] of DIRECTIONS) {
    for (const size of sizes) {
      const all = fixture[from as 'en' | 'ko'][size];
      const sentences = opts.quick ? all.slice(0, 1) : all;
      for (const { beam } of DECODES) {
        for (const attention of [false, true]) cells.push({ key: cellKey(from, to, size, beam, attention), from, to, size, beam, attention, sentences, repeats });
      }
    }
  }
  const batches: BatchSpec[] = [];
  for (const { name, beam } of DECODES) {
    for (const [from, to] of DIRECTIONS) {
      const src = fixture[from as 'en' | 'ko'];
      batches.push({ key: `${name} ${from}→${to}`, from, to, beam, sentences: sizes.flatMap((s) => src[s]), repeats: opts.quick ? 1 : Math.min(2, repeats) });
    }
  }
  const p = fixture.payload;
  return {
    quick: opts.quick, threads: opts.threads, cells, batches,
    payload: { from: p.from, to: p.from === 'en' ? 'ko' : 'en', text: p.text },
    attentionBudgetBytes: 256 * 2 ** 20,
  };
}

/** What every runner reports (one JSON object on stdout, or from the page). */
export interface RunnerReport {
  runtime: RuntimeId;
  /** Human label: runtime, backend, adapter. */
  label: string;
  loadMs: number;
  /** Per latency cell: wall-clock samples (ms), CPU time per translation (ms, mean), outputs of the first repeat. */
  cells: Record<string, CellRun>;
  /** Per batch: wall-clock and CPU ms of each repeat, and the source words translated each time. */
  batches: Record<string, BatchRun>;
  peakRssBytes: number;
  /** Chromium: the GPU process's peak, apart from the page's renderer. */
  gpuPeakRssBytes?: number;
  notes: string[];
  /** Why this runtime has no figures (no WebGPU adapter, no Python environment, left out with --only). */
  skipped?: string;
  /** The engine's runtimes: the first attention request (it creates the attention graphs), ms. */
  firstAttentionMs?: number;
  /** The warm-up's settling rounds before the cells, ms each (bench/engineRuns.ts warmUp; PyTorch: the same rounds). */
  settleRoundsMs?: number[];
}

export interface CellRun { samplesMs: number[]; cpuMs: number; outputs: number[][] }
export interface BatchRun { samplesMs: number[]; cpuMs: number; words: number; sentences: number }

export type RuntimeId = 'node-wasm' | 'chromium-wasm' | 'chromium-webgpu' | 'pytorch';
export const RUNTIMES: readonly RuntimeId[] = ['node-wasm', 'chromium-wasm', 'chromium-webgpu', 'pytorch'];

/**
 * One report from several rounds of the same runner (`--rounds`): every cell's and batch's samples pooled, CPU means
 * weighted by their sample counts, the first round's outputs and warm-up, the slowest load, the highest peak.
 * Rounds of PyTorch and ours taken in turn see the same drift of a shared machine, so their ratio is fairer.
 */
export function mergeRounds(rounds: RunnerReport[]): RunnerReport {
  const [first] = rounds;
  if (!first) throw new Error('mergeRounds: no rounds');
  const pooled = <T extends { samplesMs: number[]; cpuMs: number }>(runs: T[]): T => {
    const n = runs.reduce((s, r) => s + r.samplesMs.length, 0);
    return { ...runs[0], samplesMs: runs.flatMap((r) => r.samplesMs), cpuMs: runs.reduce((s, r) => s + r.cpuMs * r.samplesMs.length, 0) / Math.max(n, 1) };
  };
  const merged: RunnerReport = { ...first, cells: {}, batches: {}, notes: [...first.notes] };
  for (const key of Object.keys(first.cells)) merged.cells[key] = pooled(rounds.map((r) => r.cells[key]).filter(Boolean));
  for (const key of Object.keys(first.batches)) merged.batches[key] = pooled(rounds.map((r) => r.batches[key]).filter(Boolean));
  merged.loadMs = Math.max(...rounds.map((r) => r.loadMs));
  merged.peakRssBytes = Math.max(...rounds.map((r) => r.peakRssBytes));
  for (const r of rounds.slice(1)) for (const n of r.notes) if (!merged.notes.includes(n)) merged.notes.push(n);
  return merged;
}
