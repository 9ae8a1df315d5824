// File bytes travel host -> page -> engine worker. A Uint8Array that views the whole of its own buffer can be handed
// over (postMessage transfer) without copying and without taking along other memory that shares the buffer (Node's
// readFile and Buffer pools, a view into a larger result).

/** Whether `bytes` views the whole of its own buffer. */
export function viewsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * `bytes` as a plain Uint8Array over the whole of its own buffer: the same memory when it already is one (a Node
 * Buffer becomes a plain view of it), else a copy. (Not `.slice()`: on a Node Buffer that is a view, not a copy.)
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return viewsWholeBuffer(bytes) ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
}
