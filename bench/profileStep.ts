// npm run bench:profile: where one decoder step's time goes, in Node on onnxruntime-web's WASM backend (1 thread).
// 1. Real translations (greedy and beam 4) with the engine's own pieces wrapped in timers on this instance only:
//    encoder, session.run, the rest of a step (feeds, outputs), beam reorder; the remainder is the search's own JS.
// 2. session.run taken apart at a fixed shape: the shipped graph (output projection as MatMul since export.py's
//    logits_as_matmul), the same graph with the projection as the Einsum torch exported before that rewrite and as a
//    Gemm, and the same inputs/outputs with no arithmetic (the run's fixed cost and copies); bench/step_variants.py
//    writes them under build/bench/step and checks that the rewritten ones compute the shipped graph's outputs.
// 3. The search's pieces alone: yieldToEventLoop, log-softmax + top-k over the vocabulary.
// CPU time (process.cpuUsage) beside wall time: this machine may be busy; CPU time is what the step costs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { logSoftmaxRows, topK } from '../src/engine/beam';
import { yieldToEventLoop } from '../src/engine/concurrency';
import { OnnxModel, type SessionName } from '../src/engine/onnxModel';
import type { ManifestGraphs } from '../src/shared/manifest';
import { Translator } from '../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../src/node/fsPackage';

const repo = resolve(__dirname, '../..');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Accumulates wall and CPU ms of the calls it wraps. */
class Meter {
  wall = 0;
  cpu = 0;
  calls = 0;
  async time<T>(f: () => Promise<T> | T): Promise<T> {
    const w = performance.now();
    const c = cpuNow();
    try {
      return await f();
    } finally {
      this.wall += performance.now() - w;
      this.cpu += cpuNow() - c;
      this.calls++;
    }
  }
  timeSync<T>(f: () => T): T {
    const w = performance.now();
    const c = cpuNow();
    try {
      return f();
    } finally {
      this.wall += performance.now() - w;
      this.cpu += cpuNow() - c;
      this.calls++;
    }
  }
}

type Feeds = Record<string, ort.Tensor>;

function feeds(n: number, past: number, source: number, dims: { decoderLayers: number; heads: number; dHead: number }): Feeds {
  const kv = (t: number) => new ort.Tensor('float32', Float32Array.from({ length: dims.decoderLayers * n * dims.heads * t * dims.dHead }, (_, i) => Math.sin(i)), [dims.decoderLayers, n, dims.heads, t, dims.dHead]);
  return { tokens: new ort.Tensor('int64', new BigInt64Array(n).fill(100n), [n, 1]), past_k: kv(past), past_v: kv(past), cross_k: kv(source), cross_v: kv(source) };
}

/** CPU and wall ms per run of `session` on `f`, after a few warm-up runs. */
async function perRun(session: ort.InferenceSession, given: Feeds, runs: number): Promise<{ cpu: number; wall: number }> {
  // Graphs exported since padded batches take each row's source length (all of cross_k's here).
  const n = given.tokens.dims[0], S = given.cross_k.dims[3];
  const f = session.inputNames.includes('src_len') ? { ...given, src_len: new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(S)), [n]) } : given;
  for (let i = 0; i < 5; i++) await session.run(f);
  const m = new Meter();
  for (let i = 0; i < runs; i++) await m.time(() => session.run(f));
  return { cpu: m.cpu / runs, wall: m.wall / runs };
}

const ms = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2)).padStart(7);

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const args = process.argv.slice(2);
  const packageDir = resolve(args.find((a) => !a.startsWith('--')) ?? defaultPackageDir(repo));
  const fullVocabulary = args.includes('--full-vocabulary');
  const fixture = JSON.parse(readFileSync(join(repo, 'bench/sentences.json'), 'utf8'));
  const sentence: string = fixture.en['25'][0];
  const model = await OnnxModel.load(ort, fsPackage(packageDir), 'wasm', { plainStep: fullVocabulary ? 'search' : 'shortlist' });
  const dims = model.manifest.dims;
  const translator = new Translator(model);
  const source = model.tokenizer.encode(sentence).ids.length + 2;
  const past = 20;
  const say = (...lines: string[]) => process.stdout.write(lines.join('\n') + '\n');
  say(`Decoder step profile: ${model.manifest.id}, Node ${process.version}, onnxruntime-web ${ort.env.versions.web} WASM, 1 thread`,
    `Sentence: en→ko, ${sentence.split(/\s+/).length} words, ${source} source tokens: "${sentence.slice(0, 60)}..."`, '');

  // 1. Real translations, the engine's calls timed on this instance.
  // The step graph plain translation runs: the search step (reorder, log-softmax and top-k inside) shortlisted to
  // Korean when the package has that (and --full-vocabulary is not given), the full search step when it has one,
  // else the plain step.
  const shortlist = model.plainStep === 'shortlist' ? model.manifest.searchShortlists?.ko : undefined;
  const stepGraph: SessionName = shortlist ? 'shortlist:ko' : model.manifest.graphs.decoderStepSearch ? 'decoderStepSearch' : 'decoderStep';
  const stepFile = shortlist ? `${shortlist.file}, ${shortlist.vocab} of ${dims.vocab} ids` : model.manifest.graphs[stepGraph as keyof ManifestGraphs]!.file;
  say(`Step graph of plain translation: ${stepGraph} (${stepFile})`);
  const decoder = await model.session(stepGraph);
  const run = new Meter();
  const rawRun = decoder.run.bind(decoder);
  decoder.run = ((f: Feeds, o?: unknown) => run.time(() => rawRun(f, o as ort.InferenceSession.RunOptions))) as typeof decoder.run;
  const encoder = new Meter();
  const rawEncode = model.encode.bind(model);
  model.encode = (ids, attn) => encoder.time(() => rawEncode(ids, attn));
  const step = new Meter();
  const reorder = new Meter();
  const rawStepDecoder = model.stepDecoder.bind(model);
  model.stepDecoder = (enc, attn, target) => {
    const d = rawStepDecoder(enc, attn, target);
    return { ...d, step: (s, t, k) => step.time(() => d.step(s, t, k)), reorder: (s, p) => reorder.timeSync(() => d.reorder(s, p)) };
  };
  say('Real translations, per decoder step (CPU ms / wall ms):');
  say(`${''.padEnd(44)}${'greedy'.padStart(17)}${'beam 4'.padStart(17)}`);
  const rows: Record<string, string[]> = {};
  for (const beam of [1, 4]) {
    await translator.translate(sentence, { from: 'en', to: 'ko', beam });              // warm-up
    for (const m of [run, encoder, step, reorder]) Object.assign(m, { wall: 0, cpu: 0, calls: 0 });
    const total = new Meter();
    const repeats = 3;
    for (let r = 0; r < repeats; r++) await total.time(() => translator.translate(sentence, { from: 'en', to: 'ko', beam }));
    const steps = step.calls;
    const per = (cpu: number, wall: number) => `${ms(cpu / steps)} / ${ms(wall / steps)}`;
    const add = (label: string, cell: string) => (rows[label] ??= []).push(cell);
    add('whole translation', per(total.cpu, total.wall));
    add('  encoder (once per sentence)', per(encoder.cpu, encoder.wall));
    add('  session.run (copy in, kernels, copy out)', per(run.cpu, run.wall));
    add('  rest of step() (feeds, output handling)', per(step.cpu - run.cpu, step.wall - run.wall));
    add(stepGraph === 'decoderStep' ? '  beam reorder (KV cache gathered in JS)' : '  beam reorder (parents noted; graph gathers)', per(reorder.cpu, reorder.wall));
    add('  search JS, yields, tokenizer (the rest)', per(total.cpu - encoder.cpu - step.cpu - reorder.cpu, total.wall - encoder.wall - step.wall - reorder.wall));
    add('decoder steps per translation', String(steps / repeats).padStart(17));
  }
  decoder.run = rawRun as typeof decoder.run;
  for (const [label, cells] of Object.entries(rows)) say(`  ${label.padEnd(42)}${cells.map((c) => c.padStart(17)).join('')}`);

  // 2. session.run taken apart at T = past, S = source.
  const python = join(repo, '.venv/bin/python');
  const runs = 60;
  say('', `session.run alone at ${past} cached positions, ${source} source tokens (CPU ms / wall ms per run, ${runs} runs):`);
  say(`${''.padEnd(44)}${'n = 1'.padStart(17)}${'n = 4'.padStart(17)}`);
  const plain = await model.session('decoderStep');
  const shipped = [await perRun(plain, feeds(1, past, source, dims), runs), await perRun(plain, feeds(4, past, source, dims), runs)];
  const cell = (x: { cpu: number; wall: number }) => `${ms(x.cpu)} / ${ms(x.wall)}`.padStart(17);
  say(`  ${'shipped graph, the engine\'s own session'.padEnd(42)}${shipped.map(cell).join('')}`);
  if (existsSync(python)) {
    const out = join(repo, 'build/bench/step');
    let variants: string;
    try {
      variants = execFileSync(python, [join(repo, 'bench/step_variants.py'), '--package', packageDir, '--out', out, '--past', String(past), '--source', String(source)],
        { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`bench/step_variants.py failed: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').pop()}`);
    }
    const v = JSON.parse(variants);
    const open = (file: string) => ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    type PerRun = { cpu: number; wall: number };
    const both = async (file: string): Promise<PerRun[]> => {
      const s = await open(file);
      try {
        return [await perRun(s, feeds(1, past, source, dims), runs), await perRun(s, feeds(4, past, source, dims), runs)];
      } finally {
        await s.release();
      }
    };
    const labels: Record<string, string> = {
      einsum: 'projection as Einsum (exported before fix)',
      gemm: 'projection as Gemm (transB)',
      matmul: 'projection as MatMul(h, Transpose(E))',
    };
    const ratio = (a: PerRun[], b: PerRun[]) => a.map((x, i) => `${(x.cpu / b[i].cpu).toFixed(2)}x / ${(x.wall / b[i].wall).toFixed(2)}x`.padStart(17)).join('');
    const diff = (a: PerRun[], b: PerRun[]) => a.map((x, i) => cell({ cpu: x.cpu - b[i].cpu, wall: x.wall - b[i].wall })).join('');
    // The shipped file opened as the variants are, so that every row of this table has the same session options.
    const asShipped = await both(v.files.shipped);
    say(`  ${`same file, opened as the variants are`.padEnd(42)}${asShipped.map(cell).join('')}`);
    for (const name of Object.keys(v.files).filter((k) => k in labels)) {
      const runsOf = await both(v.files[name]);
      say(`  ${labels[name].padEnd(42)}${runsOf.map(cell).join('')}`);
      say(`  ${'  -> its time / the shipped graph\'s'.padEnd(42)}${ratio(runsOf, asShipped)}`);
    }
    const ioRuns = await both(v.files.io);
    say(`  ${'same inputs/outputs, no arithmetic'.padEnd(42)}${ioRuns.map(cell).join('')}`);
    say(`  ${'  -> kernels (shipped minus that)'.padEnd(42)}${diff(asShipped, ioRuns)}`);
    const largest = Math.max(...Object.values(v.maxDiff as Record<string, number>));
    say(`  (shipped projection: ${v.shippedProjection}; the rewritten variants' outputs differ from the shipped graph's by at most ${largest.toExponential(1)}, native onnxruntime)`);
    const ops = (v.native.ops as { op: string; share: number; nodes: number }[]).slice(0, 8).map((o) => `${o.op} ${(o.share * 100).toFixed(0)}% (${o.nodes})`);
    const projection = v.native.projectionShare === null ? 'not found in the trace' : `${(v.native.projectionShare * 100).toFixed(0)}%`;
    say('', `Native onnxruntime (x86, same optimizer), n = 1, ${v.native.nodesPerRun} nodes after optimization, ${v.native.cpuMsPerRun.toFixed(2)} CPU ms per run;`,
      'share of kernel time by operator (nodes):', `  ${ops.join(', ')}`, `  the output projection alone (one ${v.shippedProjection}, ${dims.vocab} x ${dims.dModel}): ${projection}`);
  } else {
    say('  (no .venv: run bash scripts/ensure-python.sh for the variant graphs)');
  }

  // 3. The search's pieces alone.
  const V = dims.vocab;
  const yields = new Meter();
  for (let i = 0; i < 500; i++) await yields.time(() => yieldToEventLoop());
  say('', 'Pieces of the search alone (CPU ms / wall ms per call):');
  say(`  ${'yieldToEventLoop'.padEnd(42)}${cell({ cpu: yields.cpu / 500, wall: yields.wall / 500 })}`);
  for (const n of [1, 4]) {
    const logits = Float32Array.from({ length: n * V }, (_, i) => Math.sin(i));
    const math = new Meter();
    for (let i = 0; i < 200; i++) {
      math.timeSync(() => {
        const lp = logSoftmaxRows(logits, n, V);
        const total = new Float64Array(n * V);
        for (let j = 0; j < n * V; j++) total[j] = lp[j];
        return topK(total, Math.min(8, n * V));
      });
    }
    say(`  ${`log-softmax + scores + top-k, n = ${n}`.padEnd(42)}${cell({ cpu: math.cpu / 200, wall: math.wall / 200 })}`);
  }
  await model.release();
}

main().catch((e) => {
  process.stderr.write(`profile: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
