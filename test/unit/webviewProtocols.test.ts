// The two webviews' protocols are typed method maps (src/shared/protocol.ts), not string matching: each side can
// only send what its map names, with the map's parameter and result types, and drops what the other webview speaks.
// The compile-time half is checked by `tsc -p .` (the @ts-expect-error lines below fail it if a check stops holding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostEndpoint, webviewEndpoint, type Endpoint, type Message, type NotificationOf, type Protocol, type ProtocolNames, type RequestHandlers,
} from '../../src/shared/ipc';
import { COMPANION, PANEL, PROTOCOL_VERSION, type CompanionProtocol, type ModelInfo, type PanelProtocol } from '../../src/shared/protocol';

/** Host and webview endpoints of one protocol, joined in memory (messages go through JSON, like postMessage). */
function joined<P extends Protocol>(names: ProtocolNames<P>,
  host: RequestHandlers<P['webviewToHost']['requests']>, webview: RequestHandlers<P['hostToWebview']['requests']>) {
  const heard = { host: [] as unknown[], webview: [] as unknown[] };
  const wire = (to: () => { receive(raw: unknown): boolean }) => (m: Message) => queueMicrotask(() => void to().receive(JSON.parse(JSON.stringify(m))));
  const h: Endpoint<P['hostToWebview'], P['webviewToHost']> = hostEndpoint<P>(names, { post: wire(() => w), peer: 'webview', handlers: host, onNotification: (n) => heard.host.push(n) });
  const w: Endpoint<P['webviewToHost'], P['hostToWebview']> = webviewEndpoint<P>(names, { post: wire(() => h), peer: 'host', handlers: webview, onNotification: (n) => heard.webview.push(n) });
  return { h, w, heard };
}

const info = { id: 'm', backend: 'wasm', manifest: {}, loadMillis: 1 } as unknown as ModelInfo;
const load = { baseUri: 'b', ortBaseUri: 'o', backend: 'wasm' as const, label: 'm' };
const settle = () => new Promise((r) => setTimeout(r, 5));

test('the companion: the host loads models into it, it asks the host for the selection', async () => {
  const { h, w, heard } = joined<CompanionProtocol>(COMPANION, { selection: async () => ({ text: '은행에 가서' }), readFile: async () => ({ problem: 'missing' as const }) }, { loadModel: async () => info });
  assert.deepEqual(await h.request('loadModel', load, { timeoutMs: 1000 }), info);
  assert.deepEqual(await w.request('selection', undefined, { timeoutMs: 1000 }), { text: '은행에 가서' });
  w.notify('ready', { version: PROTOCOL_VERSION });
  h.notify('modelError', { error: 'gone' });
  await settle();
  assert.deepEqual(heard.host, [{ method: 'ready', params: { version: PROTOCOL_VERSION } }]);
  assert.deepEqual(heard.webview, [{ method: 'modelError', params: { error: 'gone' } }]);
});

test('the panel: the host loads and translates, the panel reports progress and actions', async () => {
  const { h, w, heard } = joined<PanelProtocol>(PANEL, { readFile: async () => ({ problem: 'missing' as const }) }, {
    loadModel: async () => info,
    translate: async (p) => ({ text: p.text.toUpperCase() }) as never,
    exportFigure: async () => ({ svg: '<svg/>', png: 'data:image/png;base64,AAAA', name: 'attention-x-cross-L1-mean', title: 'Cross', source: 'x' }),
  });
  assert.equal((await h.request('translate', { text: 'hi', to: 'ko', beam: 1, attention: false, display: false }, { timeoutMs: 1000 })).text, 'HI');
  assert.equal((await h.request('exportFigure', undefined, { timeoutMs: 1000 }))?.name, 'attention-x-cross-L1-mean');
  w.notify('progress', { requestId: 1, done: 1, total: 2 });
  await settle();
  assert.deepEqual(heard.host, [{ method: 'progress', params: { requestId: 1, done: 1, total: 2 } }]);
});

test('each webview drops what only the other one speaks', () => {
  const posted: Message[] = [];
  const companion = webviewEndpoint<CompanionProtocol>(COMPANION, { post: (m) => posted.push(m), peer: 'host', handlers: { loadModel: async () => info } });
  const panelHost = hostEndpoint<PanelProtocol>(PANEL, { post: (m) => posted.push(m), peer: 'panel', handlers: { readFile: async () => ({ problem: 'missing' as const }) } });
  const companionHost = hostEndpoint<CompanionProtocol>(COMPANION, { post: (m) => posted.push(m), peer: 'companion', handlers: { selection: async () => ({ problem: 'empty' }), readFile: async () => ({ problem: 'missing' as const }) } });
  assert.equal(companion.receive({ kind: 'request', id: 1, method: 'translate', params: {} }), false, 'the companion has no translate');
  assert.equal(companion.receive({ kind: 'notify', method: 'show', params: {} }), false, 'show is the panel\'s');
  assert.equal(panelHost.receive({ kind: 'request', id: 1, method: 'selection' }), false, 'the panel asks for no selection');
  assert.equal(companionHost.receive({ kind: 'notify', method: 'progress', params: {} }), false, 'progress is the panel\'s');
  assert.equal(companionHost.receive({ kind: 'companion', type: 'hello' }), false, 'the old untyped messages are gone');
  assert.equal(companionHost.receive({ kind: 'notify', method: 'ready', params: { version: PROTOCOL_VERSION } }), true);
  assert.deepEqual(posted, []);
});

test('the run-time name tables list exactly the methods of the types', () => {
  const keys = (o: object) => Object.keys(o).sort();
  assert.deepEqual(keys(PANEL.hostToWebview.requests), ['exportFigure', 'loadModel', 'translate']);
  assert.deepEqual(keys(PANEL.webviewToHost.requests), ['readFile']);
  assert.deepEqual(keys(COMPANION.hostToWebview.requests), ['loadModel']);
  assert.deepEqual(keys(COMPANION.webviewToHost.requests), ['readFile', 'selection']);
});

// ---------------------------------------------------------------- compile time (never run; tsc checks it)

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const methodSets: [
  Equal<keyof PanelProtocol['hostToWebview']['requests'], 'loadModel' | 'translate' | 'exportFigure'>,
  Equal<keyof CompanionProtocol['hostToWebview']['requests'], 'loadModel'>,
  Equal<keyof CompanionProtocol['webviewToHost']['requests'], 'selection' | 'readFile'>,
  Equal<NotificationOf<CompanionProtocol['hostToWebview']['notifications']>, { method: 'modelError'; params: { error: string } }>,
] = [true, true, true, true];
void methodSets;

export async function typeChecks(panel: Endpoint<PanelProtocol['hostToWebview'], PanelProtocol['webviewToHost']>,
  companionHost: Endpoint<CompanionProtocol['hostToWebview'], CompanionProtocol['webviewToHost']>,
  companion: Endpoint<CompanionProtocol['webviewToHost'], CompanionProtocol['hostToWebview']>): Promise<void> {
  const o = { timeoutMs: 1 };
  // @ts-expect-error the panel asks the host for no selection
  await panel.request('selection', undefined, o);
  // @ts-expect-error the companion has no translate: it runs its own engine
  await companionHost.request('translate', { text: 'x', to: 'ko', beam: 1, attention: true, display: false }, o);
  // @ts-expect-error loadModel needs its parameters
  await companionHost.request('loadModel', { baseUri: 'x' }, o);
  // @ts-expect-error loadModel answers a ModelInfo, not a string
  const id: string = await companionHost.request('loadModel', load, o);
  // @ts-expect-error a selection reply has text or a problem, not a number
  const n: number = await companion.request('selection', undefined, o);
  // @ts-expect-error a webview cannot send what only the host sends
  companion.notify('modelError', { error: 'x' });
  // @ts-expect-error notifications carry their own parameter types
  panel.notify('show', { result: 'text' });
  // @ts-expect-error a name table that forgets a method does not compile
  const partial: ProtocolNames<CompanionProtocol> = { hostToWebview: { requests: { loadModel: true }, notifications: { modelError: true } }, webviewToHost: { requests: {}, notifications: { ready: true } } };
  void [id, n, partial];
}
