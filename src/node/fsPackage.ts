// Reads a model package from the file system (CLI, tests, extension host); the webview reads it with fetch().
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PackageSource } from '../engine/onnxModel';
import { PackageError, isPlainFileName, packageFileLabel } from '../shared/packageError';
import { verifyLocalFiles } from './fileDigest';

export function fsPackage(dir: string): PackageSource {
  const location = resolve(dir);
  const label = (name: string) => packageFileLabel(location, name);
  return {
    location,
    read: async (name) => {
      // The manifest validator already refuses such names; this keeps any other caller inside the folder too.
      if (!isPlainFileName(name)) throw new PackageError(label(String(name)), 'is not a plain file name inside the package folder');
      try {
        return new Uint8Array(await readFile(join(location, name)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new PackageError(label(name), code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`);
      }
    },
    verify: (expected) => verifyLocalFiles(location, expected, label),
  };
}

/** The default package: models/DEFAULT names its folder under models/. */
export function defaultPackageDir(root: string): string {
  const pointer = join(root, 'models', 'DEFAULT');
  if (!existsSync(pointer)) throw new Error(`No default model: ${pointer} is missing.`);
  return join(root, 'models', readFileSync(pointer, 'utf8').trim());
}
