// A fake Attention panel script with a fake engine (what webview/main.ts and its worker do, minus ONNX): answers
// loadModel and translate over the real protocol, counts what it was asked, takes `stepMs` per sentence, reports
// progress, and stops at the next step when a translation is cancelled. Also a tiny package on disk whose files
// match its manifest, for the host's file check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { webviewEndpoint, type Endpoint, type Message, type NotificationOf } from '../../../src/shared/ipc';
import { PANEL, PROTOCOL_VERSION, type LoadModelParams, type ModelInfo, type PanelProtocol } from '../../../src/shared/protocol';
import type { ModelManifest } from '../../../src/shared/manifest';
import type { AttentionLeftOut, TranslationResult } from '../../../src/shared/results';

export class FakePanelScript {
  readonly loadsAsked: LoadModelParams[] = [];
  readonly translatesAsked: string[] = [];
  /** The host's notifications (`show`, `hostText`), in order. */
  readonly notified: NotificationOf<PanelProtocol['hostToWebview']['notifications']>[] = [];
  loaded?: string;
  loadDelayMs = 0;
  stepMs = 5;
  /** Put on every result (a translation whose attention did not fit). */
  leftOut?: AttentionLeftOut;
  /** Milliseconds from a cancel to the end of the run it cancelled. */
  stoppedAfterMs?: number;
  readonly endpoint: Endpoint<PanelProtocol['webviewToHost'], PanelProtocol['hostToWebview']>;

  constructor(toHost: (m: Message) => void) {
    this.endpoint = webviewEndpoint<PanelProtocol>(PANEL, {
      post: toHost,
      peer: 'host',
      onNotification: (n) => this.notified.push(n),
      handlers: {
        exportFigure: async () => null,
        loadModel: async (p) => {
          this.loadsAsked.push(p);
          await sleep(this.loadDelayMs);
          this.loaded = p.baseUri;
          return {
            id: p.label, backend: 'wasm', backendChoice: { backend: 'wasm', reason: 'noAdapter' }, manifest: {}, loadMillis: this.loadDelayMs,
          } as unknown as ModelInfo;
        },
        translate: async (p, { id, signal }) => {
          this.translatesAsked.push(p.text);
          if (!this.loaded) throw new Error('No model is loaded in this view yet.');
          let abortedAt: number | undefined;
          signal.addEventListener('abort', () => { abortedAt = Date.now(); });
          const sentences = p.text.split(/(?<=\.)\s+/).filter(Boolean);
          const out: string[] = [];
          for (let i = 0; i < sentences.length; i++) {
            this.endpoint.notify('progress', { requestId: id, done: i, total: sentences.length });
            await sleep(this.stepMs);
            if (abortedAt !== undefined) {
              this.stoppedAfterMs = Date.now() - abortedAt;
              throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
            }
            out.push(`<${sentences[i]}>`);
          }
          this.endpoint.notify('progress', { requestId: id, done: sentences.length, total: sentences.length });
          const result = {
            text: out.join(' '), from: 'en', to: 'ko', backend: 'wasm', modelId: 'tiny', beam: p.beam, sentences: [], millis: 0,
          } as TranslationResult;
          if (this.leftOut) result.attentionLeftOut = this.leftOut;
          return result;
        },
      },
    });
  }

  start(): void {
    this.endpoint.notify('ready', { version: PROTOCOL_VERSION });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A package folder whose engine files match its manifest (sizes and sha256), and that manifest. */
export function tinyPackage(id = 'tiny'): { dir: string; manifest: ModelManifest } {
  const dir = mkdtempSync(join(tmpdir(), `ac-${id}-`));
  const files: Record<string, { sha256: string; bytes: number }> = {};
  const names = ['tokenizer.json', 'weights.bin', 'encoder.onnx', 'encoder_attn.onnx', 'decoder_step.onnx', 'decoder_step_attn.onnx'];
  for (const name of names) {
    const bytes = Buffer.from(`${id}:${name}`);
    writeFileSync(join(dir, name), bytes);
    files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
  const graph = (file: string) => ({ file, inputs: [], outputs: [] });
  const manifest = {
    format: 1, id, languages: ['en', 'ko'], tokenizer: { model: 'tokenizer.model', json: 'tokenizer.json' }, weights: 'weights.bin',
    graphs: {
      encoder: graph('encoder.onnx'), encoderAttn: graph('encoder_attn.onnx'),
      decoderStep: graph('decoder_step.onnx'), decoderStepAttn: graph('decoder_step_attn.onnx'),
    },
    files,
  } as unknown as ModelManifest;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { dir, manifest };
}
