// The engine worker runs without network APIs (webview/engine/noNetwork.ts), a second wall beside the page's CSP.
// The removal sticks, and worker.ts runs it before any other module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NETWORK_GLOBALS, removeNetwork } from '../../webview/engine/noNetwork';

test('fetch, XMLHttpRequest, WebSocket, importScripts and the rest are gone for good', () => {
  const scope: Record<string, unknown> = { fetch: () => 'sent', XMLHttpRequest: class {}, WebSocket: class {}, importScripts: () => undefined, postMessage: () => undefined };
  const removed = removeNetwork(scope);
  assert.deepEqual(removed.sort(), ['XMLHttpRequest', 'WebSocket', 'fetch', 'importScripts'].sort());
  for (const name of removed) {
    assert.equal(scope[name], undefined, name);
    assert.throws(() => { 'use strict'; scope[name] = () => 'back'; }, TypeError, `${name} cannot be put back`);
    assert.throws(() => Object.defineProperty(scope, name, { value: 1 }), TypeError, `${name} cannot be redefined`);
  }
  assert.equal(typeof scope.postMessage, 'function', 'messages to the page stay');
  assert.ok(NETWORK_GLOBALS.includes('fetch') && NETWORK_GLOBALS.includes('WebSocket'));
});

test('the worker imports it before anything else', () => {
  const source = readFileSync(join(resolve(__dirname, '../../..'), 'webview/engine/worker.ts'), 'utf8');
  const firstImport = /^import\s+[^;]*?['"]([^'"]+)['"]/m.exec(source)?.[1];
  assert.equal(firstImport, './noNetwork');
});
