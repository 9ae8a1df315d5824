// The float32 weights that graphs exported with widened storage read (models/training/export.py widen_storage),
// written in memory from the package's compact weights file. The same rule as models/training/ort_package.py
// widened_bytes: each span of the weights file, widened, side by side in the manifest's order. onnxruntime then opens
// a session without folding a Cast per weight, about half of its creation time (docs/PERFORMANCE.md, "Float16
// weights widened once"); int8 storage halves the bytes that travel (docs/PERFORMANCE.md, "Int8 weights").
import { INT8_BLOCK as BLOCK, spanElements, type WidenedWeights } from '../shared/manifest';

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

/** The widened file's bytes: `weights`' spans as float32, side by side (little-endian, as both files are). */
export function widenSpans(weights: Uint8Array, widened: WidenedWeights): Uint8Array {
  const encoding = widened.encoding ?? 'float16';
  const counts = widened.spans.map(([offset, bytes]) => {
    if (offset + bytes > weights.byteLength) throw new RangeError(`widened span [${offset}, ${bytes}] lies past the weights' ${weights.byteLength} bytes`);
    const n = spanElements(bytes, encoding);
    if (n < 0) throw new RangeError(`widened span [${offset}, ${bytes}] is no ${encoding} span`);
    return n;
  });
  const out = new Float32Array(counts.reduce((a, b) => a + b, 0));
  const t = table();
  let at = 0;
  widened.spans.forEach(([offset, bytes], s) => {
    const n = counts[s];
    // A Uint16Array view needs an even byte offset; a copy when the bytes lie at an odd one (never, as read here).
    const start = weights.byteOffset + offset;
    const [buffer, base] = start % 2 === 0 ? [weights.buffer, start] : [weights.slice(offset, offset + bytes).buffer, 0];
    if (encoding === 'float16') {
      const halves = new Uint16Array(buffer, base, n);
      for (let i = 0; i < n; i++) out[at + i] = t[halves[i]];
    } else {
      const blocks = Math.ceil(n / BLOCK);
      const scales = new Uint16Array(buffer, base, blocks);
      const codes = new Int8Array(buffer, base + 2 * blocks, n);
      // code * scale in double is exact (8 x 11 significant bits); storing it rounds once, as float32 multiplication does.
      for (let b = 0; b < blocks; b++) {
        const scale = t[scales[b]];
        const end = Math.min(n, (b + 1) * BLOCK);
        for (let i = b * BLOCK; i < end; i++) out[at + i] = codes[i] * scale;
      }
    }
    at += n;
  });
  return new Uint8Array(out.buffer);
}
