// The extension host's text process (src/node/textProcess.ts, as built into dist/textProcess.mjs) with the shipped
// model: the same result as the engine in this process (text, tokens, attention as Float32Arrays), its whole text
// before its result, a preload that the next translation finds (and the selection's sentence it translates ahead
// into the cache), a cancel, a package it cannot open, and its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Translator } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import { HostTranslationCancelled, TextProcess, type TextProcessParams } from '../../src/node/textProcessClient';

const root = resolve(__dirname, '../../..');
const dir = defaultPackageDir(root);
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const SENTENCE = 'The Transformer allows for significantly more parallelization.';
const newProcess = () => new TextProcess(resolve(root, 'dist/textProcess.mjs'), resolve(root, 'dist/ort/ort-wasm-simd-threaded.wasm'));
const signal = () => new AbortController().signal;

test('the text process gives the in-process engine\'s result, its whole text first, and ends when released', async () => {
  const params: TextProcessParams = { text: SENTENCE, to: 'auto', beam: 4, attention: true, steps: true };
  const model = await OnnxModel.load(ort, fsPackage(dir), 'wasm');
  const local = await new Translator(model).translate(SENTENCE, { ...params, queriesAndKeys: false });
  await model.release();
  const process = newProcess();
  try {
    assert.equal(process.running, false);
    const texts: string[] = [];
    const hosted = await process.translate(dir, params, { signal: signal(), onPartial: (t, whole) => texts.push(`${whole}: ${t}`) });
    assert.equal(process.running, true);
    assert.deepEqual(texts, [`true: ${local.text}`], 'one sentence: its whole text once, before the result');
    const r = hosted.result;
    assert.equal(r.text, local.text);
    assert.equal(r.sentences.length, local.sentences.length);
    const [a, b] = [r.sentences[0], local.sentences[0]];
    assert.deepEqual(a.srcTokens, b.srcTokens);
    assert.deepEqual(a.tgtTokens, b.tgtTokens);
    assert.ok(a.attention?.cross.data instanceof Float32Array, 'tensors cross the process boundary as Float32Arrays');
    assert.deepEqual(Array.from(a.attention!.cross.data), Array.from(b.attention!.cross.data));
    assert.ok(a.steps && a.steps.length === b.steps?.length, 'the steps come too');
    assert.equal(a.attention?.queries, undefined, 'no queries and keys: the panel does not draw them');
    assert.ok(hosted.loadMs > 0 && hosted.translateMs > 0);
    // Again: answered from the process's sentence cache, its whole text still before the result.
    texts.length = 0;
    const again = await process.translate(dir, params, { signal: signal(), onPartial: (t, whole) => texts.push(`${whole}: ${t}`) });
    assert.equal(again.result.text, local.text);
    assert.deepEqual(texts, [`true: ${local.text}`], 'a cached text: its whole text once, before the result');
  } finally {
    process.release();
  }
  assert.equal(process.running, false);
});

test('a preload with the selection\'s first sentence translates it ahead: its Translate is answered from the cache, the same result', async () => {
  const params: TextProcessParams = { text: SENTENCE, to: 'ko', from: 'en', beam: 4, attention: true, steps: true };
  const model = await OnnxModel.load(ort, fsPackage(dir), 'wasm');
  const local = await new Translator(model).translate(SENTENCE, { ...params, queriesAndKeys: false });
  await model.release();
  const process = newProcess();
  try {
    // The user reads what they selected: the preload ends first.
    const ms = await process.preload(dir, 'en', 'ko', 4, SENTENCE);
    assert.ok(ms > 0);
    const hosted = await process.translate(dir, params, { signal: signal() });
    assert.ok((hosted.marks ?? []).some(([label]) => label === 'process: the selection\'s first sentence translated'), 'translated ahead');
    assert.equal(hosted.result.text, local.text);
    const [a, b] = [hosted.result.sentences[0], local.sentences[0]];
    assert.deepEqual(a.tgtTokens, b.tgtTokens);
    assert.deepEqual(Array.from(a.attention!.cross.data), Array.from(b.attention!.cross.data));
    assert.ok(a.steps && a.steps.length === b.steps?.length, 'its steps were kept too');
    assert.ok(hosted.translateMs < 50, `answered from the sentence cache (${hosted.translateMs.toFixed(1)} ms)`);
  } finally {
    process.release();
  }
});

test('a preload loads the package before the translation that follows; cancel and a missing package reject', async () => {
  const process = newProcess();
  try {
    const preloaded = process.preload(dir, 'en', 'auto', 1);
    const first = await process.translate(dir, { text: 'Attention.', to: 'auto', beam: 1, attention: false }, { signal: signal() });
    assert.ok(first.queuedMs > 0, 'it waited behind the preload');
    assert.ok(first.loadMs < 50, `loaded by the preload, not by the translation (${first.loadMs} ms)`);
    assert.ok(await preloaded > 0, 'the preload said it ended');
    // Its own marks come with the first result, in order: start, the preload, its sessions, the translation (no warm-up:
    // the translation was asked for at once).
    const labels = (first.marks ?? []).map(([label]) => label);
    const order = ['process: started', 'process: preload asked', 'process: encoderAttn session created', 'process: package loaded',
      'process: no warm-up (a translation waits)', 'process: translated'];
    assert.deepEqual(labels.filter((l) => order.includes(l)), order, labels.join(', '));
    assert.ok(!labels.includes('process: encoder session created'), 'the plain encoder is not opened for attention translations');
    const times = (first.marks ?? []).map(([, at]) => at);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'epoch ms, in order');

    const stop = new AbortController();
    const long = Array.from({ length: 12 }, () => SENTENCE).join(' ');
    const cancelled = process.translate(dir, { text: long, to: 'ko', beam: 4, attention: true }, { signal: stop.signal });
    setTimeout(() => stop.abort(), 20);
    await assert.rejects(cancelled, HostTranslationCancelled);
    // The process goes on: the next translation is answered.
    const again = await process.translate(dir, { text: 'Attention.', to: 'auto', beam: 1, attention: false }, { signal: signal() });
    assert.equal(again.result.text, first.result.text);

    await assert.rejects(process.preload(resolve(root, 'models/no-such-package'), 'en', 'auto', 1), /preload failed/);
    await assert.rejects(process.translate(resolve(root, 'models/no-such-package'), { text: 'x', to: 'auto', beam: 1, attention: false }, { signal: signal() }),
      /manifest\.json: does not exist/);
  } finally {
    process.release();
  }
});

test('a process that cannot start fails its translation with the reason', async () => {
  const process = new TextProcess(resolve(root, 'dist/textProcess.mjs'), resolve(root, 'dist/ort/no-such-runtime.wasm'));
  try {
    await assert.rejects(process.translate(dir, { text: 'x', to: 'auto', beam: 1, attention: false }, { signal: signal() }), /the text process exited/);
    assert.equal(process.running, false);
  } finally {
    process.release();
  }
});
