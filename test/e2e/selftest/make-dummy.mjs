// Writes and packages a throwaway extension (build/e2e-dummy/, git-ignored) that exercises what the harness
// must handle: palette commands, a webview with text/canvas/select, two webviews, an error notification,
// a status bar item, a setting, an edit of the document, WebGPU detection. Used by `E2E_SELFTEST=1 node test/e2e/run.mjs`.
import { mkdirSync, writeFileSync, existsSync, statSync, copyFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
export const dummyDir = join(repo, 'build/e2e-dummy');
export const dummyVsix = join(dummyDir, 'dummy.vsix');

const pkg = {
  name: 'ac-e2e-dummy', displayName: 'Attention Companion (dummy)', publisher: 'ac-e2e', version: '0.0.1',
  license: 'MIT', repository: { type: 'git', url: 'https://example.invalid/dummy.git' },
  engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: ['onStartupFinished'],
  contributes: {
    commands: [
      { command: 'acDummy.hello', title: 'Hello', category: 'Attention Companion (dummy)' },
      { command: 'acDummy.fail', title: 'Fail', category: 'Attention Companion (dummy)' },
      { command: 'acDummy.second', title: 'Second Panel', category: 'Attention Companion (dummy)' },
      { command: 'acDummy.upper', title: 'Uppercase Selection', category: 'Attention Companion (dummy)' },
      { command: 'acDummy.pick', title: 'Pick Direction', category: 'Attention Companion (dummy)' },
    ],
    configuration: { title: 'Dummy', properties: { 'acDummy.greeting': { type: 'string', default: 'hello' } } },
  },
};

const extension = String.raw`
const vscode = require('vscode');
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
let extUri;
let mainPanel;
function html(webview, title, body) {
  const nonce = Math.random().toString(36).slice(2);
  const toolkit = webview.asWebviewUri(vscode.Uri.joinPath(extUri, 'media', 'toolkit.min.js'));
  return '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src ' + webview.cspSource + ' \'unsafe-inline\'; script-src ' + webview.cspSource + ' \'nonce-' + nonce + '\';">' +
    '<title>' + esc(title) + '</title></head><body>' + body +
    '<script type="module" nonce="' + nonce + '">import { provideVSCodeDesignSystem, vsCodeDropdown, vsCodeOption } from "' + toolkit + '";' +
    'provideVSCodeDesignSystem().register(vsCodeDropdown(), vsCodeOption());</script>' +
    '<script nonce="' + nonce + '">' + SCRIPT + '</script></body></html>';
}
const SCRIPT = String.raw` + '`' + String.raw`
  const c = document.querySelector('canvas.heatmap-main');
  function draw() {
    if (!c) return;
    const head = Number(document.getElementById('head-select').value);
    const layerEl = document.getElementById('layer-select');
    const layer = Number((layerEl && layerEl.value) || 0);
    const g = c.getContext('2d');
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
      const v = ((i * 7 + j * 3 + head * 5 + layer * 3) % 8) / 8;
      g.fillStyle = 'rgb(' + Math.round(255 * v) + ',40,' + Math.round(255 * (1 - v)) + ')';
      g.fillRect(j * 20, i * 20, 20, 20);
    }
    c.dataset.head = String(head);
    c.dataset.layer = String(layer);
  }
  const sel = document.getElementById('head-select');
  if (sel) sel.addEventListener('change', draw);
  const lsel = document.getElementById('layer-select');
  if (lsel) lsel.addEventListener('change', draw);
  draw();
  const gpu = document.getElementById('gpu');
  if (gpu) {
    if (!navigator.gpu) gpu.textContent = 'no navigator.gpu';
    else navigator.gpu.requestAdapter().then((a) => { gpu.textContent = a ? 'webgpu adapter' : 'no adapter'; },
      (e) => { gpu.textContent = 'error ' + e; });
  }
` + '`' + String.raw`;
exports.activate = (context) => {
  extUri = context.extensionUri;
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  item.text = 'AC dummy en→ko · wasm';
  item.show();
  context.subscriptions.push(item);
  context.subscriptions.push(vscode.commands.registerCommand('acDummy.hello', () => {
    const ed = vscode.window.activeTextEditor;
    const selection = ed ? ed.document.getText(ed.selection) : '';
    const greeting = vscode.workspace.getConfiguration('acDummy').get('greeting');
    // One panel, reused (like the real Attention panel).
    if (!mainPanel) {
      mainPanel = vscode.window.createWebviewPanel('acDummy', 'Dummy Attention', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extUri, 'media')] });
      mainPanel.onDidDispose(() => { mainPanel = undefined; });
    } else mainPanel.reveal(undefined, true);
    const panel = mainPanel;
    panel.webview.html = html(panel.webview, 'Dummy Attention',
      '<h1 id="status">Dummy says ' + esc(greeting) + '</h1>' +
      '<p>selection: <span id="selection">' + esc(selection) + '</span></p>' +
      '<p id="gpu">checking</p>' +
      '<vscode-dropdown id="layer-select"><vscode-option value="0">layer 0</vscode-option><vscode-option value="1">layer 1</vscode-option><vscode-option value="2">layer 2</vscode-option></vscode-dropdown>' +
      '<select id="head-select"><option value="0">head 0</option><option value="1">head 1</option><option value="2">head 2</option></select>' +
      '<div class="token-strip source">' + selection.split(/\s+/).filter(Boolean).map((t) => '<span class="token">' + esc(t) + '</span>').join(' ') + '</div>' +
      '<canvas class="heatmap-main" width="160" height="160"></canvas>');
  }));
  context.subscriptions.push(vscode.commands.registerCommand('acDummy.second', () => {
    const panel = vscode.window.createWebviewPanel('acDummy2', 'Dummy Second', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    panel.webview.html = html(panel.webview, 'Dummy Second', '<h1 id="status">second panel</h1>');
  }));
  context.subscriptions.push(vscode.commands.registerCommand('acDummy.fail', () => {
    vscode.window.showErrorMessage('Dummy failure: model folder /nonexistent/models was not found.');
  }));
  context.subscriptions.push(vscode.commands.registerCommand('acDummy.upper', async () => {
    const ed = vscode.window.activeTextEditor;
    if (!ed || ed.selection.isEmpty) { vscode.window.showWarningMessage('Dummy: select some text first.'); return; }
    await ed.edit((b) => b.replace(ed.selection, ed.document.getText(ed.selection).toUpperCase()));
  }));
  context.subscriptions.push(vscode.commands.registerCommand('acDummy.pick', async () => {
    const p = await vscode.window.showQuickPick(['en → ko', 'ko → en', 'en → de'], { placeHolder: 'Direction' });
    if (p) { item.text = 'AC dummy ' + p.replace(/ /g, '') + ' · wasm'; }
  }));
};
exports.deactivate = () => {};
`;

/** Writes the dummy and packages it when missing or older than this file; returns the .vsix path. */
export function buildDummy() {
  const self = fileURLToPath(import.meta.url);
  if (existsSync(dummyVsix) && statSync(dummyVsix).mtimeMs > statSync(self).mtimeMs) return dummyVsix;
  mkdirSync(dummyDir, { recursive: true });
  writeFileSync(join(dummyDir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dummyDir, 'extension.js'), extension);
  writeFileSync(join(dummyDir, 'LICENSE'), 'MIT\n');
  mkdirSync(join(dummyDir, 'media'), { recursive: true });
  copyFileSync(join(repo, 'node_modules/@vscode/webview-ui-toolkit/dist/toolkit.min.js'), join(dummyDir, 'media/toolkit.min.js'));
  writeFileSync(join(dummyDir, 'README.md'), '# dummy\nA throwaway extension for the e2e harness self-test.\n');
  try {
    execFileSync(join(repo, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '-o', dummyVsix],
      { cwd: dummyDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (e) {
    throw new Error(`vsce package (dummy) failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return dummyVsix;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(buildDummy());
