// Checks package files against the sizes and SHA-256 digests in the manifest ("files"), in any runtime:
// sizes of every file first (cheap: a truncated or missing file is reported without hashing anything), then digests,
// remembered by file identity so that loading an unchanged package again hashes nothing.
import type { FileDigest } from '../shared/manifest';
import { PackageError } from '../shared/packageError';

/** What a runtime knows about a file without reading it. */
export interface FileStat {
  bytes: number;
  /** Changes whenever the file may have: path + size + mtime (+ inode). Undefined: never reuse a digest. */
  identity?: string;
}

/** How a runtime reaches the files: stat (undefined when missing) and a SHA-256, streamed where it can be. */
export interface FileAccess {
  stat(name: string): Promise<FileStat | undefined>;
  sha256(name: string): Promise<string>;
}

/**
 * Digests by file identity. Holds digests, not verdicts, so a changed manifest is still compared afresh. A digest
 * being computed is shared: a check that starts while another hashes the same file (the host's check at the first
 * selection, then the command's) waits for that one instead of hashing again.
 */
export class DigestCache {
  private readonly digests = new Map<string, string>();
  private readonly computing = new Map<string, Promise<string>>();
  /** Counts, so tests and logs can tell a warm check (nothing hashed) from a cold one. */
  hashed = 0;
  reused = 0;

  constructor(private readonly capacity = 256) {}

  async digest(stat: FileStat, compute: () => Promise<string>): Promise<string> {
    const id = stat.identity;
    const known = id === undefined ? undefined : this.digests.get(id);
    if (known !== undefined) {
      this.reused++;
      return known;
    }
    const inFlight = id === undefined ? undefined : this.computing.get(id);
    if (inFlight) {
      this.reused++;
      return inFlight;
    }
    const computed = compute();
    if (id !== undefined) this.computing.set(id, computed);
    try {
      const sha = await computed;
      this.hashed++;
      if (id !== undefined) {
        if (this.digests.size >= this.capacity) this.digests.delete(this.digests.keys().next().value!);
        this.digests.set(id, sha);
      }
      return sha;
    } finally {
      if (id !== undefined) this.computing.delete(id);
    }
  }
}

/** Throws a PackageError naming the first file that is missing, has the wrong size, or the wrong digest. */
export async function verifyFiles(
  access: FileAccess, expected: Record<string, FileDigest>, label: (name: string) => string, cache: DigestCache,
): Promise<void> {
  const stats = new Map<string, FileStat>();
  for (const [name, want] of Object.entries(expected)) {
    const stat = await access.stat(name);
    if (!stat) throw new PackageError(label(name), 'does not exist; the manifest lists it as part of the package');
    checkSize(label(name), stat.bytes, want.bytes);
    stats.set(name, stat);
  }
  for (const [name, want] of Object.entries(expected)) {
    checkSha256(label(name), await cache.digest(stats.get(name)!, () => access.sha256(name)), want.sha256);
  }
}

export function checkSize(file: string, actual: number, expected: number): void {
  if (actual !== expected) {
    const how = actual < expected ? 'truncated' : 'longer than exported';
    throw new PackageError(file, `has ${actual} bytes but the manifest says ${expected} (${how}: the file is damaged or not the one exported)`);
  }
}

export function checkSha256(file: string, actual: string, expected: string): void {
  if (actual !== expected) {
    throw new PackageError(file, `sha256 does not match the manifest (expected ${short(expected)}, got ${short(actual)}): the file is damaged or was changed after export`);
  }
}

/** SHA-256 with Web Crypto (globalThis.crypto in Node 20 and in webviews); browsers run it off the page's thread. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('This runtime has no Web Crypto (crypto.subtle), so model packages cannot be checked.');
  // Web Crypto takes only ArrayBuffer-backed views; package bytes always are (never a SharedArrayBuffer).
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function short(sha: string): string {
  return `${sha.slice(0, 8)}…`;
}
