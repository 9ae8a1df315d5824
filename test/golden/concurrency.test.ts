// The default package in Node (WASM) while other things happen: two translations at once give what they give one
// after the other, an abort stops decoding within one step, timers run during a translation, and a text longer
// than the model reads is translated whole. Properties only: nothing here depends on what the model says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Translator, type TranslateOptions } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { TranslationResult } from '../../src/shared/results';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const PARAGRAPH = [
  'The Transformer is based solely on attention mechanisms.',
  'Two dogs are playing in the snow.',
  'Returns a list of the words in the string.',
  'The model reads the whole sentence at once.',
  'Each head looks at a different part of the input.',
  'Attention weights show which words the model used.',
].join(' ');

/** Counts decoder steps by wrapping the model's step decoders (the engine is not changed for the test). */
function countSteps(model: OnnxModel): { readonly count: number } {
  const counter = { count: 0 };
  const original = model.stepDecoder.bind(model);
  model.stepDecoder = (enc, withAttention) => {
    const dec = original(enc, withAttention);
    return { ...dec, step: (state, tokens, perRow) => { counter.count++; return dec.step(state, tokens, perRow); } };
  };
  return counter;
}

/** A result without its timing, for comparing runs. */
const comparable = (r: TranslationResult) => ({ ...r, millis: 0 });

test('the engine stays live and correct under concurrency and cancellation (WASM in Node)', async (t) => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  const translator = new Translator(model);
  const steps = countSteps(model);

  await t.test('two translations at once, one with attention and one without, equal the same two one after the other', async () => {
    const withAttention: TranslateOptions = { from: 'en', to: 'ko', beam: 2, attention: true, steps: true };
    const plain: TranslateOptions = { from: 'en', to: 'de', beam: 2 };
    const textA = 'The Transformer is based solely on attention mechanisms.';
    const textB = 'Two dogs are playing in the snow. Returns a list.';
    const seqA = await translator.translate(textA, withAttention);
    const seqB = await translator.translate(textB, plain);
    const [a, b] = await Promise.all([translator.translate(textA, withAttention), translator.translate(textB, plain)]);
    assert.deepEqual(comparable(a), comparable(seqA));
    assert.deepEqual(comparable(b), comparable(seqB));
    // And the engine is still sound afterwards (a collision used to break later runs too).
    assert.deepEqual(comparable(await translator.translate(textB, plain)), comparable(seqB));
  });

  await t.test('a 0 ms timer fires within the first decoder steps of a translation', async () => {
    const start = steps.count;
    let firedAtStep: number | undefined;
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    const run = translator.translate(PARAGRAPH, { from: 'en', to: 'ko', beam: 2 });
    setTimeout(() => { firedAtStep = steps.count - start; }, 0);
    await run;
    clearInterval(interval);
    const total = steps.count - start;
    t.diagnostic(`${ticks} ticks of a 10 ms interval during ${total} steps in ${Math.round(performance.now() - t0)} ms`);
    assert.ok(total > 2, `only ${total} decoder steps: too few to tell`);
    assert.notEqual(firedAtStep, undefined, 'the timer did not fire during the translation');
    assert.ok(firedAtStep! <= 2, `the timer waited for ${firedAtStep} of ${total} decoder steps`);
    assert.ok(ticks > 0);
  });

  await t.test('an abort mid-translation rejects at once with a CancelledError, and decoding stops within one step', async () => {
    const abort = new AbortController();
    const start = steps.count;
    let stepsAtAbort = -1;
    let abortedAt = 0;
    const watcher = setInterval(() => {
      if (steps.count - start >= 3 && stepsAtAbort < 0) {
        stepsAtAbort = steps.count;
        abortedAt = performance.now();
        abort.abort();
      }
    }, 1);
    let result: TranslationResult | undefined;
    try {
      await assert.rejects(
        translator.translate(PARAGRAPH, { from: 'en', to: 'ko', beam: 4, attention: true, signal: abort.signal }).then((r) => { result = r; }),
        { name: 'CancelledError' },
      );
    } finally {
      clearInterval(watcher);
    }
    const latency = performance.now() - abortedAt;
    assert.ok(stepsAtAbort >= 0, 'the abort never fired while the translation ran');
    assert.equal(result, undefined);
    assert.ok(latency < 1000, `rejected ${Math.round(latency)} ms after the abort`);
    // The work behind the rejected promise stops too: give it time, then count the steps it took after the abort.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(steps.count - stepsAtAbort <= 1, `${steps.count - stepsAtAbort} decoder steps ran after the abort`);
    t.diagnostic(`rejected ${latency.toFixed(1)} ms after the abort; ${steps.count - stepsAtAbort} steps after it`);
  });

  await t.test('a signal aborted before the call runs no decoder step', async () => {
    const abort = new AbortController();
    abort.abort();
    const start = steps.count;
    await assert.rejects(translator.translate(PARAGRAPH, { from: 'en', to: 'ko', beam: 2, signal: abort.signal }), { name: 'CancelledError' });
    assert.equal(steps.count, start);
  });

  await t.test('a sentence longer than the model reads is translated whole, in chunks that fit', async () => {
    // 90 Han characters: 3 byte pieces each, about 270 tokens, over the 254 the model reads at once.
    const text = Array.from({ length: 90 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 0x5000))).join('');
    const r = await translator.translate(text, { from: 'en', to: 'ko', beam: 1 });
    assert.ok(r.sentences.length >= 2, `${r.sentences.length} chunk(s) for ${model.tokenizer.encode(text).ids.length} tokens`);
    const covered = new Uint8Array(text.length);
    for (const s of r.sentences) {
      assert.ok(s.srcTokens.length <= model.manifest.dims.maxLen, `a chunk has ${s.srcTokens.length} encoder positions`);
      for (const tok of s.srcTokens.slice(1, -1)) covered.fill(1, s.sourceOffset + tok.start, s.sourceOffset + tok.end);
    }
    assert.equal(covered.indexOf(0), -1, `character ${covered.indexOf(0)} of the input reached the model in no chunk`);
  });

  await model.release();
});
