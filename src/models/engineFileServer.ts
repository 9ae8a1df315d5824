// The files an engine webview may ask its host for (src/shared/protocol.ts `readFile`), by their webview URI: the
// package being loaded (each file the engine reads, none else) and onnxruntime's binary. The host reads them from
// disk and posts the bytes, one message per file; fetching the same files over the webview's resource URIs cost
// 17.9 s for the 26.8 MB runtime and 22.7 s for the 18.7 MB weights in code-server on a busy machine (scenario 60).
// Files with a content key are also served by the loopback file server (`locate`, ./loopback.ts), faster still.
import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ORT_WASM_FILES, type FileReply } from '../shared/protocol';
import { resolvedUrl } from '../shared/resolvedUrl';
import { ownBuffer } from '../shared/ownBuffer';
import type { Loopback } from './loopback';

const gzipped = promisify(gzip);

/**
 * Files sent gzipped: onnxruntime's binaries (plain 14.2 -> 4.3 MB, asyncify 26.8 -> 8.1 MB at level 1, 0.2 and
 * 0.4 s) and JSON. The weights (float16, 18.7 -> 17.3 MB) and graphs are sent as they are: not worth the time.
 */
const COMPRESSED = /\.(wasm|json)$/;

/** Gzipped files, by path + size + mtime: the runtime is compressed once per extension host, not per webview. */
const compressedCache = new Map<string, Promise<Uint8Array>>();

export class EngineFileServer {
  /** Resolved webview URL -> the file it names, and its content key (a SHA-256, onnxruntime's size-mtime tag). */
  private readonly files = new Map<string, { file: vscode.Uri; key?: string }>();
  /** The loopback server whose address the webview's policy allows (set with the webview's HTML). */
  private loopback?: Loopback;

  /**
   * Lets the webview read `file` as `url` (its webview URI). With `key` (what the file's content is: its checked
   * SHA-256, onnxruntime's tag), the webview may also fetch it over the loopback server (locate).
   */
  allow(url: string, file: vscode.Uri, key?: string): void {
    const resolved = resolvedUrl(url);
    if (resolved) this.files.set(resolved, { file, key });
  }

  /** The webview's policy allows `loopback`'s address: files with a content key are offered there (locate). */
  useLoopback(loopback: Loopback | undefined): void {
    this.loopback = loopback;
  }

  /**
   * Where the webview may fetch the file `url` names over HTTP (served there from now on), or null: it reads the file
   * with `read` (no loopback server for this webview, a file without a content key, one not on a local disk).
   */
  locate(url: unknown): string | null {
    const entry = typeof url === 'string' ? this.files.get(resolvedUrl(url) ?? '') : undefined;
    if (!entry) throw new Error('This file is not one the engine was asked to load.');
    const { file, key } = entry;
    if (!this.loopback || !key || file.scheme !== 'file') return null;
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    return this.loopback.publish(key, name, {
      path: file.fsPath,
      type: name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      gzipped: COMPRESSED.test(name) ? () => compressedFile(file.fsPath) : undefined,
    });
  }

  /**
   * The bytes of the file `url` names. Throws when the webview was never allowed it (it then falls back to its own
   * fetch, which the webview's resource roots confine); a file that is gone is `missing`.
   */
  async read(url: unknown): Promise<FileReply> {
    const file = typeof url === 'string' ? this.files.get(resolvedUrl(url) ?? '')?.file : undefined;
    if (!file) throw new Error('This file is not one the engine was asked to load.');
    try {
      if (file.scheme === 'file' && COMPRESSED.test(file.path)) return { bytes: await compressedFile(file.fsPath), encoding: 'gzip' };
      const bytes = file.scheme === 'file' ? await readFile(file.fsPath) : await vscode.workspace.fs.readFile(file);
      // Nothing else of the process's memory rides along, and the page hands it on to its worker without copying.
      return { bytes: ownBuffer(bytes) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || (e as vscode.FileSystemError).code === 'FileNotFound' ? { problem: 'missing' } : { problem: 'unreachable' };
    }
  }
}

/**
 * Compresses onnxruntime's binaries ahead of the first engine webview (called at the first selection): both, as the
 * host does not know which backend the webview will find.
 */
export function prepareRuntimeFiles(extensionUri: vscode.Uri): Promise<unknown> {
  return Promise.all(Object.values(ORT_WASM_FILES).map((file) => compressedFile(vscode.Uri.joinPath(extensionUri, 'dist', 'ort', file).fsPath)));
}

/**
 * onnxruntime's binaries as they lie in dist/ort/: file name -> "size-mtime" (a missing one is left out). The page
 * keeps the bytes in its own storage under this tag, so a new extension version's binary is never taken for the old.
 */
export function runtimeTags(extensionUri: vscode.Uri): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const file of Object.values(ORT_WASM_FILES)) {
    const s = statSync(vscode.Uri.joinPath(extensionUri, 'dist', 'ort', file).fsPath, { throwIfNoEntry: false });
    if (s?.isFile()) tags[file] = `${s.size}-${Math.round(s.mtimeMs)}`;
  }
  return tags;
}

/** The file gzipped (level 1: fast; the page inflates it with DecompressionStream), from the cache when unchanged. */
async function compressedFile(path: string): Promise<Uint8Array> {
  const s = await stat(path);
  const key = `${path}|${s.size}|${s.mtimeMs}|${s.ino}`;
  let entry = compressedCache.get(key);
  if (!entry) {
    for (const k of compressedCache.keys()) if (k.startsWith(`${path}|`)) compressedCache.delete(k);
    entry = readFile(path).then((raw) => gzipped(raw, { level: 1 })).then(ownBuffer);
    compressedCache.set(key, entry);
    entry.catch(() => compressedCache.delete(key));
  }
  return entry;
}
