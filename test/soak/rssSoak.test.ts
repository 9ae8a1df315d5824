// Slow soak: the shipped default package through the TypeScript engine (onnxruntime-web WASM in Node) for 100
// translations of varied short inputs; the process's resident memory may not grow by 20 MB or more. A leak of
// tensors, attention or sessions per translation shows here long before a user notices it in a webview.
// AC_SOAK_TRANSLATIONS and AC_SOAK_LIMIT_MB change the count and the bound (for a local look, not for CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Translator, type TranslateOptions } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { Lang } from '../../src/shared/manifest';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const TRANSLATIONS = Number(process.env.AC_SOAK_TRANSLATIONS ?? 100);
const LIMIT_MB = Number(process.env.AC_SOAK_LIMIT_MB ?? 20);
/** Rounds over every input before the first sample. */
const WARM_ROUNDS = 3;
/** An RSS sample after every this many translations (and one right after the warm-up). */
const SAMPLE_EVERY = 10;
/** Baseline and end are each the median of this many samples, so one late page-in or heap resize cannot decide. */
const MEDIAN_OF = 3;
const MB = 2 ** 20;

interface SoakInput { text: string; from: Lang; to: Lang; attention?: boolean; beam: number }

/** Short inputs in every direction the model has, a few with attention (the heaviest results), a few with emoji. */
const INPUTS: SoakInput[] = [
  { text: 'The Transformer is based solely on attention mechanisms.', from: 'en', to: 'ko', beam: 2 },
  { text: '은행에 가서 돈을 찾았다', from: 'ko', to: 'en', beam: 2, attention: true },
  { text: 'Two dogs are playing in the snow.', from: 'en', to: 'de', beam: 2 },
  { text: 'Das Wetter ist heute sehr schön.', from: 'de', to: 'en', beam: 2 },
  { text: 'She bought a small house near the station.', from: 'en', to: 'ko', beam: 1, attention: true },
  { text: '오늘은 날씨가 정말 좋네요. 산책하러 갈까요?', from: 'ko', to: 'en', beam: 2 },
  { text: 'Die Forscher haben das Modell auf zwei Kernen trainiert.', from: 'de', to: 'en', beam: 1, attention: true },
  { text: 'Returns a list of the words in the string.', from: 'en', to: 'de', beam: 2 },
  { text: '회의는 내일 오전 10시에 시작합니다 🙂', from: 'ko', to: 'en', beam: 1 },
  { text: 'Each head looks at a different part of the input.', from: 'en', to: 'ko', beam: 2, attention: true },
  { text: 'Ich habe das Buch gestern gelesen.', from: 'de', to: 'en', beam: 2 },
  { text: 'Most students now study online for at least an hour a day.', from: 'en', to: 'de', beam: 1, attention: true },
  { text: '이 문장은 번역 모델의 메모리를 시험합니다.', from: 'ko', to: 'en', beam: 2 },
  { text: 'The model reads the whole sentence at once 🚀 and writes it again.', from: 'en', to: 'ko', beam: 1 },
  { text: 'Wir fahren morgen mit dem Zug nach Berlin.', from: 'de', to: 'en', beam: 2 },
  { text: 'Attention weights show which words the model used.', from: 'en', to: 'ko', beam: 2 },
];

/** The V8 collector as a function: --expose-gc's global when present, otherwise the same exposed for this process. */
function collector(): { gc: () => void; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return { gc: exposed, how: '--expose-gc' };
  setFlagsFromString('--expose-gc');
  return { gc: runInNewContext('gc') as () => void, how: 'v8.setFlagsFromString' };
}

/** RSS once garbage is gone: two full collections with a macrotask between, so finalizers and freed pages settle. */
async function settledRss(gc: () => void): Promise<number> {
  gc();
  await new Promise((r) => setTimeout(r, 20));
  gc();
  return process.memoryUsage.rss();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);

test(`slow soak: ${TRANSLATIONS} translations grow RSS by less than ${LIMIT_MB} MB (WASM in Node)`, async (t) => {
  assert.ok(TRANSLATIONS >= SAMPLE_EVERY * (2 * MEDIAN_OF - 1), `AC_SOAK_TRANSLATIONS=${TRANSLATIONS} is too few to tell growth from noise`);
  const { gc, how } = collector();
  const t0 = performance.now();
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  const translator = new Translator(model);
  const run = (input: SoakInput) => {
    const opts: TranslateOptions = { from: input.from, to: input.to, beam: input.beam, attention: input.attention, steps: input.attention };
    return translator.translate(input.text, opts);
  };
  try {
    // Warm-up: every input three times, so every session exists and the WASM heap has reached its high-water mark
    // (it grows but never shrinks; growth after this point is what a leak looks like). With one round, RSS still
    // stepped up by ~7 MB twice within the soak (first touches of heap pages as the allocator's free lists settle).
    for (let round = 0; round < WARM_ROUNDS; round++) for (const input of INPUTS) await run(input);
    const warmMs = performance.now() - t0;

    const samples: { after: number; rss: number }[] = [{ after: 0, rss: await settledRss(gc) }];
    let empty = 0;
    for (let i = 1; i <= TRANSLATIONS; i++) {
      const input = INPUTS[(i * 7) % INPUTS.length];        // 7 is coprime with 16: every input, in a shuffled order
      const r = await run(input);
      if (!r.text.trim()) empty++;
      if (input.attention) assert.ok(r.sentences.some((s) => s.attention), `translation ${i} asked for attention and got none`);
      if (i % SAMPLE_EVERY === 0) samples.push({ after: i, rss: await settledRss(gc) });
    }
    assert.equal(empty, 0, `${empty} of ${TRANSLATIONS} translations came back empty: the soak did not exercise the model`);

    const baseline = median(samples.slice(0, MEDIAN_OF).map((s) => s.rss));
    const end = median(samples.slice(-MEDIAN_OF).map((s) => s.rss));
    const growth = end - baseline;
    const heap = process.memoryUsage();
    t.diagnostic(`gc via ${how}; warm-up ${WARM_ROUNDS * INPUTS.length} translations in ${(warmMs / 1000).toFixed(1)} s, `
      + `soak ${TRANSLATIONS} in ${((performance.now() - t0 - warmMs) / 1000).toFixed(1)} s`);
    t.diagnostic(`RSS (MB) after n translations: ${samples.map((s) => `${s.after}:${mb(s.rss)}`).join(' ')}`);
    t.diagnostic(`baseline ${mb(baseline)} MB (median of the first ${MEDIAN_OF}), end ${mb(end)} MB (median of the last ${MEDIAN_OF}), `
      + `growth ${mb(growth)} MB; JS heap ${mb(heap.heapUsed)} MB, array buffers ${mb(heap.arrayBuffers)} MB`);
    assert.ok(growth < LIMIT_MB * MB,
      `RSS grew by ${mb(growth)} MB over ${TRANSLATIONS} translations (limit ${LIMIT_MB} MB): something is kept per translation`);
  } finally {
    await model.release();
  }
});
