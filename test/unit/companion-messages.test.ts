// The paper companion's own messages: validated on arrival on both sides, distinct from the engine protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ANALYZE_CHARS, parseCompanionReply, parseCompanionRequest } from '../../src/companion/messages';
import { parseMessage } from '../../src/shared/protocol';

test('requests from the webview are narrowed', () => {
  assert.deepEqual(parseCompanionRequest({ kind: 'companion', type: 'hello', extra: 1 }), { kind: 'companion', type: 'hello' });
  assert.deepEqual(parseCompanionRequest({ kind: 'companion', type: 'selection', id: 3 }), { kind: 'companion', type: 'selection', id: 3 });
  assert.deepEqual(parseCompanionRequest({ kind: 'companion', type: 'analyze', id: 4, text: '은행' }), { kind: 'companion', type: 'analyze', id: 4, text: '은행' });
});

test('malformed requests are rejected', () => {
  for (const bad of [null, 1, 'x', {}, { kind: 'notify', type: 'hello' }, { kind: 'companion' }, { kind: 'companion', type: 'selection' },
    { kind: 'companion', type: 'selection', id: 0 }, { kind: 'companion', type: 'selection', id: 1.5 }, { kind: 'companion', type: 'analyze', id: 1 },
    { kind: 'companion', type: 'analyze', id: 1, text: '   ' }, { kind: 'companion', type: 'analyze', id: 1, text: 'x'.repeat(MAX_ANALYZE_CHARS + 1) },
    { kind: 'companion', type: 'run', id: 1 }]) {
    assert.equal(parseCompanionRequest(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
  }
});

test('replies from the host are narrowed', () => {
  assert.deepEqual(parseCompanionReply({ kind: 'companion', type: 'selection', id: 1, text: 'hi' }), { kind: 'companion', type: 'selection', id: 1, text: 'hi' });
  assert.deepEqual(parseCompanionReply({ kind: 'companion', type: 'selection', id: 1, problem: 'empty' }), { kind: 'companion', type: 'selection', id: 1, problem: 'empty' });
  assert.deepEqual(parseCompanionReply({ kind: 'companion', type: 'analysis', id: 2, error: 'no' }), { kind: 'companion', type: 'analysis', id: 2, error: 'no' });
  const result = { text: 'x', sentences: [{ source: 'y', srcTokens: [], tgtTokens: [] }] };
  assert.deepEqual(parseCompanionReply({ kind: 'companion', type: 'analysis', id: 2, result }), { kind: 'companion', type: 'analysis', id: 2, result });
  assert.deepEqual(parseCompanionReply({ kind: 'companion', type: 'modelError', error: 'gone' }), { kind: 'companion', type: 'modelError', error: 'gone' });
  for (const bad of [{ kind: 'companion', type: 'selection', id: 1, problem: 'other' }, { kind: 'companion', type: 'analysis', id: 2, result: { text: 1 } },
    { kind: 'companion', type: 'analysis', id: 2, result: { text: 'x', sentences: [{}] } }, { kind: 'companion', type: 'modelError' }]) {
    assert.equal(parseCompanionReply(bad), undefined, JSON.stringify(bad));
  }
});

test('the engine protocol ignores companion messages', () => {
  assert.equal(parseMessage({ kind: 'companion', type: 'hello' }), undefined);
  assert.equal(parseMessage({ kind: 'companion', type: 'analyze', id: 1, text: 'x' }), undefined);
});
