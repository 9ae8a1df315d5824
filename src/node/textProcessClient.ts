// The extension host's end of the text process (./textProcess.ts): started when text is selected and no Attention
// panel is open (or at a cold panel's first Translate), it translates for that panel until the panel's own engine has
// loaded, and then ends (its 300-400 MB are the process's own and go with it). Any failure (no Node to fork, a package
// it cannot open, a crash) only means the panel's engine translates, as without it.
import { fork, type ChildProcess } from 'node:child_process';
import type { Lang, TargetSetting } from '../shared/manifest';
import type { TranslationResult } from '../shared/results';
import type { Mark } from '../shared/timeline';

/** What the process translates: a translate request's parameters (src/shared/protocol.ts, TranslateParams). */
export interface TextProcessParams { text: string; to: TargetSetting; from?: Lang; beam: number; attention: boolean; steps?: boolean }

export type TextProcessRequest =
  | { kind: 'translate'; id: number; dir: string; params: TextProcessParams }
  | { kind: 'cancel'; id: number }
  /**
   * Load the package in `dir` now and translate `text` (the selection's first sentence; a short sentence of the
   * process's own when absent) from `from`, the direction the selection suggests, as the panel asks.
   */
  | { kind: 'preload'; dir: string; from: Lang; to: TargetSetting; beam: number; text?: string };

export type TextProcessReply =
  | { kind: 'ready' }
  /** A preload has ended (`ms` since it was asked; `failed`: the package could not be opened, or its warm-up failed). */
  | { kind: 'preloaded'; ms: number; failed?: boolean }
  /** The finished sentences so far (`whole`: all of the text, before its attention is computed). */
  | { kind: 'partial'; id: number; text: string; whole: boolean }
  | { kind: 'progress'; id: number; done: number; total: number }
  /**
   * `queuedMs`: behind a preload still loading or warming up; `loadMs`: the package loaded for this request;
   * `marks`: what the process did since its last result (its start, the package's load, the warm-up), epoch ms.
   */
  | { kind: 'result'; id: number; result: TranslationResult; queuedMs: number; loadMs: number; translateMs: number; marks?: Mark[] }
  | { kind: 'error'; id: number; message: string; cancelled: boolean };

export type HostTranslation = Omit<Extract<TextProcessReply, { kind: 'result' }>, 'kind' | 'id'>;

export interface HostTranslateOptions {
  signal: AbortSignal;
  /** The finished sentences, as they come (`whole`: all of the text, once the search has ended, before the attention). */
  onPartial?(text: string, whole: boolean): void;
  onProgress?(done: number, total: number): void;
}

/** What the translation service needs of it (tests give a fake). */
export interface HostEngine {
  /** Whether the process runs (preloaded, or translating): a cold panel's translations may go to it. */
  readonly running: boolean;
  /** The package in `dir` translates `params`; rejects on any failure, or when `signal` aborts. */
  translate(dir: string, params: TextProcessParams, opts: HostTranslateOptions): Promise<HostTranslation>;
  /**
   * Starts the process, which starts onnxruntime, before the package is known (text was selected: reading which
   * package is current takes the extension host a moment while a window starts).
   */
  start(): void;
  /**
   * Starts the process and loads the package in `dir` (text was selected: a translation may come), then translates
   * `text` (the selection's first sentence) into its sentence cache. Resolves with the preload's ms once it has ended
   * (rejects when it failed or the process is gone): for the timing log.
   */
  preload(dir: string, from: Lang, to: TargetSetting, beam: number, text?: string): Promise<number>;
  /** The panel's engine is in: the process ends (a later cold panel starts a new one). */
  release(): void;
}

/** A translation the process gave up on because it was asked to (the host's signal), not because it failed. */
export class HostTranslationCancelled extends Error {
  constructor() {
    super('The translation was cancelled.');
    this.name = 'HostTranslationCancelled';
  }
}

interface Waiting { resolve(t: HostTranslation): void; reject(e: Error): void; opts: HostTranslateOptions }

export class TextProcess implements HostEngine {
  private child?: ChildProcess;
  /**
   * Messages wait for the process's `ready`: Node emits a message that comes before the child's script listens
   * (its ES module still loading) to nobody.
   */
  private listening: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Preloads asked for and not ended, in order (the process runs them in order). */
  private preloads: { resolve(ms: number): void; reject(e: Error): void }[] = [];

  /** `script`: dist/textProcess.mjs; `ortWasm`: onnxruntime's WebAssembly binary (dist/ort/). */
  constructor(private readonly script: string, private readonly ortWasm: string) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  translate(dir: string, params: TextProcessParams, opts: HostTranslateOptions): Promise<HostTranslation> {
    return new Promise<HostTranslation>((resolve, reject) => {
      if (opts.signal.aborted) return reject(new HostTranslationCancelled());
      const child = this.started();
      const id = this.nextId++;
      const settle = () => {
        this.waiting.delete(id);
        opts.signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        settle();
        this.post(child, { kind: 'cancel', id });
        reject(new HostTranslationCancelled());
      };
      opts.signal.addEventListener('abort', onAbort);
      this.waiting.set(id, {
        opts,
        resolve: (t) => { settle(); resolve(t); },
        reject: (e) => { settle(); reject(e); },
      });
      this.post(child, { kind: 'translate', id, dir, params }, (e) => this.waiting.get(id)?.reject(e));
    });
  }

  start(): void {
    try {
      this.started();
    } catch {
      // No process (fork refused): the translations fail over to the panel's engine.
    }
  }

  preload(dir: string, from: Lang, to: TargetSetting, beam: number, text?: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      try {
        const child = this.started();
        this.preloads.push({ resolve, reject });
        this.post(child, { kind: 'preload', dir, from, to, beam, ...(text ? { text } : {}) });
      } catch (e) {
        // No process (fork refused): a translate fails the same way, and the panel's engine translates.
        reject(e as Error);
      }
    });
  }

  release(): void {
    const child = this.child;
    this.child = undefined;
    this.failAll(new Error('the text process was ended'));
    if (child && child.exitCode === null) child.kill();
  }

  /** Sends `m` once the process listens; a send that fails calls `failed` (the process is gone: its exit fails the rest). */
  private post(child: ChildProcess, m: TextProcessRequest, failed?: (e: Error) => void): void {
    void this.listening.then(() => {
      if (!child.connected) return failed?.(new Error('the text process is gone'));
      child.send(m, (e) => { if (e) failed?.(e); });
    });
  }

  private started(): ChildProcess {
    if (this.child) return this.child;
    // The editor's own Node (Electron's, run as Node, in desktop VS Code); no inspector flags of the host's. Messages
    // are structured clones ('advanced'): results carry Float32Arrays.
    const child = fork(this.script, [], {
      execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced',
      env: { ...process.env, ATTENTION_COMPANION_ORT_WASM: this.ortWasm },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    let listening!: () => void;
    this.listening = new Promise<void>((resolve) => { listening = resolve; });
    child.on('message', (raw) => this.received(raw as TextProcessReply, listening));
    const gone = (why: string) => {
      if (this.child === child) this.child = undefined;
      this.failAll(new Error(`the text process ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.on('error', (e) => gone(`failed (${e.message})`));
    child.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    this.child = child;
    return child;
  }

  private received(m: TextProcessReply, listening: () => void): void {
    if (m?.kind === 'ready') return listening();
    if (m?.kind === 'preloaded') {
      const p = this.preloads.shift();
      if (m.failed) p?.reject(new Error('the text process\'s preload failed (a translation says why)'));
      else p?.resolve(m.ms);
      return;
    }
    const w = this.waiting.get((m as { id?: number })?.id ?? -1);
    if (!w) return;
    if (m.kind === 'partial') w.opts.onPartial?.(m.text, m.whole);
    else if (m.kind === 'progress') w.opts.onProgress?.(m.done, m.total);
    else if (m.kind === 'result') w.resolve({ result: m.result, queuedMs: m.queuedMs, loadMs: m.loadMs, translateMs: m.translateMs, marks: m.marks });
    else if (m.kind === 'error') w.reject(m.cancelled ? new HostTranslationCancelled() : new Error(m.message));
  }

  private failAll(e: Error): void {
    for (const w of [...this.waiting.values()]) w.reject(e);
    for (const p of this.preloads.splice(0)) p.reject(e);
  }

  dispose(): void {
    this.release();
  }
}
