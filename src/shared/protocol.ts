// The messages between the extension host and its two webviews, the Attention panel and the Paper Companion view:
// one method map per webview and direction, each request with its response type (machinery: ./ipc.ts), and the
// run-time name tables that the types keep exact. Imports neither vscode nor the DOM: both sides import it.
import type { IpcRequest, ProtocolNames } from './ipc';
import type { Lang, ModelManifest, TargetSetting } from './manifest';
import type { Backend, BackendChoice, BackendSetting, TranslationResult } from './results';
import type { Mark } from './timeline';

/**
 * The onnxruntime-web binary an engine worker reads for each backend, in dist/ort/ beside the bundles (scripts/build.mjs
 * copies them). WebGPU needs the asyncify build (26.8 MB); WebAssembly runs on the plain build (14.2 MB), which the
 * worker starts in a third of the asyncify build's CPU time (docs/PERFORMANCE.md, "Two onnxruntime builds").
 */
export const ORT_WASM_FILES: Readonly<Record<Backend, string>> = {
  wasm: 'ort-wasm-simd-threaded.wasm',
  webgpu: 'ort-wasm-simd-threaded.asyncify.wasm',
};

/**
 * The engine worker's script in dist/ (scripts/build.mjs's `engineWorker` entry): the pages fetch it beside their own
 * script, and their HTML preloads the same URL (src/panels/webviewHtml.ts); a different name would waste the preload.
 */
export const ENGINE_WORKER_SCRIPT = 'engineWorker.js';

/** The page's meta element naming the backend setting when the page was made (the runtime build it prepares). */
export const BACKEND_META = 'attention-companion-backend';

/**
 * The page's meta element with onnxruntime's binaries as the host found them: JSON, file name -> "size-mtime". The
 * page keeps the binaries in its own storage under these tags (webview/engine/fileCache.ts).
 */
export const RUNTIME_META = 'attention-companion-runtime';

/**
 * The page's meta element with onnxruntime's binaries on the host's loopback file server (src/models/loopback.ts):
 * JSON, file name -> URL; absent when the host has none for this page.
 */
export const RUNTIME_LOOPBACK_META = 'attention-companion-runtime-loopback';

/**
 * "at-load": the page leaves onnxruntime until the host's first load asks for it, instead of starting it as soon as
 * its script runs (the extension host's text process has the cores meanwhile: src/translationService.ts).
 */
export const RUNTIME_START_META = 'attention-companion-runtime-start';

/** Sent with `ready`; the host ignores a webview built from other sources. */
export const PROTOCOL_VERSION = 3;

/**
 * The graphs the first translation will run: with attention outputs (the panel, the hover, the companion) or
 * without. The load opens those; the others open on first use, so a cold start opens only what it needs.
 */
export type GraphUse = 'attention' | 'plain';

/**
 * Load (or switch to) a model package; `baseUri` is a webview URI of the package folder. `checkedFiles`: the files
 * the host has already checked against the manifest (name -> sha256), so the webview does not hash them again.
 * `firstUse`: the sessions the load opens (default plain translation's).
 */
export interface LoadModelParams {
  baseUri: string; ortBaseUri: string; backend: BackendSetting; label: string; checkedFiles?: Record<string, string>;
  firstUse?: GraphUse;
  /**
   * The checked files on the host's loopback file server (file name -> URL), which the page fetches there before
   * asking the host's channel (src/models/loopback.ts says why).
   */
  loopback?: Record<string, string>;
  /**
   * A load for later translations (the host's text process translated this one): the page shows no busy line for it,
   * and translates `warmUp` once after it, thrown away (kept in the sentence cache), so that the next translation runs
   * on code V8 has compiled and sessions that have run.
   */
  background?: { warmUp: Omit<TranslateParams, 'display'> };
}

export interface ModelInfo {
  id: string;
  backend: Backend;
  /** Why this backend (the status bar's tooltip says it). */
  backendChoice: BackendChoice;
  manifest: ModelManifest;
  loadMillis: number;
  /** When the webview page and its worker did each step of the load (the host's timing log). */
  marks?: Mark[];
}

export interface TranslateParams {
  text: string;
  to: TargetSetting;
  from?: Lang;
  beam: number;
  attention: boolean;
  steps?: boolean;
  /** Draw the result in the panel (Show Attention) or only answer (Translate Selection). */
  display: boolean;
}

/**
 * A translation the extension host's text process runs for the panel: `started` (the panel shows its busy line),
 * `sentences` (the finished ones; `whole`: all of the text, its attention next), `cancelled` (the panel shows what it
 * showed before). Its result comes as `show`.
 */
export type HostTranslationNote = { step: 'started' } | { step: 'sentences'; text: string; whole: boolean } | { step: 'cancelled' };

/** The attention a view shows first. */
export interface AttentionFocus { kind: 'encoder' | 'decoder' | 'cross'; layer: number; head: number | 'mean' }

/** A figure of the heatmap the panel shows: SVG text, a PNG data URL, a file name, its title, the sentence it shows. */
export interface FigureExport { svg: string; png: string; name: string; title: string; source: string }

/** Something the user did in the panel that the host acts on. */
export type PanelAction = ({ kind: 'exportFigure' } & FigureExport) | { kind: 'openSettings' };

/** Why the host could not give a selection; the webview words it in the display language. */
export type SelectionProblem = 'noEditor' | 'empty';
export type SelectionReply = { text: string } | { problem: SelectionProblem };

/** What every engine webview (webview/engineHost.ts) answers and says. */
type EngineRequests = { loadModel: IpcRequest<LoadModelParams, ModelInfo> };

/** A file read for an engine (by the host for its webview, or by a page for its worker), or why it could not be. */
export type FileReply =
  | { bytes: Uint8Array; encoding?: 'gzip' }
  | { problem: 'missing' }
  | { problem: 'http'; status: number }
  | { problem: 'unreachable' };

/**
 * What every engine webview asks its host. `readFile`: the bytes of a file the host let it read (the package it is
 * loading, onnxruntime's binary), named by its webview URI. The host reads them from disk and posts them: over the
 * webview's resource URIs the same bytes came at about 1.5 MB/s in code-server on a busy machine (scenario 60), and
 * about 2 MB/s as one message: files that shrink well (the runtime: 26.8 -> 8.1 MB) come gzipped (`encoding`).
 * Where the host has a loopback file server, the page fetches the files there first (LoadModelParams.loopback).
 */
type EngineHostRequests = { readFile: IpcRequest<{ url: string }, FileReply> };
/** `ready`: the script started (the first time, or again after a reload: its engine is empty then). */
type EngineNotifications = { ready: { version: number } };

/** The part of a protocol the host's engine client relies on (src/panels/engineConnection.ts). */
export type EngineProtocol = {
  hostToWebview: { requests: EngineRequests; notifications: Record<never, never> };
  webviewToHost: { requests: EngineHostRequests; notifications: EngineNotifications };
};

/** The Attention panel (webview/main.ts): the host's translations run in its engine and are drawn there. */
export type PanelProtocol = {
  hostToWebview: {
    /** `exportFigure`: the figure of what the panel shows ("Export Figure" from the palette); null when it shows none. */
    requests: EngineRequests & { translate: IpcRequest<TranslateParams, TranslationResult>; exportFigure: IpcRequest<void, FigureExport | null> };
    /**
     * `show`: a result the host already has (opening the panel from a hover; a translation from the extension host's
     * text process, src/node/textProcess.ts). `hostTranslation`: how such a translation goes before its result.
     */
    notifications: { show: { result: TranslationResult; focus?: AttentionFocus }; hostTranslation: HostTranslationNote };
  };
  webviewToHost: {
    requests: EngineHostRequests;
    notifications: EngineNotifications & {
      progress: { requestId: number; done: number; total: number };
      /** When the page and its worker did each step of the translation `requestId` (sent before its answer). */
      timeline: { requestId: number; marks: Mark[] };
      action: PanelAction;
    };
  };
};

/** The Paper Companion (webview/companion/main.ts): runs its own engine; the host loads models and gives selections. */
export type CompanionProtocol = {
  hostToWebview: {
    requests: EngineRequests;
    /** The host could not load a model (no package, bad manifest, bad file). */
    notifications: { modelError: { error: string } };
  };
  webviewToHost: {
    requests: EngineHostRequests & { selection: IpcRequest<void, SelectionReply> };
    notifications: EngineNotifications;
  };
};

export const PANEL: ProtocolNames<PanelProtocol> = {
  hostToWebview: { requests: { loadModel: true, translate: true, exportFigure: true }, notifications: { show: true, hostTranslation: true } },
  webviewToHost: { requests: { readFile: true }, notifications: { ready: true, progress: true, timeline: true, action: true } },
};

export const COMPANION: ProtocolNames<CompanionProtocol> = {
  hostToWebview: { requests: { loadModel: true }, notifications: { modelError: true } },
  webviewToHost: { requests: { selection: true, readFile: true }, notifications: { ready: true } },
};
