// The shipped model on long input: a translation's attention stays under its stated byte bound and says what it left
// out, and the CLI writes valid JSON for a long line, one line's result at a time, in a small heap.
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
import type { TranslationResult } from '../../src/shared/results';
import { typedArraysAsArrays } from '../../src/cli/jsonArrayFile';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const SENTENCES = [
  'The committee said that the new policy would help small farmers.',
  'Researchers found that the river had risen by two metres in one night.',
  'She bought a small house near the station.',
  'Most students now study online for at least an hour a day.',
];
/** Eight sentences on one line: more attention than the bounds below allow. */
const LONG_LINE = Array.from({ length: 8 }, (_, i) => SENTENCES[i % SENTENCES.length]).join(' ');

/** JSON bytes of a result's attention as the CLI's file holds it (more than crosses the webview boundary: 4 bytes a value there). */
const attentionBytes = (r: TranslationResult) => Buffer.byteLength(JSON.stringify(r.sentences.map((s) => s.attention ?? null), typedArraysAsArrays));

test("a long input's attention stays under the stated byte bound and carries the left-out message", async () => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  try {
    const limit = 2 ** 20;
    // As the Attention panel asks: maps without the queries and keys.
    const r = await new Translator(model).translate(LONG_LINE, { to: 'ko', beam: 1, attention: true, queriesAndKeys: false, attentionBudgetBytes: limit });
    assert.equal(r.sentences.length, 8);
    assert.ok(attentionBytes(r) <= limit, `${attentionBytes(r)} bytes of attention > ${limit}`);
    const kept = r.sentences.filter((s) => s.attention);
    const leftOut = r.sentences.filter((s) => s.attentionLeftOut);
    assert.ok(kept.length > 0, 'the first sentences keep their attention');
    assert.ok(leftOut.length > 0, 'the bound left some out');
    assert.equal(kept.length + leftOut.length, 8);
    for (const s of leftOut) assert.equal(s.attention, undefined);
    for (const s of kept) assert.equal(s.attention!.queries, undefined);
    assert.deepEqual({ ...r.attentionLeftOut, message: '' }, { sentences: leftOut.length, of: 8, limitBytes: limit, message: '' });
    assert.match(r.attentionLeftOut!.message, new RegExp(`left out for ${leftOut.length} of 8 sentences.*1 MB`));
    // Every sentence is still translated.
    for (const s of r.sentences) assert.ok(s.text.trim().length > 0);
  } finally {
    await model.release();
  }
});

test('the CLI writes valid JSON for a long line within a small heap, bounded, and says what it left out', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'ac-cli-long-')), 'att.json');
  const limitMb = 1;
  const r = spawnSync(process.execPath, ['--max-old-space-size=160', join(root, 'dist/cli.js'), 'translate', '--to', 'ko', '--beam', '1',
    '--attention', out, '--attention-limit', String(limitMb)], { input: `${LONG_LINE}\nShort line.\n`, encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 3, JSON.stringify(r.stdout));
  const records = JSON.parse(readFileSync(out, 'utf8')) as TranslationResult[];
  assert.equal(records.length, 2);
  assert.ok(attentionBytes(records[0]) <= limitMb * 2 ** 20);
  assert.ok(records[0].attentionLeftOut, 'the long line left attention out');
  assert.equal(records[1].attentionLeftOut, undefined, 'the short line kept all of its attention');
  assert.match(r.stderr, /line 1: Attention was left out for \d+ of 8 sentences/);
});
