// The float32 weights that graphs exported with widened storage read (models/training/export.py widen_storage),
// written in memory from the package's float16 weights file. The same rule as models/training/ort_package.py
// widened_bytes: each float16 span of the weights file, widened, side by side in the manifest's order. onnxruntime
// then opens a session without folding a Cast per weight, about half of its creation time (docs/PERFORMANCE.md,
// "Float16 weights widened once").
import type { WidenedWeights } from '../shared/manifest';

let halfToFloat: Float32Array | undefined;

/** Every float16 bit pattern's float32 value (256 KB; exact: float32 holds every float16 value, NaN payloads too). */
function table(): Float32Array {
  if (halfToFloat) return halfToFloat;
  const bits = new Uint32Array(65536);
  const floats = new Float32Array(bits.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    if (exp === 0x1f) bits[h] = sign | 0x7f800000 | (mant << 13);               // Inf, NaN
    else if (exp) bits[h] = sign | ((exp + 112) << 23) | (mant << 13);           // normal: rebias 15 -> 127
    else floats[h] = (sign ? -1 : 1) * mant * 2 ** -24;                           // zero, subnormal
  }
  return (halfToFloat = floats);
}

/** The widened file's bytes: `weights`' float16 spans as float32, side by side (little-endian, as both files are). */
export function widenFloat16Spans(weights: Uint8Array, widened: WidenedWeights): Uint8Array {
  const t = table();
  const total = widened.spans.reduce((n, [, bytes]) => n + bytes / 2, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const [offset, bytes] of widened.spans) {
    if (offset + bytes > weights.byteLength) throw new RangeError(`widened span [${offset}, ${bytes}] lies past the weights' ${weights.byteLength} bytes`);
    const start = weights.byteOffset + offset;
    // A Uint16Array view needs an even byte offset; a copy when the bytes lie at an odd one (never, as read here).
    const halves = start % 2 === 0 ? new Uint16Array(weights.buffer, start, bytes / 2) : new Uint16Array(weights.slice(offset, offset + bytes).buffer);
    for (let i = 0; i < halves.length; i++) out[at + i] = t[halves[i]];
    at += halves.length;
  }
  return new Uint8Array(out.buffer);
}
