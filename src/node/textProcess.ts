// The text process: a short-lived Node process (child_process.fork from the extension host) that translates for a
// cold Attention panel until the panel's own engine has loaded: a cold Translate Selection then shows its text, and
// its attention, seconds before the panel's engine could (docs/PERFORMANCE.md, "The first translations from the
// extension host"). Same engine, package and settings as the panel's: the same result. It draws nothing.
// Bundled to dist/textProcess.mjs with onnxruntime-web's WebAssembly build (its glue included); its binary is read
// from dist/ort/, the file the webviews run.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
import { OnnxModel } from '../engine/onnxModel';
import { warmUpRuntime } from '../engine/runtimeWarmup';
import { Translator } from '../engine/translator';
import { CancelledError } from '../engine/beam';
import { DEFAULT_SENTENCE_CACHE_BYTES } from '../engine/sentenceCache';
import { fsPackage } from './fsPackage';
import { deferWasmTierUp } from './wasmTierUp';
import type { Lang } from '../shared/manifest';
import { epochNow, type Mark } from '../shared/timeline';
import type { TextProcessReply, TextProcessRequest } from './textProcessClient';

/** With nothing asked for this long, the process ends on its own (the host also ends it once the panel's engine is in). */
const IDLE_EXIT_MS = 180_000;

/**
 * A short sentence per source language, translated once after a preload when the host sent no text of the selection:
 * a first translation pays for its direction's search session and V8's first runs of the code (0.75 s instead of
 * 0.2 s on an idle machine).
 */
const WARM_TEXT: Record<Lang, string> = {
  en: 'Attention is all you need.',
  ko: '어텐션이 전부다.',
  de: 'Aufmerksamkeit ist alles, was man braucht.',
};

const wasm = process.env.ATTENTION_COMPANION_ORT_WASM;
if (!wasm || !process.send) {
  process.stderr.write('textProcess: start it with child_process.fork and ATTENTION_COMPANION_ORT_WASM set\n');
  process.exit(2);
}
deferWasmTierUp();                         // it loads, and lives for a few translations
ort.env.wasm.numThreads = 1;               // the panel's engine and the editor need the other core
ort.env.wasm.wasmBinary = readFileSync(wasm);
ort.env.logLevel = 'error';

/** One translator per package folder; a new folder releases the old one. */
let loaded: { dir: string; translator: Promise<Translator> } | undefined;
let idle: ReturnType<typeof setTimeout> | undefined;
const reply = (m: TextProcessReply) => process.send!(m);

/**
 * What this process did (epoch ms), sent with the next result and then cleared: the host puts them in that
 * translation's timeline, so the timing log shows where a cold translation waited behind the preload.
 */
let marks: Mark[] = [['process: started', performance.timeOrigin]];
const mark = (label: string) => marks.push([`process: ${label}`, epochNow()]);
mark('script running');

// Onnxruntime started at once, before the host has said which package (it forks this process at the first selection,
// then reads which package is current): compiled and its first Cast run while the package's files are read and
// widened. A runtime that cannot start fails the package's sessions, with onnxruntime's reason.
const runtime = warmUpRuntime(ort, () => mark('runtime instantiated')).then(() => mark('runtime started'), () => undefined);

function translatorFor(dir: string): Promise<Translator> {
  if (loaded?.dir !== dir) {
    const old = loaded;
    // The sessions with attention outputs first: a panel's translations ask for attention (the preload's warm-up too),
    // and the plain encoder's session would be a second copy of the encoder's weights, opened for nothing.
    loaded = {
      dir,
      translator: OnnxModel.load(ort, fsPackage(dir), 'wasm', { firstUse: 'attention', onMark: mark, runtimeReady: () => runtime })
        .then((model) => new Translator(model, { cacheBytes: DEFAULT_SENTENCE_CACHE_BYTES })),
    };
    void old?.translator.then((t) => t.model.release(), () => undefined);
  }
  return loaded.translator;
}

// One request at a time, in order: the host asks for the first translations of a cold panel.
let queue: Promise<unknown> = Promise.resolve();
/** Translations asked for and not answered yet, and how to stop each. */
const asked = new Map<number, AbortController>();
process.on('message', (raw: unknown) => {
  const m = raw as TextProcessRequest;
  if (m?.kind === 'cancel') {
    asked.get(m.id)?.abort();
    return;
  }
  if (idle) clearTimeout(idle);
  if (m?.kind === 'preload') {
    mark('preload asked');
    const preloadAsked = performance.now();
    let failed = false;
    queue = queue.then(async () => {
      const translator = await translatorFor(m.dir);
      mark('package loaded');
      // Not when a translation already waits: it warms the same code, and would wait for this one.
      // As the panel asks (attention and steps): the attention graph's session opens and its code runs too.
      // The selection's first sentence when the host sent it: kept in the sentence cache, the Translate that usually
      // follows a selection finds it there.
      const warmText = m.text?.trim() || WARM_TEXT[m.from];
      if (asked.size === 0 && warmText) {
        await translator.translate(warmText, { from: m.from, to: m.to, beam: m.beam, attention: true, queriesAndKeys: false, steps: true });
        mark(m.text?.trim() ? 'the selection\'s first sentence translated' : 'warm-up sentence translated');
      } else mark('no warm-up (a translation waits)');
    }).catch(() => { failed = true; })           // a package it cannot open fails again at the translate, with its reason
      .finally(() => {
        reply({ kind: 'preloaded', ms: performance.now() - preloadAsked, ...(failed ? { failed } : {}) });
        idleExit();
      });
    return;
  }
  if (m?.kind !== 'translate' || typeof m.id !== 'number') return;
  const abort = new AbortController();
  asked.set(m.id, abort);
  const received = performance.now();
  queue = queue.then(async () => {
    const started = performance.now();
    try {
      if (abort.signal.aborted) throw new CancelledError();
      const translator = await translatorFor(m.dir);
      const loadedAt = performance.now();
      const p = m.params;
      let wholeSent = false;
      const result = await translator.translate(p.text, {
        to: p.to, from: p.from, beam: p.beam, attention: p.attention, queriesAndKeys: false, steps: p.steps, signal: abort.signal,
        onProgress: (done, total) => reply({ kind: 'progress', id: m.id, done, total }),
        onPartial: (x) => {
          wholeSent ||= x.done === x.total;
          reply({ kind: 'partial', id: m.id, text: x.text, whole: x.done === x.total });
        },
      });
      // A text answered whole from the sentence cache had no partial (the result follows at once in the page's own
      // engine); here its attention's bytes take about 50 ms through the pipe and 150 ms more to the panel, so its
      // text goes first.
      if (!wholeSent) reply({ kind: 'partial', id: m.id, text: result.text, whole: true });
      mark('translated');
      reply({ kind: 'result', id: m.id, result, queuedMs: started - received, loadMs: loadedAt - started, translateMs: performance.now() - loadedAt, marks });
      marks = [];
    } catch (e) {
      reply({ kind: 'error', id: m.id, message: (e as Error)?.message ?? String(e), cancelled: abort.signal.aborted });
    }
  }).finally(() => {
    asked.delete(m.id);
    idleExit();
  });
});

function idleExit(): void {
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
}
// The host went away (or ended this process's use): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
idleExit();                                // started, and then never asked anything
reply({ kind: 'ready' });
