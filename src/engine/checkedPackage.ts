// A package source that only hands the engine files the manifest vouches for: verifyAll() checks every file the
// engine will read (the attention graphs too, though they are opened later), and each later read is size-checked.
import { engineFiles } from '../shared/manifestValidation';
import type { ModelManifest } from '../shared/manifest';
import { packageFileLabel } from '../shared/packageError';
import type { PackageSource } from './onnxModel';
import { DigestCache, checkSize, sha256Hex, verifyFiles, type FileAccess } from './packageIntegrity';

export class CheckedPackage implements PackageSource {
  readonly location: string;
  /** Files read whole to be hashed (sources without verify()): handed to the engine's first read, not read twice. */
  private readonly kept = new Map<string, Uint8Array>();

  constructor(private readonly source: PackageSource, private readonly manifest: ModelManifest) {
    this.location = source.location;
  }

  label(name: string): string {
    return packageFileLabel(this.location, name);
  }

  /** Throws a PackageError naming the first file that is missing, truncated or not the one exported. */
  async verifyAll(): Promise<void> {
    const expected = Object.fromEntries(engineFiles(this.manifest).map((name) => [name, this.manifest.files[name]]));
    if (this.source.verify) return this.source.verify(expected);
    // No cheaper way in: read each file whole and hash it with Web Crypto (nothing to cache it by).
    const access: FileAccess = {
      stat: async (name) => {
        const bytes = await this.source.read(name);
        this.kept.set(name, bytes);
        return { bytes: bytes.length };
      },
      sha256: (name) => sha256Hex(this.kept.get(name)!),
    };
    await verifyFiles(access, expected, (name) => this.label(name), new DigestCache());
  }

  async read(name: string): Promise<Uint8Array> {
    const kept = this.kept.get(name);
    if (kept) {
      this.kept.delete(name);
      return kept;
    }
    const bytes = await this.source.read(name);
    // Verified at load; a file replaced since then is at least caught when its size changed (cheap).
    const expected = this.manifest.files[name];
    if (expected) checkSize(this.label(name), bytes.length, expected.bytes);
    return bytes;
  }
}
