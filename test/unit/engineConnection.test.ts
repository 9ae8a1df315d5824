// The host's belief about which model an engine webview holds (src/panels/engineConnection.ts) never outlives the
// webview's engine: a reload (a new `ready`) empties the engine, so the host loads the model again instead of sending
// translations to an empty engine; a load cut short by the reload fails at once instead of timing out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webviewEndpoint, type Endpoint, type Message } from '../../src/shared/ipc';
import { PANEL, PROTOCOL_VERSION, type LoadModelParams, type ModelInfo, type PanelProtocol } from '../../src/shared/protocol';
import { EngineConnection } from '../../src/panels/engineConnection';

/** A panel script with its engine (what webview/main.ts and webview/engineHost.ts do, minus ONNX). */
class FakePanel {
  loaded?: string;
  loads = 0;
  loadDelayMs = 0;
  readonly endpoint: Endpoint<PanelProtocol['webviewToHost'], PanelProtocol['hostToWebview']>;

  constructor(toHost: (m: Message) => void) {
    this.endpoint = webviewEndpoint<PanelProtocol>(PANEL, {
      post: toHost,
      peer: 'host',
      handlers: {
        exportFigure: async () => null,
        loadModel: async (p) => {
          this.loads++;
          await new Promise((r) => setTimeout(r, this.loadDelayMs));
          this.loaded = p.baseUri;
          return { id: p.label, backend: 'wasm', manifest: {}, loadMillis: 0 } as unknown as ModelInfo;
        },
        translate: async (p) => {
          if (!this.loaded) throw new Error('No model is loaded in this view yet.');
          return { text: `${p.text} (${this.loaded})` } as never;
        },
      },
    });
  }

  start(): void {
    this.endpoint.notify('ready', { version: PROTOCOL_VERSION });
  }
}

/** A host connection and the webview behind it; `reload()` replaces the script (and its engine) like VS Code does. */
function setup() {
  const copy = (m: Message) => JSON.parse(JSON.stringify(m)) as unknown;
  let panel: FakePanel;
  const connection = new EngineConnection<PanelProtocol>({
    post: (m) => queueMicrotask(() => void panel.endpoint.receive(copy(m))),
    names: PANEL, peer: 'The Attention panel', handlers: {},
    readyTimeoutMs: 2000, readyTimeoutMessage: 'no ready',
  });
  const open = () => {
    panel = new FakePanel((m) => queueMicrotask(() => void connection.receive(copy(m))));
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
    assert.equal(panel().loads, 1, 'one load while the webview runs');
    assert.equal((await translate(connection)).text, 'hi (models/m)');

    reload();                                          // "Developer: Reload Webviews": a new script, an empty engine
    await new Promise((r) => setTimeout(r, 10));       // its `ready` arrives
    await connection.ensureModel('models/m|wasm', params, 1000);
    assert.equal(panel().loads, 1, 'the reloaded webview was asked to load the model');
    assert.equal((await translate(connection)).text, 'hi (models/m)', 'and translates');
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
    assert.equal(panel().loads, 1);
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
