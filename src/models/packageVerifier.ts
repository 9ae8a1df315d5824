// The extension host checks a package's files against its manifest before an engine webview loads it: streamed
// SHA-256 in the extension host process (never the editor's UI thread), cached by URI + size + mtime, so loading an
// unchanged package again (another view, a reopened panel, Choose Model) hashes nothing.
import * as vscode from 'vscode';
import { engineFiles } from '../shared/manifestValidation';
import type { FileDigest, ModelManifest } from '../shared/manifest';
import { packageFileLabel } from '../shared/packageError';
import { DigestCache, sha256Hex, verifyFiles, type FileAccess } from '../engine/packageIntegrity';
import { verifyLocalFiles } from '../node/fileDigest';

const remoteDigests = new DigestCache();

/**
 * Throws a PackageError naming the first file that is missing, truncated or changed; otherwise returns the
 * digests it checked (file name -> sha256), which the webview's engine accepts instead of hashing again.
 */
export async function verifyPackageFiles(dir: vscode.Uri, manifest: ModelManifest): Promise<Record<string, string>> {
  const expected: Record<string, FileDigest> = Object.fromEntries(engineFiles(manifest).map((name) => [name, manifest.files[name]]));
  if (dir.scheme === 'file') {
    await verifyLocalFiles(dir.fsPath, expected, (name) => packageFileLabel(dir.fsPath, name));
  } else {
    // Remote or virtual folders: no node:fs; read through the workspace file system and hash with Web Crypto.
    await verifyFiles(workspaceFileAccess(dir), expected, (name) => packageFileLabel(dir.toString(), name), remoteDigests);
  }
  return Object.fromEntries(Object.entries(expected).map(([name, d]) => [name, d.sha256]));
}

function workspaceFileAccess(dir: vscode.Uri): FileAccess {
  return {
    stat: async (name) => {
      const uri = vscode.Uri.joinPath(dir, name);
      try {
        const s = await vscode.workspace.fs.stat(uri);
        return { bytes: s.size, identity: `${uri.toString()}|${s.size}|${s.mtime}` };
      } catch {
        return undefined;
      }
    },
    sha256: async (name) => sha256Hex(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, name))),
  };
}
