// The Translator's sentence cache on the shipped model (WASM in Node): a sentence asked again is not decoded again,
// an edited paragraph decodes only the sentences that changed, and what comes back equals what an uncached
// translator gives (text, tokens, scores, offsets, attention), for plain, attention and step-player requests.
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

const SENTENCES = [
  'The Transformer is based solely on attention mechanisms.',
  'Two dogs are playing in the snow.',
  'Each head looks at a different part of the input.',
];
const EDITED = [SENTENCES[0], 'Three cats are sleeping in the sun.', SENTENCES[2]];

/** Counts the sentences the model encodes (decoded sentences), by wrapping its encoder calls. */
function countEncoded(model: OnnxModel): { readonly count: number } {
  const counter = { count: 0 };
  const encode = model.encode.bind(model);
  const encodeBatch = model.encodeBatch.bind(model);
  model.encode = (ids, withAttention) => { counter.count++; return encode(ids, withAttention); };
  model.encodeBatch = (sources) => { counter.count += sources.length; return encodeBatch(sources); };
  return counter;
}

/** A result without its timing, for comparing runs. */
const comparable = (r: TranslationResult) => ({ ...r, millis: 0 });

/**
 * The same translation: everything equal but the scores, which may differ in the last float32 digits between a
 * sentence decoded alone and in a padded batch (the tokens may not: test/golden/sentenceBatching.test.ts).
 */
function assertSame(actual: TranslationResult, expected: TranslationResult): void {
  const scoreless = (r: TranslationResult) => ({ ...comparable(r), sentences: r.sentences.map((s) => ({ ...s, score: 0, normalizedScore: 0 })) });
  assert.deepEqual(scoreless(actual), scoreless(expected));
  actual.sentences.forEach((s, i) => {
    assert.ok(Math.abs(s.score - expected.sentences[i].score) < 1e-3, `sentence ${i}: score ${s.score}, expected ${expected.sentences[i].score}`);
    assert.ok(Math.abs(s.normalizedScore - expected.sentences[i].normalizedScore) < 1e-3);
  });
}

test('sentences asked again come from the cache, equal to decoding them (WASM in Node)', async (t) => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  const cached = new Translator(model, { cacheBytes: 8 << 20 });
  const fresh = new Translator(model);
  const encoded = countEncoded(model);
  const decodedBy = async (work: () => Promise<TranslationResult>) => {
    const before = encoded.count;
    const result = await work();
    return { result, decoded: encoded.count - before };
  };

  for (const beam of [1, 4]) {
    await t.test(`a paragraph, the same again, then one sentence edited (beam ${beam})`, async () => {
      const opts: TranslateOptions = { from: 'en', to: 'ko', beam };
      const first = await decodedBy(() => cached.translate(SENTENCES.join(' '), opts));
      assert.equal(first.decoded, 3);
      const again = await decodedBy(() => cached.translate(SENTENCES.join(' '), opts));
      assert.equal(again.decoded, 0, 'the same paragraph again decodes nothing');
      assert.deepEqual(comparable(again.result), comparable(first.result));

      const progress: [number, number][] = [];
      const partials: number[] = [];
      const edited = await decodedBy(() => cached.translate(EDITED.join(' '), { ...opts, onProgress: (d, n) => progress.push([d, n]), onPartial: (p) => partials.push(p.done) }));
      assert.equal(edited.decoded, 1, 'only the edited sentence is decoded');
      assertSame(edited.result, await fresh.translate(EDITED.join(' '), opts));
      assert.deepEqual(progress, [[0, 3], [2, 3], [3, 3]], 'progress counts the sentences from the cache at once');
      assert.deepEqual(partials, [1], 'the first sentence shows before the edited one is decoded');
    });
  }

  await t.test('a sentence in another paragraph, at another offset, is a hit with its own offset', async () => {
    const opts: TranslateOptions = { from: 'en', to: 'ko', beam: 4 };
    const text = `Intro words here. ${SENTENCES[1]}`;
    const { result, decoded } = await decodedBy(() => cached.translate(text, opts));
    assert.equal(decoded, 1);
    assertSame(result, await fresh.translate(text, opts));
    assert.equal(result.sentences[1].sourceOffset, text.indexOf(SENTENCES[1]));
  });

  await t.test('attention: decoded once, then it also answers a plain request; steps likewise', async () => {
    const sentence = 'Attention weights show which words the model used.';
    const attn: TranslateOptions = { from: 'en', to: 'ko', beam: 4, attention: true, queriesAndKeys: false, steps: true };
    const first = await decodedBy(() => cached.translate(sentence, attn));
    assert.equal(first.decoded, 1);
    assert.ok(first.result.sentences[0].attention);
    const again = await decodedBy(() => cached.translate(sentence, attn));
    assert.equal(again.decoded, 0);
    assert.deepEqual(comparable(again.result), comparable(await fresh.translate(sentence, attn)));
    const plain = await decodedBy(() => cached.translate(sentence, { from: 'en', to: 'ko', beam: 4 }));
    assert.equal(plain.decoded, 0);
    // The attention graphs and the plain search graph agree on the tokens; scores to float32 rounding.
    assertSame(plain.result, await fresh.translate(sentence, { from: 'en', to: 'ko', beam: 4 }));
    const withQk = await decodedBy(() => cached.translate(sentence, { ...attn, queriesAndKeys: true }));
    assert.equal(withQk.decoded, 1, 'queries and keys were not kept: decoded again');
  });

  await t.test('a hit\'s attention counts against the translation\'s attention budget', async () => {
    const sentence = 'The model reads the whole sentence at once.';
    const attn: TranslateOptions = { from: 'en', to: 'ko', beam: 2, attention: true, queriesAndKeys: false };
    await cached.translate(sentence, attn);
    const { result, decoded } = await decodedBy(() => cached.translate(sentence, { ...attn, attentionBudgetBytes: 1000 }));
    assert.equal(decoded, 0);
    assert.equal(result.sentences[0].attention, undefined);
    assert.equal(result.sentences[0].attentionLeftOut, true);
    assert.equal(result.attentionLeftOut?.sentences, 1);
  });

  await t.test('without a cache every request decodes', async () => {
    const { decoded } = await decodedBy(() => fresh.translate(SENTENCES[0], { from: 'en', to: 'ko', beam: 1 }));
    assert.equal(decoded, 1);
    assert.equal(fresh.cache, undefined);
  });
});
