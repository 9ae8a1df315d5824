// onnxruntime-web started from a module the page compiled (webview/engine/compiledRuntime.ts): the pinned
// onnxruntime-web, given the marker as its binary, instantiates the compiled module and runs a graph; the patch is
// used once and put back; any other instantiate goes through unchanged. Its own process (node --test runs each file
// apart): the runtime starts once per realm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { OrtModule } from '../../src/engine/onnxModel';
import { warmUpRuntime } from '../../src/engine/runtimeWarmup';
import { startFromCompiled, type WasmApi } from '../../webview/engine/compiledRuntime';
import { ORT_WASM_FILES } from '../../webview/engine/workerProtocol';

/** The smallest valid module: the magic word and version 1. */
const EMPTY = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

test('other instantiate calls go through unchanged, and the marker\'s call gets the module and its instance, once', async () => {
  const module = await WebAssembly.compile(EMPTY);
  const calls: unknown[] = [];
  const wasm: WasmApi = {
    instantiate: ((source: unknown, imports?: WebAssembly.Imports) => {
      calls.push(source);
      return (WebAssembly.instantiate as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
    }) as typeof WebAssembly.instantiate,
  };
  const original = wasm.instantiate;
  const env: { wasm: { wasmBinary?: ArrayBufferLike | Uint8Array } } = { wasm: {} };
  startFromCompiled(env, module, wasm);
  assert.notEqual(wasm.instantiate, original);
  const other = await wasm.instantiate(EMPTY.slice()) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  assert.ok(other.instance instanceof WebAssembly.Instance);
  assert.notEqual(other.module, module);
  assert.notEqual(wasm.instantiate, original, 'a call with other bytes leaves the patch in place');
  // As onnxruntime's glue does: a view of the binary it was given.
  const binary = env.wasm.wasmBinary as ArrayBuffer;
  const mine = await wasm.instantiate(new Uint8Array(binary), {}) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  assert.equal(mine.module, module);
  assert.ok(mine.instance instanceof WebAssembly.Instance);
  assert.equal(wasm.instantiate, original, 'put back after its one use');
  assert.equal(calls[calls.length - 1], module, 'the module itself was instantiated, not the marker');
});

test('the pinned onnxruntime-web starts from a compiled module and runs a graph', async () => {
  const dist = dirname(require.resolve('onnxruntime-web'));
  const bytes = readFileSync(join(dist, ORT_WASM_FILES.wasm));
  const module = await WebAssembly.compile(bytes);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const original = WebAssembly.instantiate;
  startFromCompiled(ort.env, module);
  assert.equal(await warmUpRuntime(ort as unknown as OrtModule), 2);
  assert.equal(WebAssembly.instantiate, original, 'the runtime instantiated through the patch, which is gone');
});
