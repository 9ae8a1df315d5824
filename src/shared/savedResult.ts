// The Attention panel's saved state (webview setState; VS Code gives it back after a window reload): the result it
// shows, with each tensor's float32 bytes as base64. setState keeps JSON only, where a Float32Array would turn into
// an {"0": …} object (and numbers cost up to 26 bytes each, base64 5.3). No vscode, no DOM: unit-tested in Node.
import type { SentenceAttention, SentenceResult, Tensor, TranslationResult } from './results';

/** A tensor in the saved state: its dims and its values' float32 bytes (the machine's byte order) as base64. */
export interface SavedTensor { dims: number[]; float32: string }

const TENSOR_KEYS = ['encoder', 'decoder', 'cross', 'queries', 'keys'] as const;
type SavedAttention = Partial<Record<(typeof TENSOR_KEYS)[number], SavedTensor>>;
type SavedSentence = Omit<SentenceResult, 'attention'> & { attention?: SavedAttention };
type SavedResult = Omit<TranslationResult, 'sentences'> & { sentences: SavedSentence[] };

/** What the panel passes to setState. `version` names this form; a state without it is the older plain-JSON form. */
export interface SavedPanelState { version: 2; result: SavedResult }

/** The state that brings `result` back after a reload. */
export function savePanelState(result: TranslationResult): SavedPanelState {
  return {
    version: 2,
    result: {
      ...result,
      sentences: result.sentences.map((s) => {
        if (!s.attention) return s as SavedSentence;
        const attention: SavedAttention = {};
        for (const k of TENSOR_KEYS) {
          const t = s.attention[k];
          if (t) attention[k] = { dims: [...t.dims], float32: bytesToBase64(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) };
        }
        return { ...s, attention };
      }),
    },
  };
}

/**
 * The result a saved state holds; undefined when it holds none or is not one this code wrote (then the panel starts
 * empty rather than drawing a broken map). Also reads the older form, whose tensors were JSON arrays of numbers.
 */
export function restorePanelState(state: unknown): TranslationResult | undefined {
  const s = state as { version?: unknown; result?: unknown } | undefined;
  const r = s?.result as (Omit<TranslationResult, 'sentences'> & { sentences?: unknown }) | undefined;
  if (!r || typeof r !== 'object' || typeof r.text !== 'string' || !Array.isArray(r.sentences)) return undefined;
  const sentences: SentenceResult[] = [];
  for (const raw of r.sentences as (Omit<SentenceResult, 'attention'> & { attention?: Record<string, unknown> })[]) {
    if (!raw || typeof raw !== 'object' || !Array.isArray(raw.srcTokens) || !Array.isArray(raw.tgtTokens)) return undefined;
    if (!raw.attention) {
      sentences.push(raw as SentenceResult);
      continue;
    }
    const attention: Partial<SentenceAttention> = {};
    for (const k of TENSOR_KEYS) {
      if (raw.attention[k] === undefined) continue;
      const t = readTensor(raw.attention[k]);
      if (!t) return undefined;
      attention[k] = t;
    }
    if (!attention.encoder || !attention.decoder || !attention.cross) return undefined;
    sentences.push({ ...raw, attention: attention as SentenceAttention });
  }
  return { ...(r as TranslationResult), sentences };
}

function readTensor(v: unknown): Tensor | undefined {
  const t = v as { dims?: unknown; float32?: unknown; data?: unknown } | undefined;
  if (!t || !Array.isArray(t.dims) || !t.dims.every((d) => Number.isInteger(d) && d >= 0)) return undefined;
  const size = (t.dims as number[]).reduce((a, b) => a * b, 1);
  let data: Float32Array | undefined;
  if (typeof t.float32 === 'string') {
    const bytes = base64ToBytes(t.float32);
    if (bytes && bytes.length === size * 4) data = new Float32Array(bytes.buffer, 0, size);
  } else if (Array.isArray(t.data) && t.data.length === size && t.data.every((x) => typeof x === 'number')) {
    data = Float32Array.from(t.data as number[]);
  }
  return data && { dims: [...(t.dims as number[])], data };
}

// ---------------------------------------------------------------- base64 (btoa needs a string per byte; Buffer is Node's)

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // Chunks of 3 × 4096 bytes: String.fromCharCode takes its arguments on the stack.
  for (let start = 0; start < bytes.length; start += 12_288) {
    const end = Math.min(bytes.length, start + 12_288);
    const codes: number[] = [];
    for (let i = start; i < end; i += 3) {
      const n = (bytes[i] << 16) | ((i + 1 < end ? bytes[i + 1] : 0) << 8) | (i + 2 < end ? bytes[i + 2] : 0);
      codes.push(ALPHABET.charCodeAt(n >> 18), ALPHABET.charCodeAt((n >> 12) & 63),
        i + 1 < end ? ALPHABET.charCodeAt((n >> 6) & 63) : 61, i + 2 < end ? ALPHABET.charCodeAt(n & 63) : 61);
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** The bytes of a padded base64 string; undefined when it is not one. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const c = [0, 1, 2, 3].map((k) => {
      const code = text.charCodeAt(i + k);
      return last && k >= 4 - pad && code === 61 ? 0 : code < 128 ? DECODE[code] : -1;
    });
    if (c.some((x) => x < 0)) return undefined;
    const n = (c[0] << 18) | (c[1] << 12) | (c[2] << 6) | c[3];
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
