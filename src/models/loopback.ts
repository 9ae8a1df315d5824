// The extension host's one loopback file server (src/node/loopbackFileServer.ts), started at the first need, and the
// address a webview reaches it at: vscode.env.asExternalUri maps http://127.0.0.1:<port>/ to the editor's port proxy
// in code-server (`<root>/proxy/<port>/`) or to a remote's forwarded port; desktop VS Code keeps it as it is. Off
// with the setting `attentionCompanion.localFileServer`: every file then goes through the webview's message channel.
import * as vscode from 'vscode';
import { LoopbackFileServer, type ServedFile } from '../node/loopbackFileServer';
import { readSettings } from '../config';

export interface Loopback {
  /** The browser's address of every file this server serves, ending with '/': a webview's connect-src allows it. */
  readonly base: string;
  /** Serves `file` from now on; returns the URL the browser fetches it at. `key`: its content (a SHA-256, a tag). */
  publish(key: string, name: string, file: ServedFile): string;
}

/** asExternalUri is a round trip to the workbench (a few ms); a page is not held longer than this for it. */
const RESOLVE_TIMEOUT_MS = 2_000;

let started: Promise<Loopback | undefined> | undefined;
let server: LoopbackFileServer | undefined;

/** The loopback server (started now if it was not), or undefined when the setting is off or it cannot be reached. */
export function loopback(): Promise<Loopback | undefined> {
  if (!readSettings().localFileServer) return Promise.resolve(undefined);
  started ??= start().catch(() => {
    started = undefined;                 // tried again for the next webview
    return undefined;
  });
  return started;
}

async function start(): Promise<Loopback> {
  server ??= await LoopbackFileServer.start();
  const s = server;
  const external = await Promise.race([
    vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${s.port}/`)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no external address in time')), RESOLVE_TIMEOUT_MS)),
  ]);
  const root = withSlash(external.toString(true));
  if (!/^https?:\/\//.test(root)) throw new Error(`not an HTTP address: ${root}`);
  return {
    base: root + s.prefix.slice(1),
    publish: (key, name, file) => root + s.publish(key, name, file).slice(1),
  };
}

/** Closes the server (the extension is deactivated). */
export function closeLoopback(): void {
  server?.close();
  server = undefined;
  started = undefined;
}

const withSlash = (uri: string) => (uri.endsWith('/') ? uri : uri + '/');
