// Bytes a message takes across VS Code's host <-> webview boundary, counted as VS Code sends it to and from an
// extension whose engines.vscode is 1.57 or later (src/vs/workbench/api/common/extHostWebviewMessaging.ts): the
// message as JSON text, every ArrayBuffer and typed array in it replaced by a small reference object, and beside the
// text each distinct ArrayBuffer once, whole (a typed array sends all of the buffer it views, not only its part).
// No Node or DOM imports: the bench's page and its Node runner both count with it.

export interface BoundaryBytes {
  /** All of it: `jsonBytes + bufferBytes`. */
  bytes: number;
  /** The JSON text (UTF-8), references included. */
  jsonBytes: number;
  /** The distinct ArrayBuffers, whole. */
  bufferBytes: number;
  buffers: number;
}

const VIEW_TYPES = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

export function boundaryBytes(message: unknown): BoundaryBytes {
  const buffers: ArrayBufferLike[] = [];
  const refer = (buffer: ArrayBufferLike): number => {
    const known = buffers.indexOf(buffer);
    return known >= 0 ? known : buffers.push(buffer) - 1;
  };
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer) return { $$vscode_array_buffer_reference$$: true, index: refer(value) };
    if (ArrayBuffer.isView(value)) {
      // VS Code writes the view's type (a small number), offset and length beside the reference.
      return { $$vscode_array_buffer_reference$$: true, index: refer(value.buffer), view: { type: VIEW_TYPES.indexOf(value.constructor.name) + 1, byteLength: value.byteLength, byteOffset: value.byteOffset } };
    }
    return value;
  });
  const jsonBytes = utf8Length(json);
  const bufferBytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  return { bytes: jsonBytes + bufferBytes, jsonBytes, bufferBytes, buffers: buffers.length };
}

/** The same message as plain JSON with typed arrays written as arrays of numbers (how it crossed before tensors were typed). */
export function plainJsonBytes(message: unknown): number {
  return utf8Length(JSON.stringify(message, (_key, value: unknown) => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value)));
}
