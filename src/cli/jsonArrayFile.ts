// Writes a JSON array to a file one element at a time: memory holds one element's text, never the whole array's
// (one string for all of a long input's attention passed V8's string limit: "Invalid string length").
import { closeSync, openSync, writeSync } from 'node:fs';

/** JSON.stringify's replacer that writes typed arrays (a result's tensors) as arrays of numbers, not as {"0": …} objects. */
export function typedArraysAsArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

export class JsonArrayFile {
  private readonly fd: number;
  private count = 0;

  /** Creates (or empties) `path` at once, so a path that cannot be written fails before any work is done. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.write('[');
  }

  push(value: unknown): void {
    this.write((this.count++ > 0 ? ',\n' : '\n') + JSON.stringify(value, typedArraysAsArrays));
  }

  /** Ends the array; the file is valid JSON from here on. */
  close(): void {
    this.write(this.count > 0 ? '\n]\n' : ']\n');
    closeSync(this.fd);
  }

  private write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
  }
}
