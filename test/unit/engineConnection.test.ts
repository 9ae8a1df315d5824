// The host's belief about which model an engine webview holds (src/panels/engineConnection.ts) never outlives the
// webview's engine: a reload (a new `ready`) empties the engine, so the host loads the model again instead of sending
// translations to an empty engine; a load cut short by the reload fails at once instead of timing out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../src/shared/ipc';
import { PANEL, PROTOCOL_VERSION, type LoadModelParams, type PanelProtocol } from '../../src/shared/protocol';
import { EngineConnection } from '../../src/panels/engineConnection';
import { FakePanelScript } from './fakes/panelScript';

/** A host connection and the webview behind it; `reload()` replaces the script (and its engine) like VS Code does. */
function setup() {
  const copy = (m: Message) => JSON.parse(JSON.stringify(m)) as unknown;
  let panel: FakePanelScript;
  const connection = new EngineConnection<PanelProtocol>({
    post: (m) => queueMicrotask(() => void panel.endpoint.receive(copy(m))),
    names: PANEL, peer: 'The Attention panel', handlers: { readFile: async () => ({ problem: 'missing' }) },
    readyTimeoutMs: 2000, readyTimeoutMessage: 'no ready',
  });
  const open = () => {
    panel = new FakePanelScript((m) => queueMicrotask(() => void connection.receive(copy(m))));
    panel.start();
    return panel;
  };
  return { connection, open, reload: open, panel: () => panel };
}

const params = async (): Promise<LoadModelParams> => ({ baseUri: 'models/m', ortBaseUri: 'ort/', backend: 'wasm', label: 'm' });
const translate = (c: EngineConnection<PanelProtocol>) =>
  c.endpoint.request('translate', { text: 'hi', to: 'ko', beam: 1, attention: false, display: false }, { timeoutMs: 1000 });

test('after a panel reload the host loads the model again instead of believing it is still loaded', async () => {
  const { connection, open, reload, panel } = setup();
  try {
    open();
    await connection.ensureModel('models/m|wasm', params, 1000);
    await connection.ensureModel('models/m|wasm', params, 1000);
    assert.equal(panel().loadsAsked.length, 1, 'one load while the webview runs');
    assert.equal((await translate(connection)).text, '<hi>');
    assert.equal(panel().loaded, 'models/m');

    reload();                                          // "Developer: Reload Webviews": a new script, an empty engine
    await new Promise((r) => setTimeout(r, 10));       // its `ready` arrives
    await connection.ensureModel('models/m|wasm', params, 1000);
    assert.equal(panel().loadsAsked.length, 1, 'the reloaded webview was asked to load the model');
    assert.equal((await translate(connection)).text, '<hi>', 'and translates');
    assert.equal(panel().loaded, 'models/m', 'with the model it was asked to load');
  } finally {
    connection.dispose();
  }
});

test('a load cut short by a reload fails at once, and the next one goes to the new webview', async () => {
  const { connection, open, reload, panel } = setup();
  try {
    open().loadDelayMs = 500;
    await new Promise((r) => setTimeout(r, 10));
    const first = connection.ensureModel('models/m|wasm', params, 5000);
    await new Promise((r) => setTimeout(r, 20));
    reload();
    await assert.rejects(first, { name: 'WebviewReloadedError' }, 'at once, not a RequestTimeoutError 5 s later');
    await connection.ensureModel('models/m|wasm', params, 1000);
    assert.equal(panel().loadsAsked.length, 1);
  } finally {
    connection.dispose();
  }
});

test('a ready from another protocol version is ignored', async () => {
  const { connection, open } = setup();
  try {
    open();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(connection.isReady, true);
    const stale = setup();
    stale.connection.receive({ kind: 'notify', method: 'ready', params: { version: PROTOCOL_VERSION + 99 } });
    assert.equal(stale.connection.isReady, false);
    stale.connection.dispose();
  } finally {
    connection.dispose();
  }
});

test('a connection disposed before the webview started settles a waiting load at once', async () => {
  const { connection } = setup();                      // no script: the webview never says ready
  const t0 = Date.now();
  const load = connection.ensureModel('models/m|wasm', params, 1000);
  setTimeout(() => connection.dispose(), 10);
  await assert.rejects(load, { name: 'ChannelClosedError' });
  assert.ok(Date.now() - t0 < 1000, `settled after ${Date.now() - t0} ms, not at the 2 s start timeout`);
  await assert.rejects(connection.ensureModel('models/m|wasm', params, 1000), { name: 'ChannelClosedError' });
});

test('dispose settles a load whose package check is still running, and a translation waiting for its answer', async () => {
  const { connection, open, panel } = setup();
  open();
  let finishCheck!: () => void;
  const slowParams = () => new Promise<LoadModelParams>((resolve) => { finishCheck = () => void params().then(resolve); });
  const load = connection.ensureModel('models/slow|wasm', slowParams, 1000);
  panel().loaded = 'models/m';
  panel().endpoint.receive = () => true;               // the script stops answering (a closing webview)
  const pending = translate(connection);
  await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now();
  connection.dispose();
  await assert.rejects(load, { name: 'ChannelClosedError' });
  await assert.rejects(pending, { name: 'ChannelClosedError' });
  assert.ok(Date.now() - t0 < 100, 'both at once');
  finishCheck();
});

test('expectReload: the next load waits for the restarted webview, and the old script is never asked', async () => {
  const { connection, open, reload, panel } = setup();
  try {
    const first = open();
    await connection.ensureModel('models/a|wasm', params, 1000);
    connection.expectReload();                         // e.g. new localResourceRoots: VS Code reloads the webview
    const load = connection.ensureModel('models/b|wasm', async () => ({ ...(await params()), baseUri: 'models/b' }), 1000);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(first.loadsAsked.length, 1, 'the old script got nothing more');
    reload();
    await load;
    assert.equal(panel().loadsAsked.length, 1);
    assert.equal(panel().loaded, 'models/b');
  } finally {
    connection.dispose();
  }
});

test('a webview that starts after the start timeout still gets the loads asked later', async () => {
  let panel: FakePanelScript | undefined;
  const copy = (m: Message) => JSON.parse(JSON.stringify(m)) as unknown;
  const connection = new EngineConnection<PanelProtocol>({
    post: (m) => queueMicrotask(() => void panel?.endpoint.receive(copy(m))),
    names: PANEL, peer: 'The Attention panel', handlers: { readFile: async () => ({ problem: 'missing' }) },
    readyTimeoutMs: 20, readyTimeoutMessage: 'no ready',
  });
  try {
    await assert.rejects(connection.ensureModel('models/m|wasm', params, 1000), /no ready/);
    panel = new FakePanelScript((m) => queueMicrotask(() => void connection.receive(copy(m))));
    panel.start();
    await new Promise((r) => setTimeout(r, 10));
    await connection.ensureModel('models/m|wasm', params, 1000);
    assert.equal(panel.loadsAsked.length, 1);
  } finally {
    connection.dispose();
  }
});

test('a notification for the webview waits for its script to listen, and is not sent after dispose', async () => {
  const { connection, open, panel } = setup();
  const sent: string[] = [];
  connection.whenReady(() => {
    sent.push('before ready');
    connection.endpoint.notify('hostTranslation', { step: 'started' });
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(sent.length, 0, 'nothing before the script said ready');
  open();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(sent, ['before ready']);
  assert.deepEqual(panel().notified, [{ method: 'hostTranslation', params: { step: 'started' } }], 'the script heard it');
  connection.whenReady(() => sent.push('after ready'));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(sent, ['before ready', 'after ready'], 'at once when it listens');
  connection.dispose();
  connection.whenReady(() => sent.push('after dispose'));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(sent.length, 2);
});
