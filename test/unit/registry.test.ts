// The model registry (src/models/registry.ts) reads the current package once per choice: every Translate asks for it,
// and reading it each time cost 150-300 ms on a busy machine (e2e scenario 60). Choose Model reads it again; a
// package that failed to read is not remembered.
import './fakes/installVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uri, workspace } from './fakes/vscode';
import { tinyPackage } from './fakes/panelScript';
import { ModelRegistry } from '../../src/models/registry';
import type * as vscode from 'vscode';

/** An extension folder whose models/DEFAULT names a package written from a real manifest (tinyPackage's). */
function extensionWith(id: string): { context: vscode.ExtensionContext; state: Map<string, unknown>; packageDir: string } {
  const ext = mkdtempSync(join(tmpdir(), 'ac-ext-'));
  const pkg = tinyPackage(id);
  const packageDir = join(ext, 'models', id);
  mkdirSync(join(ext, 'models'), { recursive: true });
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir);
  writeFileSync(join(packageDir, 'manifest.json'), JSON.stringify(validManifest(pkg.manifest, id)));
  writeFileSync(join(ext, 'models', 'DEFAULT'), id);
  const state = new Map<string, unknown>();
  const context = {
    extensionUri: Uri.file(ext),
    globalState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => { state.set(k, v); } },
  } as unknown as vscode.ExtensionContext;
  return { context, state, packageDir };
}

/** tinyPackage's manifest with the fields validateManifest asks for. */
function validManifest(m: unknown, id: string): unknown {
  return {
    ...(m as object), id, description: 'test', languages: ['en', 'ko'], directions: [['en', 'ko'], ['ko', 'en']],
    tags: { en: '<2en>', ko: '<2ko>' }, special: { pad: 0, unk: 1, bos: 2, eos: 3, tags: { en: 4, ko: 5 } },
    dims: { vocab: 16, dModel: 8, heads: 2, dHead: 4, dFF: 16, encoderLayers: 1, decoderLayers: 1, maxLen: 32, preLN: true },
  };
}

test('the current package is read once per choice, and again after Choose Model', async () => {
  const { context, packageDir } = extensionWith('reg-once');
  const registry = new ModelRegistry(context);
  const manifestReads = () => workspace.fs.reads.filter((p) => p === join(packageDir, 'manifest.json')).length;
  const before = manifestReads();
  const a = await registry.current();
  const b = await registry.current();
  assert.equal(a.manifest.id, 'reg-once');
  assert.equal(b, a, 'the same entry, not read again');
  assert.equal(manifestReads() - before, 1);
  await registry.choose(a);
  await registry.current();
  assert.equal(manifestReads() - before, 2, 'read again after a choice');
});

test('a package that could not be read is not remembered: the next call reads again', async () => {
  const { context, packageDir } = extensionWith('reg-retry');
  const registry = new ModelRegistry(context);
  writeFileSync(join(packageDir, 'manifest.json'), '{ not json');
  await assert.rejects(registry.current(), /manifest\.json/);
  writeFileSync(join(packageDir, 'manifest.json'), JSON.stringify(validManifest(tinyPackage('x').manifest, 'reg-retry')));
  assert.equal((await registry.current()).manifest.id, 'reg-retry');
});
