// The webview end of its protocol (src/shared/protocol.ts): validates what the host posts, answers its requests,
// sends requests and notifications of its own.
import { webviewEndpoint, type Endpoint, type NotificationOf, type Protocol, type ProtocolNames, type RequestHandlers } from '../src/shared/ipc';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi: VsCodeApi = acquireVsCodeApi();

/** Serves the host's requests with `handlers`, hands its notifications to `onNotification`, and returns the endpoint. */
export function connect<P extends Protocol>(names: ProtocolNames<P>, handlers: RequestHandlers<P['hostToWebview']['requests']>,
  onNotification?: (n: NotificationOf<P['hostToWebview']['notifications']>) => void): Endpoint<P['webviewToHost'], P['hostToWebview']> {
  const endpoint = webviewEndpoint<P>(names, { post: (m) => vscodeApi.postMessage(m), peer: 'The extension', handlers, onNotification });
  window.addEventListener('message', (event: MessageEvent) => void endpoint.receive(event.data));
  return endpoint;
}
