// npm run bench:builds: onnxruntime-web's two builds side by side on the WASM backend, in Node (V8, as in the
// webview): the plain build, which the webview runs for WebAssembly, and the asyncify build, which WebGPU needs and
// which ran WebAssembly too before (webview/engine/ortRuntimes.ts). Each round starts one process per build, in turn
// (the order swapped every round, so a machine whose load drifts moves both alike); a process times the runtime's
// start (instantiating the binary and running the worker's one-node warm-up graph, src/engine/runtimeWarmup.ts), the
// model's load (package files and the plain translation's two sessions) and the bench's 25-word sentences
// (bench/sentences.json, both directions) translated greedy and beam 4, twice: the first pass runs while V8 may still
// be optimizing the binary's hot functions on its background threads (their CPU is the process's too), the second
// after. One WASM thread.
// `--runtime chromium` does the same in headless Chromium (the bench page, a fresh browser per build and round: load
// = runtime start, package and sessions; CPU of every Chromium process, from /proc). Prints each build's medians and
// asyncify ÷ plain.
// Usage: node out/bench/ortBuilds.js [--model DIR] [--rounds N] [--runtime node|chromium]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { OnnxModel, type OrtModule } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { warmUpRuntime } from '../src/engine/runtimeWarmup';
import { defaultPackageDir, fsPackage } from '../src/node/fsPackage';
import { ORT_WASM_FILES } from '../src/shared/protocol';
import type { Lang, ModelManifest } from '../src/shared/manifest';
import { checkedFiles, withBenchPage } from './chromium';
import { cpuMs, descendants } from './procStats';

const repo = resolve(__dirname, '../..');
const dist = join(repo, 'node_modules/onnxruntime-web/dist');

/** Each build: the bundle whose glue the worker carries, and its binary. */
const BUILDS = {
  plain: { bundle: 'ort.wasm.bundle.min.mjs', binary: ORT_WASM_FILES.wasm },
  asyncify: { bundle: 'ort.webgpu.bundle.min.mjs', binary: ORT_WASM_FILES.webgpu },
} as const;
type Build = keyof typeof BUILDS;

/** One process's figures, ms. */
interface Sample {
  binaryMB: number; startCpu: number; startWall: number; loadCpu: number; loadWall: number;
  firstCpu: number; firstWall: number; greedyCpu: number; beamCpu: number; tokens: string;
}

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function child(build: Build, modelDir: string): Promise<Sample> {
  const { bundle, binary } = BUILDS[build];
  const ort = (await import(pathToFileURL(join(dist, bundle)).href)) as OrtModule;
  const bytes = readFileSync(join(dist, binary));
  ort.env.wasm.wasmBinary = bytes;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  let c = cpuNow(), w = performance.now();
  await warmUpRuntime(ort);
  const [startCpu, startWall] = [cpuNow() - c, performance.now() - w];
  c = cpuNow(); w = performance.now();
  const model = await OnnxModel.load(ort, fsPackage(modelDir), 'wasm');
  const [loadCpu, loadWall] = [cpuNow() - c, performance.now() - w];
  const translator = new Translator(model);
  const tokens: number[][] = [];
  const pass = async (beam: number, keep: boolean) => {
    const t = cpuNow();
    for (const j of jobs()) {
      const ids = (await translator.translate(j.text, { from: j.from, to: j.to, beam })).sentences[0].tgtTokens.map((x) => x.id);
      if (keep) tokens.push(ids);
    }
    return cpuNow() - t;
  };
  c = cpuNow(); w = performance.now();
  await pass(1, false);
  await pass(4, false);
  const [firstCpu, firstWall] = [cpuNow() - c, performance.now() - w];
  const greedyCpu = await pass(1, true);
  const beamCpu = await pass(4, true);
  await model.release();
  return { binaryMB: bytes.length / 1e6, startCpu, startWall, loadCpu, loadWall, firstCpu, firstWall, greedyCpu, beamCpu, tokens: JSON.stringify(tokens) };
}

/** The bench's 25-word sentences, both directions. */
function jobs(): { text: string; from: Lang; to: Lang }[] {
  const sentences = JSON.parse(readFileSync(join(repo, 'bench/sentences.json'), 'utf8')) as Record<'en' | 'ko', Record<string, string[]>>;
  return [...sentences.en['25'].map((text) => ({ text, from: 'en', to: 'ko' } as const)), ...sentences.ko['25'].map((text) => ({ text, from: 'ko', to: 'en' } as const))];
}

/** The same in headless Chromium, the bench page's engine host (as the webview's worker runs it, on the page). */
async function chromiumSample(build: Build, modelDir: string): Promise<Sample> {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as ModelManifest;
  const binaryMB = readFileSync(join(dist, BUILDS[build].binary)).length / 1e6;
  return withBenchPage({ repo, packageDir: modelDir }, async (page) => {
    const cpu = () => cpuMs(descendants(process.pid));
    let c = cpu();
    const { loadMs } = await page.evaluate(([files, b]) => window.bench!.load('wasm', files, b), [checkedFiles(manifest), build === 'asyncify' ? 'webgpu' : 'wasm'] as const);
    const loadCpu = cpu() - c;
    const pass = async (beam: number) => {
      c = cpu();
      const r = await page.evaluate(([j, b]) => window.bench!.translateAll(j, b), [jobs(), beam] as const);
      return { cpu: cpu() - c, wall: r.wallMs, ids: r.ids };
    };
    const [g1, b1] = [await pass(1), await pass(4)];
    const [g2, b2] = [await pass(1), await pass(4)];
    return {
      binaryMB, startCpu: NaN, startWall: NaN, loadCpu, loadWall: loadMs, firstCpu: g1.cpu + b1.cpu, firstWall: g1.wall + b1.wall,
      greedyCpu: g2.cpu, beamCpu: b2.cpu, tokens: JSON.stringify([...g2.ids, ...b2.ids]),
    };
  });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** One Node process's figures (the Node runtime keeps each build in its own process). */
function nodeSample(build: Build, modelDir: string): Sample {
  const p = spawnSync(process.execPath, [__filename, '--child', build, '--model', modelDir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`${build}: ${p.stderr}`);
  return JSON.parse(p.stdout) as Sample;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, rounds: { type: 'string' }, child: { type: 'string' }, runtime: { type: 'string' } } });
  const inChromium = values.runtime === 'chromium';
  const modelDir = resolve(values.model ?? defaultPackageDir(repo));
  if (values.child) {
    process.stdout.write(JSON.stringify(await child(values.child as Build, modelDir)) + '\n');
    return;
  }
  const rounds = Number(values.rounds ?? 3);
  const builds = Object.keys(BUILDS) as Build[];
  const samples: Record<Build, Sample[]> = { plain: [], asyncify: [] };
  process.stdout.write(`onnxruntime-web builds on the WASM backend, ${inChromium ? 'headless Chromium (a fresh browser' : `Node ${process.version} (a process`} per build in turn), 1 thread, ${modelDir}; ${rounds} rounds\n`);
  for (let r = 0; r < rounds; r++) {
    for (const build of r % 2 ? [...builds].reverse() : builds) {
      const s = inChromium ? await chromiumSample(build, modelDir) : nodeSample(build, modelDir);
      samples[build].push(s);
      process.stdout.write(`round ${r + 1} ${build.padEnd(8)} CPU ms: start ${s.startCpu.toFixed(0)}, load ${s.loadCpu.toFixed(0)}, first pass ${s.firstCpu.toFixed(0)}, greedy ${s.greedyCpu.toFixed(0)}, beam 4 ${s.beamCpu.toFixed(0)}\n`);
    }
  }
  const rows: [string, keyof Sample][] = [
    ['runtime start, CPU ms', 'startCpu'], ['runtime start, wall ms', 'startWall'], ['model load (2 sessions; Chromium: with the runtime start), CPU ms', 'loadCpu'],
    ['model load, wall ms', 'loadWall'], ['first pass: 6 sentences of 25 words greedy, then beam 4, CPU ms', 'firstCpu'],
    ['first pass, wall ms', 'firstWall'], ['second pass, greedy, CPU ms', 'greedyCpu'], ['second pass, beam 4, CPU ms', 'beamCpu'],
  ];
  process.stdout.write(`\n| measure (median of ${rounds}) | plain | asyncify | asyncify ÷ plain |\n|---|---:|---:|---:|\n`);
  process.stdout.write(`| binary, MB | ${samples.plain[0].binaryMB.toFixed(1)} | ${samples.asyncify[0].binaryMB.toFixed(1)} | ${(samples.asyncify[0].binaryMB / samples.plain[0].binaryMB).toFixed(2)} |\n`);
  for (const [label, key] of rows) {
    const [p, a] = builds.map((b) => median(samples[b].map((s) => s[key] as number)));
    if (Number.isNaN(p)) continue;                  // the runtime's start apart: Node only
    const ratios = samples.plain.map((s, i) => (samples.asyncify[i][key] as number) / (s[key] as number));
    process.stdout.write(`| ${label} | ${p.toFixed(0)} | ${a.toFixed(0)} | ${(a / p).toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}) |\n`);
  }
  const same = samples.plain.every((s, i) => s.tokens === samples.asyncify[i].tokens);
  process.stdout.write(`same target tokens from both builds: ${same ? 'yes' : 'NO'}\n`);
  if (!same) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
