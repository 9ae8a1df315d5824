// The host's end of one engine webview (the Attention panel or the companion view), over vscode.Webview: checks a
// package's files and turns its folder into webview URIs; the handshake and model state are in ./engineConnection.
import * as vscode from 'vscode';
import type { Endpoint, NotificationOf, ProtocolNames, RequestHandlers } from '../shared/ipc';
import { EngineFileServer, runtimeTags } from '../models/engineFileServer';
import { loopback } from '../models/loopback';
import { webviewHtml } from './webviewHtml';
import { engineFiles } from '../shared/manifestValidation';
import type { ModelManifest } from '../shared/manifest';
import { ORT_WASM_FILES, type EngineProtocol, type FileReply, type GraphUse, type LoadModelParams, type ModelInfo } from '../shared/protocol';
import type { BackendSetting } from '../shared/results';
import { verifyPackageFiles } from '../models/packageVerifier';
import { EngineConnection } from './engineConnection';
import { isInside } from '../commands/figureDestination';
import { markOpen } from '../shared/timeline';

const READY_TIMEOUT_MS = 60_000;
const LOAD_TIMEOUT_MS = 180_000;

export interface LoadedModel { dir: vscode.Uri; backend: BackendSetting; info: ModelInfo }

export interface EngineClientOptions<P extends EngineProtocol> {
  names: ProtocolNames<P>;
  /** The webview's name in errors. */
  peer: string;
  /** Answers to the webview's own requests (its `readFile` is answered here). */
  handlers: Omit<RequestHandlers<P['webviewToHost']['requests']>, 'readFile'>;
  onNotification?(n: NotificationOf<P['webviewToHost']['notifications']>): void;
  /**
   * The folders the webview may read now (resourceRoots(): the extension's own, the chosen model's, the user's
   * modelPaths). Asked again when a package to load lies outside the webview's current roots.
   */
  roots(): vscode.Uri[];
}

export class EngineClient<P extends EngineProtocol> implements vscode.Disposable {
  private readonly connection: EngineConnection<P>;
  private readonly subscription: vscode.Disposable;

  private readonly roots: () => vscode.Uri[];
  private readonly files = new EngineFileServer();
  private readonly ortFolder: vscode.Uri;
  /** onnxruntime's binaries' size-mtime tags, taken once: their content keys here and in the page's storage. */
  private readonly runtimeTags: Record<string, string>;

  constructor(private readonly webview: vscode.Webview, private readonly extensionUri: vscode.Uri, o: EngineClientOptions<P>) {
    this.roots = o.roots;
    markOpen(`host: ${o.peer} webview created`);
    // The runtime may be read from the start: the page asks for it while the host still checks the package.
    this.ortFolder = vscode.Uri.joinPath(extensionUri, 'dist', 'ort');
    this.runtimeTags = runtimeTags(extensionUri);
    for (const file of Object.values(ORT_WASM_FILES)) {
      this.files.allow(`${this.ortBaseUri()}${file}`, vscode.Uri.joinPath(this.ortFolder, file), this.runtimeTags[file]);
    }
    const handlers = { ...o.handlers, readFile: ({ url }: { url: unknown }) => this.readFile(url) } as unknown as RequestHandlers<P['webviewToHost']['requests']>;
    this.connection = new EngineConnection<P>({
      ...o,
      handlers,
      post: (m) => void webview.postMessage(m),
      readyTimeoutMs: READY_TIMEOUT_MS,
      readyTimeoutMessage: vscode.l10n.t('The webview did not start within {0} s.', READY_TIMEOUT_MS / 1000),
    });
    // Anything malformed from the webview is ignored.
    this.subscription = webview.onDidReceiveMessage((raw) => this.connection.receive(raw));
  }

  /**
   * A file the engine asked for, marked when asked and when read (the page marks its arrival): the timeline then
   * splits the host's reading (and gzipping) from the channel into the webview.
   */
  private async readFile(url: unknown): Promise<FileReply> {
    const name = typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : '?';
    markOpen(`host: ${name} asked by the page`);
    const reply = await this.files.read(url);
    markOpen(`host: ${name} read, posting ${'bytes' in reply ? (reply.bytes.byteLength / 1e6).toFixed(2) : 0} MB`);
    return reply;
  }

  /**
   * Gives the webview its page (./webviewHtml.ts), once the loopback file server's address is known (a few ms; the
   * server starts at the first text selected): its policy lets the page fetch from exactly that address, and it
   * names where onnxruntime's binaries are there. `runtimeAtLoad`: the page leaves onnxruntime until its first load.
   */
  async setHtml(scriptName: string, title: string, backend: BackendSetting, runtimeAtLoad = false): Promise<void> {
    const served = await loopback();
    this.files.useLoopback(served);
    const loopbackFiles = served && { base: served.base, runtime: this.located(Object.values(ORT_WASM_FILES), this.ortBaseUri()) };
    try {
      this.webview.html = webviewHtml(this.webview, this.extensionUri, scriptName, title, vscode.env.language, backend, this.runtimeTags, loopbackFiles, runtimeAtLoad);
    } catch {
      // Closed while the server's address was resolved: a disposed webview throws on any change, and needs no page.
    }
  }

  /** The files `names` under `base` (webview URIs) that the loopback server has, by name. */
  private located(names: string[], base: string): Record<string, string> {
    const urls: Record<string, string> = {};
    for (const name of names) {
      const url = this.files.locate(`${withSlash(base)}${name}`);
      if (url) urls[name] = url;
    }
    return urls;
  }

  /** Runs `send` once the page listens (at once when it does): a notification posted before would be lost. */
  whenReady(send: () => void): void {
    this.connection.whenReady(send);
  }

  /** Requests and notifications to the webview. */
  get endpoint(): Endpoint<P['hostToWebview'], P['webviewToHost']> {
    return this.connection.endpoint;
  }

  /**
   * Makes sure `dir` is the model loaded in this webview (loads it once per folder and backend while it runs). A
   * package outside the webview's roots (a model chosen after it opened) gets new roots first: that reloads the
   * webview, and the load goes to the new script.
   */
  async ensureModel(dir: vscode.Uri, manifest: ModelManifest, backend: BackendSetting, firstUse: GraphUse = 'attention',
    background?: LoadModelParams['background']): Promise<LoadedModel> {
    this.followRoots(dir);
    const info = await this.connection.ensureModel(`${dir.toString()}|${backend}`, async () => {
      // Checked here, streamed and cached, before the webview reads anything: a bad file fails with its name.
      const checkedFiles = await timed('package integrity check', () => verifyPackageFiles(dir, manifest));
      const baseUri = this.webview.asWebviewUri(dir).toString();
      // Only the files just checked (and the manifest, read first) are served, by the host, from the same disk.
      for (const name of ['manifest.json', ...engineFiles(manifest)]) this.files.allow(`${withSlash(baseUri)}${name}`, vscode.Uri.joinPath(dir, name), checkedFiles[name]);
      const loopback = this.located(Object.keys(checkedFiles), baseUri);
      return { checkedFiles, baseUri, ortBaseUri: this.ortBaseUri(), backend, label: manifest.id, firstUse, ...(Object.keys(loopback).length ? { loopback } : {}),
        ...(background ? { background } : {}) };
    }, LOAD_TIMEOUT_MS);
    return { dir, backend, info };
  }

  /** The webview URI of onnxruntime's folder, with a trailing slash. */
  private ortBaseUri(): string {
    return withSlash(this.webview.asWebviewUri(this.ortFolder).toString());
  }

  /** New roots when `dir` lies outside the current ones; VS Code reloads a webview whose options change. */
  private followRoots(dir: vscode.Uri): void {
    const current = this.webview.options.localResourceRoots ?? [];
    if (current.some((root) => isInside(dir, root))) return;
    const roots = this.roots();
    // Only roots of the chosen model and the user's own settings come from roots(); `dir` is the package asked for.
    if (!roots.some((root) => isInside(dir, root))) roots.push(dir);
    this.connection.expectReload();
    this.webview.options = { ...this.webview.options, localResourceRoots: roots };
  }

  /** The webview is gone: pending requests fail with a clear error. */
  dispose(): void {
    this.connection.dispose();
    this.subscription.dispose();
  }
}

const withSlash = (uri: string) => (uri.endsWith('/') ? uri : uri + '/');

/** Runs `step`, marking its start and end in the open timelines. */
async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  markOpen(`host: ${what} started`);
  try {
    return await step();
  } finally {
    markOpen(`host: ${what} done`);
  }
}

/** Folders a webview may read: the build output, media, bundled models and the user's model folders. */
export function resourceRoots(extensionUri: vscode.Uri, extra: vscode.Uri[]): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, 'dist'),
    vscode.Uri.joinPath(extensionUri, 'media'),
    vscode.Uri.joinPath(extensionUri, 'models'),
    ...extra,
  ];
}
