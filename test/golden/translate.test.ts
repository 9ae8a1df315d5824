// The shipped model through onnxruntime-web's WASM backend in Node: every direction translates into the target language
// (script checked, no echo of the input), ko<->de goes through English and says so, and the CLI translates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel, type SessionName } from '../../src/engine/onnxModel';
import { Translator } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { Lang } from '../../src/shared/manifest';
import type { Tensor } from '../../src/shared/results';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const CASES: [Lang, Lang, string][] = [
  ['en', 'ko', 'The Transformer is based solely on attention mechanisms.'],
  ['ko', 'en', '은행에 가서 돈을 찾았다.'],
  ['en', 'de', 'Two dogs are playing in the snow.'],
  ['de', 'en', 'Zwei Hunde spielen im Schnee.'],
  ['ko', 'de', '파일을 저장합니다.'],   // no direct ko->de: pivots through English
];

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/u;
/** Lower-cased words of a text, punctuation dropped. */
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
/**
 * Share of the words of `text` that have Hangul in them (0 for a text without words). By words, not letters: Korean
 * keeps names in Latin letters ("Transformer는 …" is Korean), an English echo has no Hangul word at all.
 */
function hangulShare(text: string): number {
  const ws = words(text);
  return ws.length === 0 ? 0 : ws.filter((w) => HANGUL.test(w)).length / ws.length;
}
/** Share of `output`'s words that also occur in `input`: near 1 for an echo of the input. */
function echoShare(input: string, output: string): number {
  const seen = new Set(words(input));
  const out = words(output);
  return out.length === 0 ? 1 : out.filter((w) => seen.has(w)).length / out.length;
}

/**
 * The output is in the target language's script and is not the input echoed: most words of Korean output are Hangul,
 * English and German output has no Hangul at all and, from German or English, shares at most half its words with the input
 * (an echo shares all of them; real translations share names and numbers).
 */
function assertLanguage(from: Lang, to: Lang, input: string, output: string): void {
  if (to === 'ko') {
    assert.ok(hangulShare(output) >= 0.6, `"${output}" is not Korean (Hangul share ${hangulShare(output).toFixed(2)})`);
  } else {
    assert.equal(hangulShare(output), 0, `"${output}" (${to}) contains Hangul`);
    assert.match(output, /\p{Script=Latin}{2,}/u, `"${output}" has no Latin word`);
  }
  if (from !== 'ko' && to !== 'ko') assert.ok(echoShare(input, output) <= 0.5, `"${output}" echoes the input "${input}" (${to})`);
  assert.notEqual(output.trim(), input.trim(), 'the output is the input');
}

test('the default package translates in every direction (WASM in Node)', async (t) => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  assert.equal(model.backend, 'wasm');
  const translator = new Translator(model);
  for (const [from, to, text] of CASES) {
    await t.test(`${from}→${to}`, async () => {
      const r = await translator.translate(text, { from, to, beam: 4 });
      assert.equal(r.from, from);
      assert.equal(r.to, to);
      assert.ok(r.text.trim().length > 0, 'empty translation');
      assertLanguage(from, to, text, r.text);
      assert.ok(r.sentences[0].tgtTokens.length > 0);
      const s = r.sentences[0];
      // Source tokens always point into the user's text, also when the translation went through English.
      for (const tok of s.srcTokens.slice(1, -1)) assert.equal(tok.text, text.slice(tok.start, tok.end));
      const direct = model.manifest.directions.some(([a, b]) => a === from && b === to);
      if (direct) {
        assert.equal(s.pivot, undefined, `${from}→${to} is a direction of the model: no pivot`);
        return;
      }
      // No direct direction: the sentence went through English, and says so. The English in between is what the
      // model makes of the source on its own (from→en), and the output is what it makes of that English (en→to).
      assert.equal(typeof s.pivot, 'string', `${from}→${to} has no direct direction: the result names its English pivot`);
      assertLanguage(from, 'en', text, s.pivot!);
      assert.equal(s.attention, undefined, 'no attention through a pivot');
      const first = await translator.translateSentence(text, from, 'en', { to: 'en', beam: 4 });
      assert.equal(s.pivot, first.text, 'the pivot is the from→en translation');
      const second = await translator.translateSentence(s.pivot!, 'en', to, { to, beam: 4 });
      assert.equal(s.text, second.text, 'the output is the en→to translation of the pivot');
    });
  }
  await t.test('attention tensors have the shapes of the tokens and rows that sum to 1', async () => {
    const r = await translator.translate('은행에 가서 돈을 찾았다', { to: 'en', beam: 2, attention: true, steps: true });
    const s = r.sentences[0];
    const { encoder, decoder, cross } = s.attention!;
    const S = s.srcTokens.length;
    const T = s.tgtTokens.length;
    const { encoderLayers, decoderLayers, heads } = model.manifest.dims;
    assert.deepEqual(encoder.dims, [encoderLayers, heads, S, S]);
    assert.deepEqual(decoder.dims, [decoderLayers, heads, T, T]);
    assert.deepEqual(cross.dims, [decoderLayers, heads, T, S]);
    for (let row = 0; row < T; row++) {
      const sum = cross.data.slice(row * S, (row + 1) * S).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `cross row ${row} sums to ${sum}`);
    }
    assert.equal(s.steps!.length, T);
    assert.equal(s.srcTokens.map((x) => x.text).slice(1, -1).join('').replace(/\s/g, ''), '은행에가서돈을찾았다');
    // Float32Arrays that own their buffers exactly: postMessage to the host sends a typed array's whole buffer.
    for (const [name, t] of Object.entries(s.attention!) as [string, Tensor][]) {
      assert.ok(t.data instanceof Float32Array, `${name} is a Float32Array`);
      assert.equal(t.data.buffer.byteLength, t.data.byteLength, `${name} owns its buffer`);
      assert.equal(t.data.length, t.dims.reduce((a, b) => a * b, 1), `${name} has as many values as its dims say`);
    }
    assert.ok(s.attention!.queries && s.attention!.keys, 'queries and keys by default (the Paper Companion asks for them)');
  });
  await model.release();
});

test('the CLI translates stdin line by line and writes attention JSON', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'ac-cli-')), 'att.json');
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'translate', '--to', 'ko', '--beam', '1', '--attention', out],
    { input: 'Attention is all you need.\n\nReturns a list.\n', encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 4, JSON.stringify(r.stdout));
  assert.match(lines[0], /[\uAC00-\uD7A3]/);
  assert.equal(lines[1], '');
  const records = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(records.length, 2);
  assert.ok(records[0].sentences[0].attention.cross.dims.length === 4);
  // Tensors are written as arrays of numbers (the engine's Float32Arrays would otherwise be {"0": …} objects).
  const cross = records[0].sentences[0].attention.cross;
  assert.ok(Array.isArray(cross.data) && cross.data.length === cross.dims.reduce((a: number, b: number) => a * b, 1));
  // Each sentence carries its tokens' labels, one per token, by the rule the editor's views use.
  const s0 = records[0].sentences[0];
  assert.equal(s0.labels.source.length, s0.srcTokens.length);
  assert.equal(s0.labels.target.length, s0.tgtTokens.length);
  assert.ok(s0.labels.source.every((l: string) => l.length > 0 && !l.includes('\u2581')), JSON.stringify(s0.labels.source));
});

test('the CLI rejects bad arguments and a missing model with a clear message', () => {
  const bad = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'translate', '--to', 'fr'], { input: '', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--to must be one of/);
  const missing = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'translate', '--model', '/nonexistent/pkg'], { input: 'x\n', encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /\/nonexistent\/pkg/);
});

test('a load opens the graphs its first use needs, and the others on first use', async () => {
  const attention = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm', { firstUse: 'attention' });
  try {
    const m = attention.manifest;
    // The search runs plain translation's step (into Korean: its shortlist, opened by the first translation, when the
    // package has shortlists); the attention comes from decoderAttn after it (older packages: the attention step),
    // opened only once the search is done, so that the panel shows the text before it.
    const plainStep = m.searchShortlists?.ko ? 'shortlist:ko' : m.graphs.decoderStepSearch ? 'decoderStepSearch' : 'decoderStep';
    const attentionStep = m.graphs.decoderAttn ? 'decoderAttn' : 'decoderStepAttn';
    const atLoad = m.searchShortlists?.ko ? ['encoderAttn'] : ['encoderAttn', plainStep];
    assert.deepEqual(attention.openGraphs, atLoad, 'the panel: no plain encoder, no attention graph at load');
    const translator = new Translator(attention);
    const openAtText: SessionName[][] = [];
    const shown = await translator.translate('Attention is all you need.', {
      to: 'ko', beam: 2, attention: true, onPartial: () => openAtText.push(attention.openGraphs),
    });
    assert.ok(shown.sentences[0].attention, 'attention came back');
    assert.deepEqual(openAtText.map((g) => new Set(g)), [new Set([...atLoad, plainStep])], 'the whole text came before the attention graph opened');
    assert.deepEqual(new Set(attention.openGraphs), new Set([...atLoad, plainStep, attentionStep]), 'attention opens the search\'s step and its graph, nothing else');
    const out = await translator.translate('Attention is all you need.', { to: 'ko', beam: 2 });
    assert.equal(out.text, shown.text, 'the same translation with and without attention');
    assert.deepEqual(new Set(attention.openGraphs), new Set([...atLoad, plainStep, attentionStep, 'encoder']), 'a plain translation opens the plain encoder');
  } finally {
    await attention.release();
  }
  const plain = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  try {
    // Plain translation's step: the target language's shortlisted graph opens with the first translation (the load
    // cannot know the target); the full search step, where the package has no shortlists, opens at load.
    const shortlisted = Object.keys(plain.manifest.searchShortlists ?? {}).length > 0;
    assert.deepEqual(plain.openGraphs, shortlisted ? ['encoder'] : ['encoder', plain.manifest.graphs.decoderStepSearch ? 'decoderStepSearch' : 'decoderStep'],
      'by default, plain translation\'s graphs');
    if (shortlisted) {
      await new Translator(plain).translate('Attention is all you need.', { to: 'ko', beam: 1 });
      assert.deepEqual(plain.openGraphs, ['encoder', 'shortlist:ko'], 'the first translation opens its target\'s shortlisted step');
    }
  } finally {
    await plain.release();
  }
});
