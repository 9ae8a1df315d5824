// Reads a model package from the file system (CLI, tests, extension host); the webview reads it with fetch().
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PackageSource } from '../engine/onnxModel';

export function fsPackage(dir: string): PackageSource {
  const location = resolve(dir);
  return {
    location,
    read: async (name) => {
      try {
        return new Uint8Array(await readFile(join(location, name)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `${join(location, name)} does not exist` : `cannot read ${join(location, name)}: ${(e as Error).message}`);
      }
    },
  };
}

/** The default package: models/DEFAULT names its folder under models/. */
export function defaultPackageDir(root: string): string {
  const pointer = join(root, 'models', 'DEFAULT');
  if (!existsSync(pointer)) throw new Error(`No default model: ${pointer} is missing.`);
  return join(root, 'models', readFileSync(pointer, 'utf8').trim());
}
