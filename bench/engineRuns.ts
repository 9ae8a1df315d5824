// The engine's side of the benchmark, through its public API (Translator): latency cells, batches and the attention
// payload. Runs unchanged in Node and in the browser page; each side supplies its clocks. No Node or DOM imports.
import type { Translator, TranslateOptions } from '../src/engine/translator';
import type { TranslationResult } from '../src/shared/results';
import { savePanelState } from '../src/shared/savedResult';
import { boundaryBytes, plainJsonBytes } from './boundaryBytes';
import { wordCount, type BatchRun, type BatchSpec, type CellRun, type LatencyCell, type Plan } from './plan';

export interface Clocks {
  /** Wall clock, ms. */
  now(): number;
  /** CPU time of this process, ms; absent where the page cannot see it (Chromium: the orchestrator reads /proc). */
  cpu?(): number;
}

export type Progress = (line: string) => void;

function options(plan: Plan, from: TranslateOptions['from'], to: TranslateOptions['to'], beam: number, attention: boolean): TranslateOptions {
  // The Attention panel's options (webview/main.ts): no per-head queries and keys.
  return { from, to, beam, attention, queriesAndKeys: false, attentionBudgetBytes: plan.attentionBudgetBytes };
}

/** The target ids of every sentence, without </s> (compared across runtimes). */
function outputIds(r: TranslationResult, eos: number): number[] {
  return r.sentences.flatMap((s) => s.tgtTokens.map((t) => t.id).filter((id) => id !== eos));
}

/** What the warm-up saw: the first attention request's time, and each settling round's (ms, wall). */
export interface WarmUpReport { firstAttentionMs: number; settleRoundsMs: number[] }

/** Settling rounds: at least 2, at most this many (1 in --quick: the CI smoke checks that rows print, not figures). */
export const MAX_SETTLE_ROUNDS = 8;

/**
 * Before any timing: one translation per direction with and without attention, so session creation (the attention
 * graphs load on first use) and the first run's allocations are not in the samples; the first attention request's
 * time is what a cold Show Attention pays on top of the model load. Then settling rounds (each: the first 25-word
 * sentence of each direction, greedy and beam 4) until a round is no more than 10% faster than the one before: V8
 * compiles onnxruntime's hot functions with its optimizing tier while they run, on a background thread, and with one
 * repeat per sentence the first cells otherwise measured that (session 14: en→ko's first cells at twice the CPU of
 * later ones). The rounds' times are reported beside the table, so the first translations' cost stays visible.
 */
export async function warmUp(t: Translator, plan: Plan, clocks: Clocks): Promise<WarmUpReport> {
  let firstAttentionMs = 0;
  for (const cell of plan.cells.filter((c) => c.size === '5' && c.beam === 1)) {
    const t0 = clocks.now();
    await t.translate(cell.sentences[0], options(plan, cell.from, cell.to, 1, cell.attention));
    if (cell.attention && !firstAttentionMs) firstAttentionMs = clocks.now() - t0;
  }
  const round = plan.cells.filter((c) => c.size === '25' && !c.attention);
  const settleRoundsMs: number[] = [];
  const maxRounds = plan.quick ? 1 : MAX_SETTLE_ROUNDS;
  while (settleRoundsMs.length < maxRounds) {
    const t0 = clocks.now();
    for (const cell of round) await t.translate(cell.sentences[0], options(plan, cell.from, cell.to, cell.beam, false));
    settleRoundsMs.push(clocks.now() - t0);
    const n = settleRoundsMs.length;
    if (n >= 2 && settleRoundsMs[n - 1] >= 0.9 * settleRoundsMs[n - 2]) break;
  }
  return { firstAttentionMs, settleRoundsMs };
}

export async function runCell(t: Translator, plan: Plan, cell: LatencyCell, clocks: Clocks): Promise<CellRun> {
  const eos = t.model.manifest.special.eos;
  const opts = options(plan, cell.from, cell.to, cell.beam, cell.attention);
  const samplesMs: number[] = [];
  const outputs: number[][] = [];
  let cpu = 0;
  for (let r = 0; r < cell.repeats; r++) {
    for (const sentence of cell.sentences) {
      const c0 = clocks.cpu?.() ?? 0;
      const t0 = clocks.now();
      const result = await t.translate(sentence, opts);
      samplesMs.push(clocks.now() - t0);
      cpu += (clocks.cpu?.() ?? 0) - c0;
      if (r === 0) outputs.push(outputIds(result, eos));
      if (cell.attention && result.sentences.some((s) => !s.attention)) {
        throw new Error(`${cell.key}: the engine left the attention out (budget ${plan.attentionBudgetBytes} bytes)`);
      }
    }
  }
  return { samplesMs, cpuMs: cpu / samplesMs.length, outputs };
}

export async function runBatch(t: Translator, plan: Plan, batch: BatchSpec, clocks: Clocks): Promise<BatchRun> {
  // Joined on one line: the engine's sentence splitter must give back exactly these sentences.
  const text = batch.sentences.join(' ');
  const spans = t.sourceSpans(text);
  if (spans.length !== batch.sentences.length) {
    throw new Error(`${batch.key}: the engine splits the batch into ${spans.length} sentences, not ${batch.sentences.length}; fix bench/sentences.json`);
  }
  const samplesMs: number[] = [];
  let cpu = 0;
  for (let r = 0; r < batch.repeats; r++) {
    const c0 = clocks.cpu?.() ?? 0;
    const t0 = clocks.now();
    await t.translate(text, options(plan, batch.from, batch.to, batch.beam, false));
    samplesMs.push(clocks.now() - t0);
    cpu += (clocks.cpu?.() ?? 0) - c0;
  }
  return { samplesMs, cpuMs: cpu / batch.repeats, words: wordCount(text), sentences: batch.sentences.length };
}

export interface PayloadReport {
  /** Encoder input length (target tag, pieces, </s>) and generated tokens (with </s>). */
  sourceTokens: number;
  targetTokens: number;
  /**
   * Show Attention's answer (beam 4, attention and steps, no queries/keys) as the panel posts it to the host: the ipc
   * response around the result, counted as VS Code sends it (./boundaryBytes.ts: JSON text plus ArrayBuffers).
   */
  bytes: number;
  /** Of it, the JSON text and the ArrayBuffers (the tensors' float32 values). */
  jsonBytes: number;
  bufferBytes: number;
  /** The attention tensors' part. */
  attentionBytes: number;
  /** The same answer with the encoder's per-head queries and keys (the Translator's default, the Paper Companion's, which never sends them to the host). */
  bytesWithQueriesAndKeys: number;
  /** The same answer as plain JSON, tensors as arrays of numbers: how it crossed before (the baseline's 508 KB). */
  plainJsonBytes: number;
  /** The panel's saved state for this result (webview setState, JSON: src/shared/savedResult.ts). */
  savedStateBytes: number;
}

/** Show Attention's options (src/commands/translate.ts, webview/main.ts) on the payload sentence. */
export async function measurePayload(t: Translator, plan: Plan): Promise<PayloadReport> {
  const { from, to, text } = plan.payload;
  const base: TranslateOptions = { from, to, beam: 4, attention: true, steps: true };
  const shown = await t.translate(text, { ...base, queriesAndKeys: false });
  const full = await t.translate(text, { ...base, queriesAndKeys: true });
  const s = shown.sentences[0];
  if (shown.sentences.length !== 1 || !s.attention) throw new Error('the payload sentence must be one sentence with attention');
  // What src/shared/ipc.ts posts for an answered request.
  const response = (result: TranslationResult) => ({ kind: 'response', id: 1, ok: true, result });
  const crossing = boundaryBytes(response(shown));
  return {
    sourceTokens: s.srcTokens.length, targetTokens: s.tgtTokens.length,
    bytes: crossing.bytes, jsonBytes: crossing.jsonBytes, bufferBytes: crossing.bufferBytes, attentionBytes: boundaryBytes(s.attention).bytes,
    bytesWithQueriesAndKeys: boundaryBytes(response(full)).bytes,
    plainJsonBytes: plainJsonBytes(response(shown)),
    savedStateBytes: new TextEncoder().encode(JSON.stringify(savePanelState(shown))).length,
  };
}

/** Every cell and batch of the plan, in order, with a progress line per cell. */
export async function runPlan(t: Translator, plan: Plan, clocks: Clocks, progress: Progress): Promise<{ cells: Record<string, CellRun>; batches: Record<string, BatchRun> }> {
  const cells: Record<string, CellRun> = {};
  for (const cell of plan.cells) {
    cells[cell.key] = await runCell(t, plan, cell, clocks);
    progress(cell.key);
  }
  const batches: Record<string, BatchRun> = {};
  for (const b of plan.batches) {
    batches[b.key] = await runBatch(t, plan, b, clocks);
    progress(`batch ${b.key}`);
  }
  return { cells, batches };
}
