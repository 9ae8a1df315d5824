// The messages between a webview page (the Attention panel's, the companion's) and its engine worker, with the
// machinery of src/shared/ipc.ts. The page plays the "host" of its worker: it asks for loads and translations, and
// serves the files the worker reads (a worker's own fetch may not reach the webview's resource URIs in every editor
// version, so all package and runtime bytes come through the page, transferred, not copied).
import type { IpcRequest, ProtocolNames } from '../../src/shared/ipc';
import type { FileReply, LoadModelParams, ModelInfo } from '../../src/shared/protocol';
import type { Lang, TargetSetting } from '../../src/shared/manifest';
import type { BackendSetting, TranslationResult } from '../../src/shared/results';
import type { Mark } from '../../src/shared/timeline';

/** A translation for the worker's engine (src/engine/translator.ts TranslateOptions, without the callbacks). */
export interface WorkerTranslateParams {
  text: string;
  to: TargetSetting;
  from?: Lang;
  beam: number;
  attention?: boolean;
  queriesAndKeys?: boolean;
  steps?: boolean;
  /** Report the finished sentences as they come (`partial`). */
  partial?: boolean;
}

/** A file the page read for the worker, or why it could not. */
export type { FileReply };

/**
 * What the page answers the worker's `readFile`: a file (FileReply), or for onnxruntime's binary, the module the page
 * compiled from the binary's URI (./compiledRuntime.ts says why).
 */
export type WorkerFileReply = FileReply | { module: WebAssembly.Module };

export type EngineWorkerProtocol = {
  hostToWebview: {
    requests: {
      load: IpcRequest<LoadModelParams, ModelInfo>;
      /**
       * Read and start onnxruntime now (from `ortBaseUri`), ahead of the first load: the build for the backend that
       * `backend` (the setting when the page was made) chooses.
       */
      prepare: IpcRequest<{ ortBaseUri: string; backend: BackendSetting }, void>;
      translate: IpcRequest<WorkerTranslateParams, TranslationResult>;
      /** Tokens the tokenizer makes of `text` (no tag, no </s>). */
      countTokens: IpcRequest<{ text: string }, number>;
    };
    notifications: Record<never, never>;
  };
  webviewToHost: {
    /** `url`: under the package's or the runtime's base URI of the load in progress. */
    requests: { readFile: IpcRequest<{ url: string }, WorkerFileReply> };
    notifications: {
      progress: { requestId: number; done: number; total: number };
      partial: { requestId: number; text: string; done: number; total: number };
      /** A cancelled translation has stopped computing, `afterAbortMs` after its cancel arrived. */
      stopped: { requestId: number; afterAbortMs: number };
      /** When the worker did each step of the translation `requestId` (sent before its answer). */
      timeline: { requestId: number; marks: Mark[] };
    };
  };
};

export const ENGINE_WORKER: ProtocolNames<EngineWorkerProtocol> = {
  hostToWebview: { requests: { load: true, prepare: true, translate: true, countTokens: true }, notifications: {} },
  webviewToHost: { requests: { readFile: true }, notifications: { progress: true, partial: true, stopped: true, timeline: true } },
};

export { ORT_WASM_FILES } from '../../src/shared/protocol';
