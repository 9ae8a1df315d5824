// The engine's warm-up (src/engine/engineWarmup.ts): the micro package loads and translates as a real one does, it
// stops when asked, and its graphs hold every operator the shipped package's graphs run (else the first real search
// would still meet a kernel V8 has not compiled optimized: regenerate it with models/training/warmup_package.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel, type OrtModule } from '../../src/engine/onnxModel';
import { WARMUP_TEXT, startWarmup, warmUpEngine, warmupPackage } from '../../src/engine/engineWarmup';
import { CancelledError } from '../../src/engine/beam';
import { defaultPackageDir } from '../../src/node/fsPackage';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
const runtime = ort as unknown as OrtModule;

test('the warm-up loads the micro package, translates with attention and beam 4, and releases its sessions', async () => {
  const report = await warmUpEngine(runtime);
  // Random weights seldom choose </s>: the search runs to its length limit, min(63, 2 * source + 10).
  assert.ok(report.tokens >= 10, `only ${report.tokens} target tokens`);
  assert.ok(report.ms > 0);
  const model = await OnnxModel.load(runtime, warmupPackage(), { backend: 'wasm', reason: 'setting' });
  try {
    assert.equal(model.manifest.id, 'engine-warmup');
    assert.ok(model.tokenizer.encode(WARMUP_TEXT).ids.length >= 5);
  } finally {
    await model.release();
  }
});

test('an aborted warm-up stops between two decoder steps', async () => {
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(warmUpEngine(runtime, stop.signal), CancelledError);
});

test('startWarmup: the Cast, then the engine on WASM until ready() stops it; only the Cast for WebGPU', async () => {
  const heard = (marks: string[]) => marks.map((m) => m.replace(/\(.*\)/, '(..)'));
  // Left alone, the engine's warm-up runs to its end.
  const whole: string[] = [];
  const a = startWarmup(runtime, 'wasm', (m) => whole.push(m));
  await new Promise<void>((resolve) => { const poll = () => (whole.length === 3 ? resolve() : setTimeout(poll, 20)); poll(); });
  await a.ready();
  assert.deepEqual(heard(whole), ['runtime instantiated (..)', 'runtime started', 'engine warmed up on the micro model (..)']);
  // Called as soon as the Cast has run: the engine's warm-up stops (or never starts), and ready() waits for that.
  const stopped: string[] = [];
  const b = startWarmup(runtime, 'wasm', (m) => {
    stopped.push(m);
    if (m === 'runtime started') void b.ready();
  });
  await b.ready();
  assert.deepEqual(heard(stopped.slice(0, 2)), ['runtime instantiated (..)', 'runtime started']);
  assert.ok(stopped.length === 2 || stopped[2] === 'engine warm-up stopped: the package is in', stopped.join(', '));
  // WebGPU's kernels are shaders: no engine warm-up on the CPU for it.
  const gpu: string[] = [];
  await startWarmup(runtime, 'webgpu', (m) => gpu.push(m)).ready();
  assert.deepEqual(heard(gpu), ['runtime instantiated (..)', 'runtime started']);
});

test('the warm-up graphs hold every operator of the default package', async (t) => {
  let dir: string;
  try {
    dir = defaultPackageDir(resolve(__dirname, '../../..'));
  } catch {
    return t.skip('no default package');
  }
  const shipped: string[] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).operators;
  const warm = JSON.parse(new TextDecoder().decode(await warmupPackage().read('manifest.json')));
  const missing = shipped.filter((op) => !warm.operators.includes(op));
  assert.deepEqual(missing, [], 'run models/training/warmup_package.py again');
  assert.ok(warm.searchShortlists.ko, 'the first real translation runs a shortlisted step into Korean');
});
