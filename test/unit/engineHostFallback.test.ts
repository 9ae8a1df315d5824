// The webview's EngineHost keeps its model when loading another package fails: the error names the bad file, and
// the previous model still translates, unchanged. Loads the default package (onnxruntime-web, WASM, in Node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { EngineHost } from '../../webview/engineHost';
import { OnnxModel } from '../../src/engine/onnxModel';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import { PackageError } from '../../src/shared/packageError';
import type { LoadModelParams } from '../../src/shared/protocol';

const root = resolve(__dirname, '../../..');
const good = (() => {
  try {
    return defaultPackageDir(root);
  } catch {
    return undefined;
  }
})();
const noPackage = !good || !existsSync(join(good, 'manifest.json')) ? 'no default model package' : false;
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const params = (dir: string): LoadModelParams => ({ baseUri: dir, ortBaseUri: '', backend: 'wasm', label: dir });

test('a failed load leaves the previously loaded model usable', { skip: noPackage }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ac-fallback-'));
  try {
    const host = new EngineHost((p) => OnnxModel.load(ort, fsPackage(p.baseUri), 'wasm'));
    const first = await host.load(params(good!));
    const opts = { to: 'ko' as const, from: 'en' as const, beam: 1 };
    const before = await host.translator.translate('The cat sat on the mat.', opts);
    assert.ok(before.text.length > 0);

    // Another package whose weights were damaged in place (same size): it must not replace the loaded model.
    const bad = join(scratch, 'damaged');
    cpSync(good!, bad, { recursive: true });
    const weights = JSON.parse(readFileSync(join(bad, 'manifest.json'), 'utf8')).weights as string;
    const bytes = readFileSync(join(bad, weights));
    bytes.fill(0, 0, 65536);
    writeFileSync(join(bad, weights), bytes);
    await assert.rejects(host.load(params(bad)),
      (e: unknown) => e instanceof PackageError && e.file === join(bad, weights) && /sha256 does not match/.test(e.problem));

    const after = await host.translator.translate('The cat sat on the mat.', opts);
    assert.equal(after.text, before.text, 'the previous model translates as before');
    assert.equal(after.modelId, first.id);
    const again = await host.load(params(good!));
    assert.equal(again.id, first.id, 'asking for the previous package again finds it still loaded');
    await host.translator.model.release();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
