// Takes the network away from the engine worker before anything else in it runs (worker.ts imports this first).
// A worker started from a Blob URL gets the page's Content-Security-Policy in Chromium (e2e scenario 32 measures it),
// but how a browser hands CSP to workers has differed between browsers and versions. The worker needs no network
// (the page reads every file for it), so the APIs that reach one are removed from its global scope: a second wall.

/** Global names through which a worker can send a request, open a connection or load more code. */
export const NETWORK_GLOBALS = ['fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport',
  'importScripts', 'Worker', 'SharedWorker'] as const;

/** Replaces each of NETWORK_GLOBALS on `scope` with undefined, for good (not writable, not configurable). */
export function removeNetwork(scope: object): string[] {
  const removed: string[] = [];
  for (const name of NETWORK_GLOBALS) {
    if (!(name in scope)) continue;
    Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false, enumerable: false });
    removed.push(name);
  }
  return removed;
}

removeNetwork(globalThis);
