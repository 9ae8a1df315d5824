// When V8 moves onnxruntime's WebAssembly to its optimizing compiler, in a short-lived Node process.
import { setFlagsFromString } from 'node:v8';

/**
 * V8 first compiles WebAssembly with its baseline compiler (Liftoff) and recompiles a function with its optimizing
 * one (TurboFan, on another thread) once the function has run through a budget of code. With the default budget
 * (1.8 million) almost every function of onnxruntime that creating sessions touches is recompiled during the first
 * load: on two cores that is about a second of CPU competing with the load itself. With a budget about 100 times larger the
 * load and the first translations run on baseline code and only what keeps running is recompiled: in a fresh process,
 * package loaded 1.1-1.2 s instead of 1.6 s, a warm-up sentence and a first 30-word translation done at 1.8-1.9 s
 * instead of 2.7 s, half the CPU, and translations after the sixth as fast as with the default (docs/PERFORMANCE.md,
 * "Onnxruntime's WebAssembly optimized later in Node"). Call before the first session is created; V8 reads the
 * budget when it instantiates a module.
 */
export const WASM_TIERING_BUDGET = 200_000_000;

export function deferWasmTierUp(): void {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}
