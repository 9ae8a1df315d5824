// npm run bench:tiering: what src/node/wasmTierUp.ts buys a fresh Node process (the extension host's text process, the
// CLI): the same process started with V8's default WebAssembly tiering budget and with the deferred one, in turn (the
// order swapped every pair). Each loads the package, translates the text process's warm-up sentence and then a
// 30-word sentence as a cold panel asks (beam 4, attention, steps), then four rounds of four sentences. Prints wall and
// CPU ms (CPU: every thread of the process, V8's compiler threads included) at each mark, medians over the pairs, and
// deferred ÷ default.
// Usage: node out/bench/wasmTiering.js [--model DIR] [--pairs N]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPackageDir } from '../src/node/fsPackage';
import { WASM_TIERING_BUDGET } from '../src/node/wasmTierUp';

const repo = resolve(__dirname, '../..');
const MARKS = ['package loaded', 'warm-up sentence', 'first 30 words', 'rounds 1-4 (16 sentences)'] as const;
const FIRST = 'The Transformer allows for significantly more parallelization and can reach a new state of the art in translation quality after being trained for as little as twelve hours on eight P100 GPUs.';
const ROUND = [
  'Recurrent models typically factor computation along the symbol positions of the input and output sequences.',
  'Attention mechanisms have become an integral part of compelling sequence modeling and transduction models.',
  'In this work we propose the Transformer, a model architecture eschewing recurrence and relying on attention.',
  'The encoder maps an input sequence of symbol representations to a sequence of continuous representations.',
];

interface Marks { wall: number[]; cpu: number[] }

/** The child: one fresh process, its marks as JSON on stdout. */
async function child(packageDir: string): Promise<void> {
  const ort = await import('onnxruntime-web');
  const { OnnxModel } = await import('../src/engine/onnxModel');
  const { Translator } = await import('../src/engine/translator');
  const { fsPackage } = await import('../src/node/fsPackage');
  const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const t0 = performance.now(), c0 = cpuNow();
  const marks: Marks = { wall: [], cpu: [] };
  const mark = () => { marks.wall.push(performance.now() - t0); marks.cpu.push(cpuNow() - c0); };
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const model = await OnnxModel.load(ort, fsPackage(packageDir), 'wasm');
  mark();
  const translator = new Translator(model);
  const asPanel = { from: 'en', to: 'ko', beam: 4, attention: true, steps: true } as const;
  await translator.translate('Attention is all you need.', asPanel);
  mark();
  await translator.translate(FIRST, asPanel);
  mark();
  for (let r = 0; r < 4; r++) for (const s of ROUND) await translator.translate(`${s} (${r})`, asPanel);
  mark();
  process.stdout.write(JSON.stringify(marks));
}

function run(flags: string[], packageDir: string): Marks {
  const r = spawnSync(process.execPath, [...flags, __filename, '--child', '--model', packageDir], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Marks;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, pairs: { type: 'string' }, child: { type: 'boolean' } } });
  const packageDir = resolve(values.model ?? defaultPackageDir(repo));
  if (values.child) return child(packageDir);
  const pairs = Number(values.pairs ?? 3);
  const variants = { default: [] as string[], deferred: [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`] };
  const got: Record<keyof typeof variants, Marks[]> = { default: [], deferred: [] };
  process.stdout.write(`A fresh Node process per run (${process.version}), ${pairs} pairs; deferred: ${variants.deferred[0]}\n`);
  for (let p = 0; p < pairs; p++) {
    const order = (p % 2 ? ['deferred', 'default'] : ['default', 'deferred']) as (keyof typeof variants)[];
    for (const v of order) {
      const m = run(variants[v], packageDir);
      got[v].push(m);
      process.stdout.write(`  pair ${p + 1} ${v.padEnd(8)} wall ${m.wall.map(Math.round).join(' / ')} ms; CPU ${m.cpu.map(Math.round).join(' / ')} ms\n`);
    }
  }
  process.stdout.write(`Medians (ms from the process's start; the last row: the 16 sentences alone)\n`);
  process.stdout.write(`  ${'mark'.padEnd(28)} ${'default wall / CPU'.padEnd(22)} ${'deferred wall / CPU'.padEnd(22)} deferred ÷ default (wall / CPU)\n`);
  MARKS.forEach((label, i) => {
    // The rounds as a span of their own: how fast the code is once it has run a while.
    const at = (m: Marks, k: 'wall' | 'cpu') => (i === MARKS.length - 1 ? m[k][i] - m[k][i - 1] : m[k][i]);
    const [dw, dc, fw, fc] = [median(got.default.map((m) => at(m, 'wall'))), median(got.default.map((m) => at(m, 'cpu'))),
      median(got.deferred.map((m) => at(m, 'wall'))), median(got.deferred.map((m) => at(m, 'cpu')))];
    process.stdout.write(`  ${label.padEnd(28)} ${`${Math.round(dw)} / ${Math.round(dc)}`.padEnd(22)} ${`${Math.round(fw)} / ${Math.round(fc)}`.padEnd(22)} ${(fw / dw).toFixed(2)} / ${(fc / dc).toFixed(2)}\n`);
  });
}

main().catch((e) => {
  process.stderr.write(`bench:tiering: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
