// The benchmark's arithmetic and plan (bench/): statistics, ratios that read "above 1: ours is better", every row
// present for every runtime, and a fixture whose sentences the engine reads as one translation unit each. No timing here:
// npm run bench:smoke runs the benchmark itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { translationUnits } from '../../src/engine/translationUnits';
import { checkFixture, makePlan, mergeRounds, SIZES, type Plan, type RunnerReport, type RuntimeId } from '../../bench/plan';
import { agreement, cpuRows, formatValue, median, p95, ratio, renderMarkdown, renderText, wallRows } from '../../bench/table';

const root = resolve(__dirname, '../../..');
const fixture = checkFixture(JSON.parse(readFileSync(join(root, 'bench/sentences.json'), 'utf8')));

function report(runtime: RuntimeId, plan: Plan, ms: number): RunnerReport {
  const cells = Object.fromEntries(plan.cells.map((c) => [c.key, { samplesMs: [ms, ms * 2, ms * 3], cpuMs: ms, outputs: c.sentences.map((_, i) => [10 + i, 11]) }]));
  const batches = Object.fromEntries(plan.batches.map((b) => [b.key, { samplesMs: [1000], cpuMs: 1000, words: 100, sentences: b.sentences.length }]));
  return { runtime, label: runtime, loadMs: ms * 10, cells, batches, peakRssBytes: 100e6, notes: [] };
}

test('median and nearest-rank p95', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(p95([5, 1, 4, 2, 3]), 5);
  assert.equal(p95(Array.from({ length: 100 }, (_, i) => i + 1)), 95);
  assert.ok(Number.isNaN(median([])) && Number.isNaN(p95([])));
});

test('the plan has every direction, size, decoding and attention setting; quick keeps them all', () => {
  for (const quick of [false, true]) {
    const plan = makePlan(fixture, { quick, repeats: 5, threads: 1 });
    assert.equal(plan.cells.length, 2 * SIZES.length * 2 * 2);
    assert.equal(new Set(plan.cells.map((c) => c.key)).size, plan.cells.length, 'cell keys are unique');
    for (const c of plan.cells) assert.equal(c.sentences.length, quick ? 1 : fixture[c.from as 'en' | 'ko'][c.size].length);
    assert.equal(plan.batches.length, 4);
  }
  assert.throws(() => checkFixture({ ...fixture, ko: { ...fixture.ko, 60: [] } }), /"ko"."60" must be a list of sentences/);
});

test('--sizes keeps the cells and batches of those sizes only', () => {
  const plan = makePlan(fixture, { quick: false, repeats: 3, threads: 1, sizes: ['25'] });
  assert.equal(plan.cells.length, 2 * 2 * 2);
  assert.ok(plan.cells.every((c) => c.size === '25'));
  assert.equal(plan.batches.length, 4);
  for (const b of plan.batches) assert.deepEqual(b.sentences, fixture[b.from as 'en' | 'ko']['25']);
});

test('every fixture sentence is one translation unit to the engine, and the sizes are about right', () => {
  for (const lang of ['en', 'ko'] as const) {
    for (const size of SIZES) {
      for (const s of fixture[lang][size]) {
        // As the translator cuts text (sourceSpans): sentences, and cuts at verbatim spans such as numbers.
        assert.equal(translationUnits(s).length, 1, `cut into several units: ${s}`);
        const words = s.split(/\s+/).length;
        assert.ok(Math.abs(words - Number(size)) <= Math.max(1, Number(size) * 0.2), `${words} words for size ${size}: ${s}`);
      }
    }
  }
});

test('ratios read "above 1: ours is better" for times and throughput alike', () => {
  const plan = makePlan(fixture, { quick: true, repeats: 1, threads: 1 });
  const reports = { 'node-wasm': report('node-wasm', plan, 10), pytorch: report('pytorch', plan, 30) };
  const wall = wallRows(plan, reports);
  const latency = wall.find((r) => r.label === plan.cells[0].key)!;
  assert.deepEqual(latency.figures['node-wasm'], { value: 20, p95: 30 });
  assert.equal(ratio(latency, 'node-wasm'), 3);
  const batch = wall.find((r) => r.label.startsWith('batch greedy'))!;
  assert.equal(batch.figures['node-wasm']!.value, 100, '200 words in 2 s');
  reports.pytorch.batches[plan.batches[0].key].samplesMs = [3000];
  assert.equal(ratio(wallRows(plan, reports).find((r) => r.label.startsWith('batch greedy'))!, 'node-wasm'), 2, 'ours 100 words/s, PyTorch 50');
});

test('every row is rendered for every runtime; skipped and missing figures say so', () => {
  const plan = makePlan(fixture, { quick: true, repeats: 1, threads: 1 });
  const node = report('node-wasm', plan, 10);
  delete node.cells[plan.cells[1].key];
  const reports: Partial<Record<RuntimeId, RunnerReport>> = {
    'node-wasm': node, 'chromium-webgpu': { ...report('chromium-webgpu', plan, 1), skipped: 'no adapter' }, pytorch: report('pytorch', plan, 20),
  };
  const text = renderText(wallRows(plan, reports), reports).split('\n');
  assert.equal(text.length, 1 + 1 + plan.cells.length + 2 + 1, 'header, load, cells, two batches, memory');
  const missing = text.find((l) => l.startsWith(plan.cells[1].key))!;
  assert.match(missing, /—/);
  assert.match(text[2], /skipped/);
  const md = renderMarkdown(cpuRows(plan, reports), reports).split('\n');
  assert.equal(md.length, 2 + plan.cells.length + 2);
  assert.ok(md.every((l) => l.startsWith('| ') && l.endsWith(' |')));
  assert.equal(formatValue({ value: 12.345, p95: 120.4 }, 'ms'), '12.3 / 120');
  assert.equal(formatValue({ value: NaN }, 'ms'), '—');
});

test('agreement counts translations with exactly the same target tokens', () => {
  const plan = makePlan(fixture, { quick: true, repeats: 1, threads: 1 });
  const ours = report('node-wasm', plan, 1);
  const torch = report('pytorch', plan, 1);
  ours.cells[plan.cells[0].key].outputs = [[10, 12]];
  assert.deepEqual(agreement(plan, ours, torch), { same: plan.cells.length - 1, total: plan.cells.length });
});

test('rounds pool their samples, weight CPU means by samples, keep the first outputs, the slowest load and highest peak', () => {
  const plan = makePlan(fixture, { quick: false, repeats: 1, threads: 1 });
  const a = report('pytorch', plan, 10);
  const b = { ...report('pytorch', plan, 20), peakRssBytes: 50e6, notes: ['second'] };
  const key = plan.cells[0].key;
  b.cells[key] = { ...b.cells[key], samplesMs: [20], cpuMs: 40, outputs: [[99]] };
  const m = mergeRounds([a, b]);
  assert.deepEqual(m.cells[key].samplesMs, [10, 20, 30, 20]);
  assert.equal(m.cells[key].cpuMs, (10 * 3 + 40 * 1) / 4);
  assert.deepEqual(m.cells[key].outputs, a.cells[key].outputs);
  const batch = plan.batches[0].key;
  assert.deepEqual(m.batches[batch].samplesMs, [1000, 1000]);
  assert.equal(m.loadMs, 200);
  assert.equal(m.peakRssBytes, 100e6);
  assert.deepEqual(m.notes, ['second']);
  assert.deepEqual(a.cells[key].samplesMs, [10, 20, 30], 'the rounds themselves are not changed');
  assert.equal(mergeRounds([a]).cells[key].samplesMs.length, 3);
  assert.throws(() => mergeRounds([]));
});
