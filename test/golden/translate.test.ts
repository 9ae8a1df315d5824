// The shipped model through onnxruntime-web's WASM backend in Node: every direction translates, and so does the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Translator } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { Lang } from '../../src/shared/manifest';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const CASES: [Lang, Lang, string, RegExp][] = [
  ['en', 'ko', 'The Transformer is based solely on attention mechanisms.', /[\uAC00-\uD7A3]/],
  ['ko', 'en', '은행에 가서 돈을 찾았다.', /[A-Za-z]/],
  ['en', 'de', 'Two dogs are playing in the snow.', /[A-Za-zÄÖÜäöüß]/],
  ['de', 'en', 'Zwei Hunde spielen im Schnee.', /[A-Za-z]/],
  ['ko', 'de', '파일을 저장합니다.', /[A-Za-zÄÖÜäöüß]/],   // no direct ko->de: pivots through English
];

test('the default package translates in every direction (WASM in Node)', async (t) => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  assert.equal(model.backend, 'wasm');
  const translator = new Translator(model);
  for (const [from, to, text, script] of CASES) {
    await t.test(`${from}→${to}`, async () => {
      const r = await translator.translate(text, { from, to, beam: 4 });
      assert.equal(r.from, from);
      assert.equal(r.to, to);
      assert.ok(r.text.trim().length > 0, 'empty translation');
      assert.match(r.text, script, `"${r.text}" is not in the target script`);
      assert.ok(r.sentences[0].tgtTokens.length > 0);
      const s = r.sentences[0];
      // Source tokens always point into the user's text, also when the translation went through English.
      for (const tok of s.srcTokens.slice(1, -1)) assert.equal(tok.text, text.slice(tok.start, tok.end));
      if (s.pivot !== undefined) assert.equal(s.attention, undefined);
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
});

test('the CLI rejects bad arguments and a missing model with a clear message', () => {
  const bad = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'translate', '--to', 'fr'], { input: '', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--to must be one of/);
  const missing = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'translate', '--model', '/nonexistent/pkg'], { input: 'x\n', encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /\/nonexistent\/pkg/);
});
