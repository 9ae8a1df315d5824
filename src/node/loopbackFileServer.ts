// An HTTP server on 127.0.0.1 that serves the engine webviews the files their host lets them read (onnxruntime's
// binary, the checked package files), each at an unguessable path. Why: in a browser-hosted editor (code-server) the
// webview's message channel moves the 10 MB of weights in 2-3 s (a WebSocket with per-message deflate, then copies
// on the workbench's thread); the same file over HTTP through the editor's port proxy took 40-170 ms, and the browser
// can compile the runtime while it streams and keep its compiled code with the HTTP response (docs/PERFORMANCE.md,
// "The engine's files over HTTP on the loopback"). Pure Node: the extension host (src/models/loopback.ts) publishes
// files and turns the address into the one the browser reaches (vscode.env.asExternalUri).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** A file to serve: where it lies, its media type, and (for files that shrink well) its gzipped bytes. */
export interface ServedFile {
  path: string;
  type: string;
  gzipped?: () => Promise<Uint8Array>;
}

/**
 * Every path holds the file's content key (a SHA-256 or onnxruntime's size-mtime tag), so a response never changes
 * and the browser may keep it: the runtime's compiled code is kept with it.
 */
const CACHE_CONTROL = 'private, max-age=31536000, immutable';
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export class LoopbackFileServer {
  private readonly files = new Map<string, ServedFile>();

  private constructor(private readonly server: Server, readonly port: number, private readonly token: string) {
    server.on('request', (req, res) => void this.answer(req, res));
  }

  /** Listens on 127.0.0.1 (an ephemeral port): never on another interface. Does not keep the process alive. */
  static async start(): Promise<LoopbackFileServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the loopback server has no port');
    return new LoopbackFileServer(server, address.port, randomBytes(18).toString('base64url'));
  }

  /** The path prefix of every file this server serves (`/<token>/`): a webview's policy may allow exactly it. */
  get prefix(): string {
    return `/${this.token}/`;
  }

  /** Serves `file` as `<prefix><key>/<name>` from now on; returns that path. */
  publish(key: string, name: string, file: ServedFile): string {
    if (!KEY.test(key)) throw new Error(`not a content key: ${key}`);
    const path = `${this.prefix}${key}/${encodeURIComponent(name)}`;
    this.files.set(path, file);
    return path;
  }

  close(): void {
    this.server.close();
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Any origin may read these (the webview's is the editor's, or vscode-webview://); only the token protects them,
    // and they are the extension's own files. Chromium asks a public page's preflight for the private network.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Private-Network': 'true', 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void end(res, 405);
    const file = this.files.get((req.url ?? '').split('?')[0]);
    if (!file) return void end(res, 404);
    const headers: Record<string, string | number> = {
      'Content-Type': file.type, 'Cache-Control': CACHE_CONTROL, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding',
    };
    try {
      if (file.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        const bytes = await file.gzipped();
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': bytes.byteLength });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return;
      }
      const s = await stat(file.path);
      if (!s.isFile()) return void end(res, 404);
      res.writeHead(200, { ...headers, 'Content-Length': s.size });
      if (req.method === 'HEAD') return void res.end();
      const stream = createReadStream(file.path);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (e) {
      end(res, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500);
    }
  }
}

function end(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(status === 404 ? 'Not found' : status === 405 ? 'Method not allowed' : 'Could not be read');
}
