// The host's end of an engine webview over vscode.Webview (src/panels/engineClient.ts), with a stand-in vscode
// module and a fake panel script: the package's files are checked before the webview reads anything; a package is
// loaded once per webview start; a package outside the webview's roots (a model chosen after the panel opened) gets
// new roots and loads into the reloaded webview without reopening it; closing a webview before it started settles
// everything at once instead of after the 60 s start timeout.
import './fakes/installVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FakeWebview, Uri, env, settings } from './fakes/vscode';
import { FakePanelScript, tinyPackage } from './fakes/panelScript';
import { EngineClient, resourceRoots } from '../../src/panels/engineClient';
import { ORT_WASM_FILES, PANEL, type PanelProtocol } from '../../src/shared/protocol';
import { closeLoopback } from '../../src/models/loopback';
import { resourceSources } from '../../src/panels/webviewHtml';
import type * as vscode from 'vscode';

const extensionUri = Uri.file('/ext');

/** A webview with its script; `reload()` (or new roots) replaces the script, as VS Code does. */
function setup(opts: { roots: Uri[]; userRoots?: () => Uri[]; start?: boolean; ext?: Uri }) {
  const webview = new FakeWebview({ enableScripts: true, localResourceRoots: opts.roots });
  const scripts: FakePanelScript[] = [];
  const startScript = () => {
    const script = new FakePanelScript((m) => webview.fromScript(m));
    scripts.push(script);
    webview.toScript = (m) => void script.endpoint.receive(m);
    script.start();
  };
  webview.onReload = startScript;
  const client = new EngineClient<PanelProtocol>(webview as unknown as vscode.Webview, (opts.ext ?? extensionUri) as unknown as vscode.Uri, {
    names: PANEL, peer: 'The Attention panel', handlers: {},
    roots: () => resourceRoots(extensionUri as unknown as vscode.Uri, (opts.userRoots?.() ?? []) as unknown as vscode.Uri[]) as unknown as vscode.Uri[],
  });
  if (opts.start !== false) startScript();
  return { webview, client, scripts, startScript };
}

test('a package is checked, then loaded once per webview start with webview URIs and its digests', async () => {
  const pkg = tinyPackage('ok');
  const dir = Uri.file(pkg.dir);
  const { client, scripts } = setup({ roots: [Uri.file('/ext/dist'), dir] });
  try {
    const a = await client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
    await client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
    assert.equal(a.info.id, 'ok');
    assert.equal(scripts[0].loadsAsked.length, 1, 'asked once');
    const p = scripts[0].loadsAsked[0];
    assert.equal(p.baseUri, `https://webview.test${pkg.dir}`);
    assert.equal(p.ortBaseUri, 'https://webview.test/ext/dist/ort/');
    assert.deepEqual(Object.keys(p.checkedFiles ?? {}).sort(), Object.keys(pkg.manifest.files).sort());
  } finally {
    client.dispose();
  }
});

test('the host serves the webview the checked package files and the runtime, nothing else, and only after the check', async () => {
  const pkg = tinyPackage('served');
  const dir = Uri.file(pkg.dir);
  const { client, scripts } = setup({ roots: [Uri.file('/ext/dist'), dir] });
  const base = `https://webview.test${pkg.dir}`;
  const read = (url: string) => scripts[0].endpoint.request('readFile', { url }, { timeoutMs: 1000 });
  // (The fake webview copies messages as JSON: a Uint8Array arrives as an object of its bytes.)
  const text = (reply: unknown) => {
    const r = reply as { bytes: Record<string, number>; encoding?: string };
    const bytes = Buffer.from(Object.values(r.bytes));
    return (r.encoding === 'gzip' ? gunzipSync(bytes) : bytes).toString();
  };
  try {
    await assert.rejects(read(`${base}/weights.bin`), /not one the engine was asked to load/, 'nothing before the check');
    await client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
    assert.equal(text(await read(`${base}/weights.bin`)), 'served:weights.bin');
    assert.equal(text(await read(`${base}/sub/../decoder_step_attn.onnx`)), 'served:decoder_step_attn.onnx');
    assert.match(text(await read(`${base}/manifest.json`)), /"id":"served"/);
    assert.equal((await read(`${base}/tokenizer.json`) as { encoding?: string }).encoding, 'gzip', 'JSON goes gzipped');
    assert.equal((await read(`${base}/weights.bin`) as { encoding?: string }).encoding, undefined, 'the weights as they are');
    for (const outside of [`${base}/tokenizer.model`, `${base}/../secret.txt`, 'https://elsewhere.test/weights.bin']) {
      await assert.rejects(read(outside), /not one the engine was asked to load/, outside);
    }
    // The runtime's binary is served from the start; /ext is not a real folder here, so it is missing.
    assert.deepEqual(await read('https://webview.test/ext/dist/ort/ort-wasm-simd-threaded.asyncify.wasm'), { problem: 'missing' });
  } finally {
    client.dispose();
  }
});

test('with the loopback file server, the page is allowed its address and nothing more of the origin, and told where the checked files and the runtime are', async (t) => {
  const pkg = tinyPackage('loopback');
  const dir = Uri.file(pkg.dir);
  // An extension folder with onnxruntime's binaries, which the host tags by size and mtime.
  const ext = mkdtempSync(join(tmpdir(), 'ac-ext-'));
  mkdirSync(join(ext, 'dist', 'ort'), { recursive: true });
  for (const file of Object.values(ORT_WASM_FILES)) writeFileSync(join(ext, 'dist', 'ort', file), `runtime:${file}`);
  const { client, scripts, webview } = setup({ roots: [Uri.file(`${ext}/dist`), dir], ext: Uri.file(ext) });
  t.after(() => { client.dispose(); closeLoopback(); });
  await client.setHtml('webview.js', 'Attention', 'wasm');
  const csp = /Content-Security-Policy" content="([^"]*)"/.exec(webview.html)?.[1] ?? '';
  const connect = csp.split('; ').find((d) => d.startsWith('connect-src')) ?? '';
  const [, loopbackSource] = /(http:\/\/127\.0\.0\.1:\d+\/[\w-]{20,}\/)$/.exec(connect) ?? [];
  assert.ok(loopbackSource, `connect-src names the server's path: ${connect}`);
  const runtime = JSON.parse((/name="attention-companion-runtime-loopback" content="([^"]*)"/.exec(webview.html)?.[1] ?? '{}').replace(/&quot;/g, '"'));
  assert.deepEqual(Object.keys(runtime).sort(), Object.values(ORT_WASM_FILES).sort());
  for (const [file, at] of Object.entries(runtime) as [string, string][]) {
    assert.ok(at.startsWith(loopbackSource), at);
    assert.equal(await (await fetch(at)).text(), `runtime:${file}`, 'gzipped on the way, as the browser takes it');
  }

  await client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
  const { loopback } = scripts[0].loadsAsked[0];
  assert.deepEqual(Object.keys(loopback ?? {}).sort(), Object.keys(pkg.manifest.files).sort(), 'every checked file (the manifest is not one)');
  const at = loopback!['weights.bin'];
  assert.ok(at.startsWith(loopbackSource), `${at} lies under ${loopbackSource}`);
  assert.equal(await (await fetch(at)).text(), 'loopback:weights.bin');
  assert.equal(await (await fetch(loopback!['tokenizer.json'])).text(), 'loopback:tokenizer.json');
  assert.equal((await fetch(at.replace('weights.bin', 'secret.txt'))).status, 404);
  assert.equal((await fetch(`${loopbackSource}../manifest.json`)).status, 404);
});

test('with the setting off, or where the editor maps the address (code-server\'s port proxy), the page is told accordingly', async (t) => {
  const pkg = tinyPackage('noloopback');
  const dir = Uri.file(pkg.dir);
  t.after(() => { settings.delete('attentionCompanion.localFileServer'); env.externalUri = (u) => u; closeLoopback(); });
  settings.set('attentionCompanion.localFileServer', false);
  const off = setup({ roots: [Uri.file('/ext/dist'), dir] });
  await off.client.setHtml('webview.js', 'Attention', 'wasm');
  assert.doesNotMatch(off.webview.html, /127\.0\.0\.1|runtime-loopback/);
  await off.client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
  assert.equal(off.scripts[0].loadsAsked[0].loopback, undefined);
  off.client.dispose();

  settings.delete('attentionCompanion.localFileServer');
  env.externalUri = (u) => Uri.parse(`https://editor.test/base/proxy/${u.authority.split(':')[1]}/`);
  const mapped = setup({ roots: [Uri.file('/ext/dist'), dir] });
  await mapped.client.setHtml('webview.js', 'Attention', 'wasm');
  assert.match(mapped.webview.html, /connect-src https:\/\/webview\.test https:\/\/editor\.test\/base\/proxy\/\d+\/[\w-]{20,}\/;/);
  await mapped.client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
  assert.match(mapped.scripts[0].loadsAsked[0].loopback?.['weights.bin'] ?? '', /^https:\/\/editor\.test\/base\/proxy\/\d+\/[\w-]{20,}\/[0-9a-f]{64}\/weights\.bin$/);
  mapped.client.dispose();
});

test('a damaged package file fails with its name, and the webview is never asked to load it', async () => {
  const pkg = tinyPackage('bad');
  writeFileSync(join(pkg.dir, 'weights.bin'), 'bad:weights.bix');          // same size, other bytes
  const dir = Uri.file(pkg.dir);
  const { client, scripts } = setup({ roots: [dir] });
  try {
    await assert.rejects(client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm'),
      (e: Error) => e.name === 'PackageError' && e.message.includes(join(pkg.dir, 'weights.bin')) && /sha256/.test(e.message));
    assert.equal(scripts[0].loadsAsked.length, 0);
    await assert.rejects(scripts[0].endpoint.request('readFile', { url: `https://webview.test${pkg.dir}/weights.bin` }, { timeoutMs: 1000 }),
      /not one the engine was asked to load/, 'the host never serves a file that failed its check');
  } finally {
    client.dispose();
  }
});

test('a package outside the roots gets new roots (the user\'s and its own) and loads into the reloaded webview', async () => {
  const first = tinyPackage('first');
  const later = tinyPackage('later');
  const userFolder = Uri.file('/home/user/models');
  const { webview, client, scripts } = setup({ roots: [Uri.file('/ext/dist'), Uri.file(first.dir)], userRoots: () => [userFolder] });
  try {
    await client.ensureModel(Uri.file(first.dir) as unknown as vscode.Uri, first.manifest, 'wasm');
    assert.equal(webview.reloads, 0, 'a package inside the roots does not reload the webview');

    const info = await client.ensureModel(Uri.file(later.dir) as unknown as vscode.Uri, later.manifest, 'wasm');
    assert.equal(info.info.id, 'later');
    assert.equal(webview.reloads, 1, 'new roots reload the webview once');
    const roots = (webview.options.localResourceRoots ?? []).map((u) => u.path);
    assert.ok(roots.includes(later.dir), `the new package is readable: ${roots}`);
    assert.ok(roots.includes('/home/user/models'), 'the user\'s model folders stay readable');
    assert.ok(!roots.includes(first.dir), 'the roots are recomputed, not grown without end');
    assert.equal(scripts.length, 2);
    assert.equal(scripts[0].loadsAsked.length, 1, 'the old script never got the new package');
    assert.deepEqual(scripts[1].loadsAsked.map((p) => p.label), ['later'], 'the reloaded script got it');
  } finally {
    client.dispose();
  }
});

test('a webview closed before it started settles a waiting load at once, not after the start timeout', async () => {
  const pkg = tinyPackage('early');
  const dir = Uri.file(pkg.dir);
  const { client } = setup({ roots: [dir], start: false });
  const t0 = Date.now();
  const load = client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm');
  setTimeout(() => client.dispose(), 20);
  await assert.rejects(load, { name: 'ChannelClosedError' });
  assert.ok(Date.now() - t0 < 2000, `settled after ${Date.now() - t0} ms`);
  await assert.rejects(client.ensureModel(dir as unknown as vscode.Uri, pkg.manifest, 'wasm'), { name: 'ChannelClosedError' }, 'and later ones at once');
});

test('the page\'s policy keeps the webview\'s resource host and drops \'self\' (in code-server the editor\'s origin, with its port proxy)', () => {
  assert.equal(resourceSources("'self' https://*.vscode-cdn.net"), 'https://*.vscode-cdn.net');
  assert.equal(resourceSources("https://*.vscode-cdn.net 'self'"), 'https://*.vscode-cdn.net');
  assert.equal(resourceSources("'self'"), "'self'", 'an editor with nothing else keeps it');
});
