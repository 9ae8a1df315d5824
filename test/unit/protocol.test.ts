// The host<->webview protocol: responses match requests, time out, cancel, and fail cleanly when the panel closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, RequestChannel, RequestServer, type Message } from '../../src/shared/protocol';

function pair(handlerDelayMs = 0) {
  const toServer: Message[] = [];
  const channel = new RequestChannel((m) => {
    toServer.push(m);
    queueMicrotask(() => void server.handle(m));
  });
  let seenSignal: AbortSignal | undefined;
  const server = new RequestServer((m) => {
    if (m.kind === 'response') channel.handleResponse(m);
  }, {
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

test('parseMessage rejects malformed messages from the webview', () => {
  assert.equal(parseMessage(null), undefined);
  assert.equal(parseMessage({ kind: 'request', id: 'x', method: 'translate' }), undefined);
  assert.equal(parseMessage({ kind: 'request', id: 1, method: 'deleteEverything' }), undefined);
  assert.equal(parseMessage({ kind: 'response', id: 1, ok: false }), undefined);
  assert.deepEqual(parseMessage({ kind: 'cancel', id: 3 }), { kind: 'cancel', id: 3 });
});
