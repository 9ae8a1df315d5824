// The runtime's warm-up graph (src/engine/runtimeWarmup.ts): a real one-node Cast that onnxruntime-web opens and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import type { OrtModule } from '../../src/engine/onnxModel';
import { runtimeWarmupBytes, warmUpRuntime } from '../../src/engine/runtimeWarmup';

test('the warm-up graph is one Cast from float to int64, and running it truncates 2.7 to 2', async () => {
  ort.env.wasm.numThreads = 1;
  const bytes = runtimeWarmupBytes();
  assert.equal(bytes.length, 98);
  // The node's op type, in the ModelProto's bytes: nothing else than a Cast is in it.
  const text = new TextDecoder('latin1').decode(bytes);
  assert.match(text, /Cast/);
  assert.doesNotMatch(text, /Identity/);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['y']);
  } finally {
    await session.release();
  }
  assert.equal(await warmUpRuntime(ort as unknown as OrtModule), 2);
});
