// onnxruntime-web started from a WebAssembly module the page compiled, instead of from the binary's bytes.
// Why: Chromium keeps the optimized machine code of a module compiled with `WebAssembly.compileStreaming` from a
// response it can cache (the editor's webview service worker answers the runtime's URI from its cache storage), and
// a later window's compile then takes that code instead of compiling the module again, function by function, as it
// runs: its runtime starts and its first translation runs on optimized code (docs/PERFORMANCE.md, "The runtime's
// compiled code kept by the browser"). onnxruntime-web takes a binary (`env.wasm.wasmBinary`) or a URL, never a
// compiled module, and its glue instantiates the binary with `WebAssembly.instantiate(new Uint8Array(binary), imports)`.
// So the binary it is given is a marker, and the one `instantiate` call that passes it instantiates the module.

/** Where onnxruntime-web reads its binary (`ort.env`). */
export interface RuntimeEnv { wasm: { wasmBinary?: ArrayBufferLike | Uint8Array } }

/** The part of the WebAssembly namespace patched here (a test passes its own). */
export interface WasmApi { instantiate: typeof WebAssembly.instantiate }

/**
 * Makes the runtime of `env` instantiate `module` when it starts: its next `instantiate` of the marker set as its
 * binary, once; every other call goes through unchanged, and the first matching call puts `instantiate` back.
 */
export function startFromCompiled(env: RuntimeEnv, module: WebAssembly.Module, wasm: WasmApi = WebAssembly): void {
  // A valid, empty module's bytes: should a later onnxruntime copy the binary before instantiating it, the copy
  // instantiates without the runtime's exports and its start fails with onnxruntime's own message (the unit test
  // runs the pinned onnxruntime-web through this path).
  const marker = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).buffer;
  const original = wasm.instantiate;
  const patched = (source: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    const buffer = source instanceof ArrayBuffer ? source : ArrayBuffer.isView(source) ? source.buffer : undefined;
    if (buffer !== marker) return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(wasm, source, imports);
    wasm.instantiate = original;
    return original.call(wasm, module, imports).then((instance) => ({ instance, module }));
  };
  wasm.instantiate = patched as typeof WebAssembly.instantiate;
  env.wasm.wasmBinary = marker;
}
