// The host<->webview machinery: responses match requests, time out, cancel, and fail cleanly when the panel closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, RequestChannel, RequestServer, type Message } from '../../src/shared/ipc';
import { PANEL, type PanelProtocol } from '../../src/shared/protocol';

type ToPanel = PanelProtocol['hostToWebview']['requests'];

function pair(handlerDelayMs = 0) {
  const toServer: Message[] = [];
  const channel = new RequestChannel<ToPanel>((m) => {
    toServer.push(m);
    queueMicrotask(() => void server.handle(m));
  });
  let seenSignal: AbortSignal | undefined;
  const server = new RequestServer<ToPanel>((m) => {
    if (m.kind === 'response') channel.handleResponse(m);
  }, {
    exportFigure: async () => null,
    loadModel: async () => {
      throw new Error('no such model');
    },
    translate: async (params, { signal }) => {
      seenSignal = signal;
      await new Promise((r) => setTimeout(r, handlerDelayMs));
      if (signal.aborted) throw Object.assign(new Error('Translation cancelled.'), { name: 'CancelledError' });
      return { text: params.text.toUpperCase() } as never;
    },
  });
  return { channel, toServer, signal: () => seenSignal };
}

const params = { text: 'hi', to: 'ko' as const, beam: 1, attention: false, display: false };

test('a request resolves with its own response', async () => {
  const { channel } = pair();
  const [a, b] = await Promise.all([
    channel.request('translate', { ...params, text: 'a' }, { timeoutMs: 1000 }),
    channel.request('translate', { ...params, text: 'b' }, { timeoutMs: 1000 }),
  ]);
  assert.equal((a as { text: string }).text, 'A');
  assert.equal((b as { text: string }).text, 'B');
  assert.equal(channel.pendingCount, 0);
});

test('a handler error comes back as a rejected request with its message', async () => {
  const { channel } = pair();
  await assert.rejects(channel.request('loadModel', { baseUri: 'x', ortBaseUri: 'y', backend: 'wasm', label: 'm' }, { timeoutMs: 1000 }), /no such model/);
});

test('a request times out with a named error and sends a cancel', async () => {
  const { channel, toServer } = pair(200);
  await assert.rejects(channel.request('translate', params, { timeoutMs: 20 }), { name: 'RequestTimeoutError' });
  assert.ok(toServer.some((m) => m.kind === 'cancel'));
});

test('aborting a request cancels it on both sides', async () => {
  const { channel, signal } = pair(50);
  const abort = new AbortController();
  const p = channel.request('translate', params, { timeoutMs: 1000, signal: abort.signal });
  await new Promise((r) => setTimeout(r, 10));
  abort.abort();
  await assert.rejects(p, { name: 'RequestCancelledError' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(signal()?.aborted, true);
});

test('closing the channel fails pending and later requests', async () => {
  const { channel } = pair(100);
  const p = channel.request('translate', params, { timeoutMs: 1000 });
  channel.close();
  await assert.rejects(p, { name: 'ChannelClosedError' });
  await assert.rejects(channel.request('translate', params, { timeoutMs: 1000 }), { name: 'ChannelClosedError' });
});

test('parseMessage rejects malformed messages', () => {
  const toPanel = PANEL.hostToWebview;
  assert.equal(parseMessage(null, toPanel), undefined);
  assert.equal(parseMessage({ kind: 'request', id: 'x', method: 'translate' }, toPanel), undefined);
  assert.equal(parseMessage({ kind: 'request', id: 1, method: 'deleteEverything' }, toPanel), undefined);
  assert.equal(parseMessage({ kind: 'request', id: 1, method: 'toString' }, toPanel), undefined, 'inherited names are no methods');
  assert.equal(parseMessage({ kind: 'response', id: 1, ok: false }, toPanel), undefined);
  assert.equal(parseMessage({ kind: 'notify', method: 'ready', params: {} }, toPanel), undefined, 'ready goes the other way');
  assert.deepEqual(parseMessage({ kind: 'cancel', id: 3 }, toPanel), { kind: 'cancel', id: 3 });
});

test('a webview reload fails the pending requests at once, and only those', async () => {
  const { channel } = pair(200);
  const p = channel.request('translate', params, { timeoutMs: 1000 });
  channel.failPending(Object.assign(new Error('reloaded'), { name: 'WebviewReloadedError' }));
  await assert.rejects(p, { name: 'WebviewReloadedError' });
  const later = await channel.request('translate', params, { timeoutMs: 1000 });
  assert.equal((later as { text: string }).text, 'HI', 'the channel stays open');
});
