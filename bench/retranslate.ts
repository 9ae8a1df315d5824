// npm run bench:retranslate: what the sentence cache (src/engine/sentenceCache.ts) saves when a text is translated
// again after an edit, side by side in one process: the sample post (media/sample/attention-blog.md) with one
// sentence changed per round, translated by a Translator without a cache and by one whose cache holds the earlier
// rounds, in turn (the order swapped every round), on one loaded model (Node WASM, 1 thread). Prints CPU and wall ms
// per round, their ratio, and whether both gave the same text.
// Usage: node out/bench/retranslate.js [--model DIR] [--rounds N] [--beam B]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../src/engine/onnxModel';
import { DEFAULT_SENTENCE_CACHE_BYTES } from '../src/engine/sentenceCache';
import { Translator, type TranslateOptions } from '../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../src/node/fsPackage';

const repo = resolve(__dirname, '../..');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function timed(f: () => Promise<string>): Promise<{ cpu: number; wall: number; text: string }> {
  const c = cpuNow();
  const w = performance.now();
  const text = await f();
  return { cpu: cpuNow() - c, wall: performance.now() - w, text };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, rounds: { type: 'string' }, beam: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 4);
  const beam = Number(values.beam ?? 4);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const model = await OnnxModel.load(ort, fsPackage(values.model ?? defaultPackageDir(repo)), 'wasm');
  const uncached = new Translator(model);
  const cached = new Translator(model, { cacheBytes: DEFAULT_SENTENCE_CACHE_BYTES });
  const post = readFileSync(join(repo, 'media/sample/attention-blog.md'), 'utf8');
  const opts: TranslateOptions = { from: 'ko', to: 'en', beam };
  const spans = cached.sourceSpans(post);
  process.stdout.write(`${model.manifest.id}, beam ${beam}: the sample post (${post.length} characters, ${spans.length} sentences), one sentence edited per round\n`);
  await cached.translate(post, opts);                  // the first Translate of the post: the cache now holds it
  const rows: { a: number; b: number }[] = [];
  process.stdout.write('round  edited sentence  no cache CPU / wall ms  cache CPU / wall ms  CPU ratio  same text\n');
  for (let r = 0; r < rounds; r++) {
    // A different sentence each round, spread over the post; "정말 " put in front of it changes its translation.
    const span = spans[Math.floor(((r + 0.5) * spans.length) / rounds)];
    const edited = post.slice(0, span.start) + '정말 ' + post.slice(span.start);
    const runA = () => timed(async () => (await uncached.translate(edited, opts)).text);
    const runB = () => timed(async () => (await cached.translate(edited, opts)).text);
    const [a, b] = r % 2 === 0 ? [await runA(), await runB()] : await (async () => { const y = await runB(); return [await runA(), y]; })();
    rows.push({ a: a.cpu, b: b.cpu });
    process.stdout.write(`${String(r + 1).padStart(5)}  ${span.text.slice(0, 15).padEnd(15)}  ${a.cpu.toFixed(0).padStart(10)} / ${a.wall.toFixed(0).padStart(6)}  ${b.cpu.toFixed(0).padStart(8)} / ${b.wall.toFixed(0).padStart(6)}  ${(b.cpu / a.cpu).toFixed(3).padStart(9)}  ${a.text === b.text ? 'yes' : 'NO'}\n`);
  }
  process.stdout.write(`median CPU: no cache ${median(rows.map((x) => x.a)).toFixed(0)} ms, cache ${median(rows.map((x) => x.b)).toFixed(0)} ms; cache / no cache ${median(rows.map((x) => x.b / x.a)).toFixed(3)}\n`);
  await model.release();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
