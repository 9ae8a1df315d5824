// An engine webview's HTML: strict CSP (nonce for the script, wasm allowed, only the webview's own origin). The engine
// worker starts from a Blob URL of its script's text (worker-src blob:) and gets this policy; it also removes its own
// network APIs (webview/engine/noNetwork.ts), so its confinement does not rest on how a browser hands CSP to workers.
import * as vscode from 'vscode';
import type { BackendSetting } from '../shared/results';
import { BACKEND_META, ENGINE_WORKER_SCRIPT, RUNTIME_LOOPBACK_META, RUNTIME_META, RUNTIME_START_META } from '../shared/protocol';

export function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

/**
 * `backend`: the setting now, so the page starts the onnxruntime build it will likely load before the host asks.
 * `runtimeTags`: onnxruntime's binaries as the host found them (src/models/engineFileServer.ts, runtimeTags).
 * `loopback`: the address of the host's loopback file server (src/models/loopback.ts), which the page may fetch
 * from (only that path, not the rest of its origin: in code-server, the editor's own), and onnxruntime's binaries there.
 * `runtimeAtLoad`: the page starts onnxruntime only at its first load (RUNTIME_START_META), and its engine worker
 * with it (the worker's script is then not asked for ahead).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, scriptName: string, title: string, lang: string,
  backend: BackendSetting, runtimeTags: Record<string, string>, loopback?: { base: string; runtime: Record<string, string> }, runtimeAtLoad = false): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', scriptName));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  // The engine's worker script (0.5 MB), which the page's script fetches once it runs (webview/engine/engineWorker.ts,
  // startWorker: the same request, so it takes this response): asked for while the page's own script comes and runs.
  const worker = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ENGINE_WORKER_SCRIPT));
  const own = resourceSources(webview.cspSource);
  const csp = [
    "default-src 'none'",
    `img-src ${own} data: blob:`,
    `style-src ${own} 'unsafe-inline'`,
    `font-src ${own}`,
    `script-src ${own} 'nonce-${n}' 'wasm-unsafe-eval'`,
    `connect-src ${own}${loopback ? ` ${cspPath(loopback.base)}` : ''}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="${BACKEND_META}" content="${backend}">
<meta name="${RUNTIME_META}" content="${escapeAttribute(JSON.stringify(runtimeTags))}">
${runtimeAtLoad ? `<meta name="${RUNTIME_START_META}" content="at-load">
` : ''}${loopback ? `<meta name="${RUNTIME_LOOPBACK_META}" content="${escapeAttribute(JSON.stringify(loopback.runtime))}">
` : ''}<link rel="stylesheet" href="${css}">
${runtimeAtLoad ? '' : `<link rel="preload" href="${worker}" as="fetch" crossorigin="anonymous">
`}<title>${title}</title>
</head>
<body>
<div id="app"></div>
<script type="module" nonce="${n}" src="${script}"></script>
</body>
</html>`;
}

/**
 * The webview's resource sources without `'self'`. VS Code's cspSource is `'self' https://*.vscode-cdn.net`, and every
 * file a page reads comes from the second (its asWebviewUri addresses); but in a browser-hosted editor the page's own
 * origin is the editor's, and 'self' would let it reach the editor's port proxy to any local port (e2e scenario 32).
 * An editor whose cspSource is 'self' alone keeps it.
 */
export function resourceSources(cspSource: string): string {
  const others = cspSource.split(/\s+/).filter((source) => source && source !== "'self'");
  return others.length ? others.join(' ') : cspSource;
}

/** An http(s) URL as a CSP source expression (a path ending with '/' allows what lies under it); nothing when it is not one. */
function cspPath(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
    return `${u.origin}${u.pathname.replace(/[;,\s]/g, encodeURIComponent)}`;
  } catch {
    return '';
  }
}

/** `text` safe inside a double-quoted HTML attribute. */
function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
