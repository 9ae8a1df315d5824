// Issue 12 experiment: CPU ms of one plain search step (decoder_step_search, session.run alone) for the packages
// bench/quantize_variants.py writes under build/int8/, in Node on onnxruntime-web's WASM backend, 1 thread, the
// engine's session options. The variants take turns with the base inside each round (order rotated every round), so
// a machine whose speed drifts (training on the other cores) moves them alike; medians and the spread over rounds.
//   node bench/quantStepTiming.mjs [--dir build/int8] [--variants base,q8proj,...] [--rounds 7] [--runs 20]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string', default: 'build/int8' },
    variants: { type: 'string', default: '' },
    rows: { type: 'string', default: '1,4,32' },
    rounds: { type: 'string', default: '7' },
    runs: { type: 'string', default: '20' },
    past: { type: 'string', default: '20' },
    source: { type: 'string', default: '30' },
    json: { type: 'string', default: '' },
  },
});
const dir = resolve(opt.dir);
const names = opt.variants ? opt.variants.split(',') : ['base', ...readdirSync(dir).filter((n) => n !== 'base' && existsSync(join(dir, n, 'manifest.json'))).sort()];
const rowsList = opt.rows.split(',').map(Number);
const [rounds, runs, past, source] = [opt.rounds, opt.runs, opt.past, opt.source].map(Number);
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

function feeds(dims, n) {
  const kv = (t) => new ort.Tensor('float32', Float32Array.from({ length: dims.decoderLayers * n * dims.heads * t * dims.dHead }, (_, i) => Math.sin(i)), [dims.decoderLayers, n, dims.heads, t, dims.dHead]);
  const i64 = (xs, shape) => new ort.Tensor('int64', BigInt64Array.from(xs, BigInt), shape);
  return {
    tokens: i64(Array.from({ length: n }, (_, i) => 100 + 37 * i), [n, 1]),
    beam_idx: i64(Array.from({ length: n }, (_, i) => i), [n]),
    past_k: kv(past), past_v: kv(past), cross_k: kv(source), cross_v: kv(source),
    src_len: i64(Array(n).fill(source), [n]),
    top_k: i64([8], [1]),
  };
}

async function open(name) {
  const pkg = join(dir, name);
  const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8'));
  const weights = readFileSync(join(pkg, manifest.weights));
  const graph = readFileSync(join(pkg, manifest.graphs.decoderStepSearch.file));
  const t = performance.now();
  const session = await ort.InferenceSession.create(graph, {
    executionProviders: ['wasm'], externalData: [{ path: manifest.weights, data: weights }], graphOptimizationLevel: 'all',
  });
  return { name, session, dims: manifest.dims, createMs: performance.now() - t };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  process.stdout.write(`onnxruntime-web ${ort.env.versions.web} WASM, 1 thread, Node ${process.version}; search step, ${past} cached positions, ${source} source tokens, top_k 8\n`);
  const opened = [];
  for (const name of names) {
    try {
      opened.push(await open(name));
    } catch (e) {
      process.stdout.write(`${name}: onnxruntime-web cannot create the session: ${String(e.message ?? e).split('\n')[0].slice(0, 300)}\n`);
    }
  }
  for (const o of opened) process.stdout.write(`${o.name}: session created in ${o.createMs.toFixed(0)} ms\n`);
  const byRows = Object.fromEntries(rowsList.map((n) => [n, feeds(opened[0].dims, n)]));
  // Warm-up: every session, every shape.
  for (const o of opened) for (const n of rowsList) for (let i = 0; i < 3; i++) await o.session.run(byRows[n]);
  const samples = {};   // samples[name][rows] = per-round CPU ms per run
  for (let r = 0; r < rounds; r++) {
    const order = opened.map((_, i) => opened[(i + r) % opened.length]);
    for (const n of rowsList) {
      for (const o of order) {
        await o.session.run(byRows[n]);
        const c = cpuNow();
        for (let i = 0; i < runs; i++) await o.session.run(byRows[n]);
        ((samples[o.name] ??= {})[n] ??= []).push((cpuNow() - c) / runs);
      }
    }
  }
  const pad = (s, w) => String(s).padStart(w);
  process.stdout.write(`\nCPU ms per session.run: median over ${rounds} rounds of ${runs} runs [min-max]; ratio = variant/base median\n`);
  process.stdout.write('variant'.padEnd(14) + rowsList.map((n) => pad(`rows ${n}`, 26)).join('') + '\n');
  const base = samples.base;
  const result = {};
  for (const o of opened) {
    const cells = rowsList.map((n) => {
      const xs = samples[o.name][n];
      const m = median(xs);
      const ratio = base ? m / median(base[n]) : NaN;
      (result[o.name] ??= {})[n] = { median: m, min: Math.min(...xs), max: Math.max(...xs), ratio };
      return pad(`${m.toFixed(2)} [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}] ${ratio.toFixed(2)}x`, 26);
    });
    process.stdout.write(o.name.padEnd(14) + cells.join('') + '\n');
  }
  if (opt.json) (await import('node:fs')).writeFileSync(opt.json, JSON.stringify(result, null, 1));
  for (const o of opened) await o.session.release();
}

main().catch((e) => { process.stderr.write(`quantStepTiming: ${e.stack ?? e}\n`); process.exit(1); });
