// Package files on a local disk: stat and streamed SHA-256 (node:crypto reads 1 MB at a time, so a 20 MB weights
// file never blocks the event loop for long), with digests cached for the process by path + size + mtime + inode.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FileDigest } from '../shared/manifest';
import { PackageError } from '../shared/packageError';
import { DigestCache, verifyFiles, type FileAccess } from '../engine/packageIntegrity';

/** One cache for the process: the CLI, the tests and the extension host (file: packages) share it. */
export const localDigests = new DigestCache();

export function localFileAccess(dir: string, label: (name: string) => string): FileAccess {
  return {
    stat: async (name) => {
      const path = join(dir, name);
      try {
        const s = await stat(path);
        if (!s.isFile()) throw new PackageError(label(name), 'is not a regular file');
        return { bytes: s.size, identity: `${path}|${s.size}|${s.mtimeMs}|${s.dev}:${s.ino}` };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        if (e instanceof PackageError) throw e;
        throw new PackageError(label(name), `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    },
    sha256: (name) => sha256File(join(dir, name)),
  };
}

export function verifyLocalFiles(dir: string, expected: Record<string, FileDigest>, label: (name: string) => string): Promise<void> {
  return verifyFiles(localFileAccess(dir, label), expected, label, localDigests);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
