// The webview end of the protocol: posts to the host, validates what arrives, serves requests.
import { parseMessage, RequestServer, type Handlers, type Message, type WebviewNotifications } from '../src/shared/protocol';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi: VsCodeApi = acquireVsCodeApi();

export function post(m: Message): void {
  vscodeApi.postMessage(m);
}

export function notify<K extends keyof WebviewNotifications>(method: K, params: WebviewNotifications[K]): void {
  post({ kind: 'notify', method, params });
}

/** Serves host requests and hands notifications to `onNotify`. */
export function listen(handlers: Handlers, onNotify: (method: string, params: unknown) => void): void {
  const server = new RequestServer(post, handlers);
  window.addEventListener('message', (event: MessageEvent) => {
    const m = parseMessage(event.data);
    if (!m) return;
    if (m.kind === 'notify') onNotify(m.method, m.params);
    else void server.handle(m);
  });
}
