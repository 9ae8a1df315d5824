// `backend: auto` takes WebGPU only on a hardware adapter (src/engine/backendChoice.ts): a software one (SwiftShader
// in headless Chromium, llvmpipe, WARP) was 4-8x slower than WebAssembly. The choice carries its reason and the
// adapter's name for the status bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterName, chooseBackend, isSoftwareAdapter, type AdapterFacts } from '../../src/engine/backendChoice';

/** navigator.gpu with one adapter (or none). `legacy`: facts only through requestAdapterInfo(), as older browsers. */
function gpu(facts: AdapterFacts | null, { legacy = false, fallbackFlag = false } = {}) {
  return {
    requestAdapter: async () => facts && (legacy
      ? { requestAdapterInfo: async () => facts, isFallbackAdapter: fallbackFlag }
      : { info: facts, isFallbackAdapter: fallbackFlag }),
  };
}

const SWIFTSHADER: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' };
const NVIDIA: AdapterFacts = { vendor: 'nvidia', architecture: 'lovelace', device: '', description: '' };
const LLVMPIPE: AdapterFacts = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
const WARP: AdapterFacts = { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' };

test('software adapters are recognised by flag or by name; hardware ones are not', () => {
  for (const f of [SWIFTSHADER, LLVMPIPE, WARP, { ...NVIDIA, isFallbackAdapter: true }]) assert.equal(isSoftwareAdapter(f), true, JSON.stringify(f));
  for (const f of [NVIDIA, { vendor: 'apple', architecture: 'common-3' }, { vendor: 'intel', architecture: 'gen-12lp' }, {}]) {
    assert.equal(isSoftwareAdapter(f), false, JSON.stringify(f));
  }
});

test('auto: WebAssembly on a software adapter, with the reason and the adapter named', async () => {
  assert.deepEqual(await chooseBackend('auto', gpu(SWIFTSHADER)),
    { backend: 'wasm', reason: 'softwareAdapter', adapter: 'google swiftshader (SwiftShader Device (Subzero))' });
  assert.equal((await chooseBackend('auto', gpu(NVIDIA, { fallbackFlag: true }))).backend, 'wasm', 'GPUAdapter.isFallbackAdapter (older browsers)');
  assert.equal((await chooseBackend('auto', gpu(LLVMPIPE, { legacy: true }))).reason, 'softwareAdapter', 'requestAdapterInfo() (older browsers)');
});

test('auto: WebGPU on a hardware adapter; WebAssembly without an adapter or without WebGPU', async () => {
  assert.deepEqual(await chooseBackend('auto', gpu(NVIDIA)), { backend: 'webgpu', reason: 'hardwareAdapter', adapter: 'nvidia lovelace' });
  assert.deepEqual(await chooseBackend('auto', gpu(null)), { backend: 'wasm', reason: 'noAdapter' });
  assert.deepEqual(await chooseBackend('auto', undefined), { backend: 'wasm', reason: 'noAdapter' });
  const throwing = { requestAdapter: async () => { throw new Error('blocked'); } };
  assert.deepEqual(await chooseBackend('auto', throwing), { backend: 'wasm', reason: 'noAdapter' });
});

test('the setting wins: webgpu on a software adapter too (an error without one), wasm always', async () => {
  assert.deepEqual(await chooseBackend('webgpu', gpu(SWIFTSHADER)), { backend: 'webgpu', reason: 'setting', adapter: 'google swiftshader (SwiftShader Device (Subzero))' });
  await assert.rejects(chooseBackend('webgpu', gpu(null)), /offers no WebGPU adapter/);
  let asked = false;
  const watching = { requestAdapter: async () => { asked = true; return null; } };
  assert.deepEqual(await chooseBackend('wasm', watching), { backend: 'wasm', reason: 'setting' });
  assert.equal(asked, false, 'wasm does not even ask for an adapter');
});

test('adapter names are short and never empty', () => {
  assert.equal(adapterName({}), 'unnamed adapter');
  assert.equal(adapterName({ description: 'Only a description' }), 'Only a description');
  assert.ok(adapterName({ vendor: 'x'.repeat(300) }).length <= 120);
});
