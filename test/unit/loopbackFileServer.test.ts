// The host's loopback file server (src/node/loopbackFileServer.ts): listens on 127.0.0.1 only; serves a published
// file at its path under the server's token, with headers that let the browser keep it and any origin read it,
// gzipped when the file has a gzipped form and the client takes gzip; nothing else (another token, another path, a
// method other than GET and HEAD); a preflight gets the private-network answer Chromium asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LoopbackFileServer } from '../../src/node/loopbackFileServer';

/** One raw HTTP exchange (no automatic decoding, unlike fetch). */
function get(port: number, path: string, opts: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a published file is served at its path with cache and CORS headers; gzipped only where it has a gzipped form and gzip is accepted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-loopback-'));
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(300_000, 7));
  writeFileSync(join(dir, 'ort.wasm'), 'wasm bytes');
  const server = await LoopbackFileServer.start();
  t.after(() => server.close());
  const weights = server.publish('a'.repeat(64), 'weights.bin', { path: join(dir, 'weights.bin'), type: 'application/octet-stream' });
  let gzipCalls = 0;
  const wasm = server.publish('10-1700000000000', 'ort.wasm', {
    path: join(dir, 'ort.wasm'), type: 'application/wasm', gzipped: async () => { gzipCalls++; return gzipSync('wasm bytes'); },
  });
  assert.ok(weights.startsWith(server.prefix) && server.prefix.length > 20, 'under an unguessable prefix');
  assert.equal(weights, `${server.prefix}${'a'.repeat(64)}/weights.bin`);

  const w = await get(server.port, weights);
  assert.equal(w.status, 200);
  assert.equal(w.body.length, 300_000);
  assert.equal(w.headers['content-length'], '300000');
  assert.equal(w.headers['content-type'], 'application/octet-stream');
  assert.match(String(w.headers['cache-control']), /immutable/);
  assert.equal(w.headers['access-control-allow-origin'], '*');
  assert.equal(w.headers['content-encoding'], undefined);

  const zipped = await get(server.port, wasm, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers['content-type'], 'application/wasm');
  assert.equal(gunzipSync(zipped.body).toString(), 'wasm bytes');
  const plain = await get(server.port, wasm);
  assert.equal(plain.headers['content-encoding'], undefined, 'no gzip to a client that does not take it');
  assert.equal(plain.body.toString(), 'wasm bytes');
  assert.equal(gzipCalls, 1);

  const head = await get(server.port, weights, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '300000');
  assert.equal(head.body.length, 0);

  // Fetch, as a page does (it decodes gzip itself).
  const fetched = await fetch(`http://127.0.0.1:${server.port}${wasm}?v=1`);
  assert.equal(await fetched.text(), 'wasm bytes', 'a query does not change the file');
});

test('nothing but published files, by GET or HEAD; a preflight is answered for the private network', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-loopback-'));
  writeFileSync(join(dir, 'weights.bin'), 'w');
  const server = await LoopbackFileServer.start();
  t.after(() => server.close());
  const path = server.publish('abc', 'weights.bin', { path: join(dir, 'weights.bin'), type: 'application/octet-stream' });
  const otherToken = path.replace(server.prefix, '/not-the-token/');
  for (const p of [otherToken, `${server.prefix}abc/other.bin`, `${server.prefix}abc/../abc/weights.bin`, '/', `${server.prefix}`]) {
    assert.equal((await get(server.port, p)).status, 404, p);
  }
  assert.equal((await get(server.port, path, { method: 'POST' })).status, 405);
  assert.equal((await get(server.port, path, { method: 'PUT' })).status, 405);
  const pre = await get(server.port, path, { method: 'OPTIONS', headers: { Origin: 'vscode-webview://x', 'Access-Control-Request-Private-Network': 'true' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-private-network'], 'true');
  assert.match(String(pre.headers['access-control-allow-methods']), /GET/);
  assert.throws(() => server.publish('../x', 'y', { path: '/etc/hostname', type: 'text/plain' }), /not a content key/);

  // A file that went away after it was published is missing, not an error that stops the server.
  const gone = server.publish('gone', 'gone.bin', { path: join(dir, 'gone.bin'), type: 'application/octet-stream' });
  assert.equal((await get(server.port, gone)).status, 404);
  assert.equal((await get(server.port, path)).status, 200);
});

test('the server listens on the loopback address only', async (t) => {
  const server = await LoopbackFileServer.start();
  t.after(() => server.close());
  const s = server as unknown as { server: import('node:http').Server };
  const address = s.server.address();
  assert.ok(address && typeof address === 'object');
  assert.equal(address.address, '127.0.0.1');
  assert.equal(address.port, server.port);
});
