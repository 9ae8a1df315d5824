// Which execution provider the engine uses: WebAssembly, or WebGPU when it can be expected to be faster. A software
// WebGPU adapter (Chromium's SwiftShader without a GPU, Mesa's llvmpipe/lavapipe, Windows' WARP) runs the shaders on
// the CPU: measured in code-server, 51 s cold and 9.2 s warm on SwiftShader against 18 s and 1.2 s on WebAssembly.
// So `auto` takes WebGPU only for a hardware adapter. No DOM types: runs in a webview, a worker and Node.
import type { BackendChoice, BackendSetting } from '../shared/results';

/** What a WebGPU adapter says about itself (GPUAdapterInfo, and the older GPUAdapter.isFallbackAdapter). */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** Names of adapters that compute on the CPU, as their vendor, architecture or description give them. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** True when the adapter is a software one: flagged as a fallback adapter, or named like one. */
export function isSoftwareAdapter(facts: AdapterFacts): boolean {
  if (facts.isFallbackAdapter) return true;
  return [facts.vendor, facts.architecture, facts.device, facts.description].some((s) => !!s && SOFTWARE_ADAPTER.test(s));
}

/** "google swiftshader (SwiftShader Device (Subzero))": the adapter's non-empty names, for the status tooltip. */
export function adapterName(facts: AdapterFacts): string {
  const main = [facts.vendor, facts.architecture].filter((s) => !!s?.trim()).join(' ');
  const detail = facts.description?.trim() || facts.device?.trim();
  const name = main && detail ? `${main} (${detail})` : main || detail || 'unnamed adapter';
  return name.length > 120 ? name.slice(0, 117) + '…' : name;
}

/** The parts of navigator.gpu and GPUAdapter the choice reads (declared here: the engine has no DOM types). */
interface GpuLike { requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null> }
interface AdapterLike {
  info?: AdapterFacts;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?(): Promise<AdapterFacts>;
}

/** The facts of an adapter: `info` (current browsers) or requestAdapterInfo() (older ones). */
async function factsOf(adapter: AdapterLike): Promise<AdapterFacts> {
  let info: AdapterFacts | undefined = adapter.info;
  if (!info && typeof adapter.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  const pick = (k: keyof AdapterFacts) => (typeof info?.[k] === 'string' ? (info[k] as string) : undefined);
  return {
    vendor: pick('vendor'), architecture: pick('architecture'), device: pick('device'), description: pick('description'),
    isFallbackAdapter: info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
  };
}

/**
 * Picks the execution provider for `setting`: `wasm` as asked; `webgpu` as asked (an error when there is no adapter);
 * `auto`: WebGPU on a hardware adapter, else WebAssembly. `gpu` defaults to this realm's navigator.gpu.
 */
export async function chooseBackend(setting: BackendSetting, gpu: GpuLike | undefined = navigatorGpu()): Promise<BackendChoice> {
  if (setting === 'wasm') return { backend: 'wasm', reason: 'setting' };
  let adapter: AdapterLike | null = null;
  try {
    adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }) : null;
  } catch {
    adapter = null;
  }
  if (!adapter) {
    if (setting === 'webgpu') {
      throw new Error('The backend setting asks for WebGPU, but this editor offers no WebGPU adapter. Set "attentionCompanion.backend" to "auto" or "wasm".');
    }
    return { backend: 'wasm', reason: 'noAdapter' };
  }
  const facts = await factsOf(adapter);
  const name = adapterName(facts);
  if (setting === 'webgpu') return { backend: 'webgpu', reason: 'setting', adapter: name };
  return isSoftwareAdapter(facts)
    ? { backend: 'wasm', reason: 'softwareAdapter', adapter: name }
    : { backend: 'webgpu', reason: 'hardwareAdapter', adapter: name };
}

function navigatorGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}
