// The benchmark's Node runner: the engine on onnxruntime-web's WASM backend, as the CLI and the tests run it.
// Usage (bench/main.mjs starts it): node out/bench/nodeRunner.js <plan.json> <package dir>
// Prints one JSON object (a RunnerReport plus the attention payload) on stdout; progress goes to stderr.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { fsPackage } from '../src/node/fsPackage';
import { measurePayload, runPlan, warmUp, type Clocks } from './engineRuns';
import type { Plan, RunnerReport } from './plan';

async function main(): Promise<void> {
  const [planFile, packageDir] = process.argv.slice(2);
  if (!planFile || !packageDir) throw new Error('usage: nodeRunner.js <plan.json> <package dir>');
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
  ort.env.wasm.numThreads = plan.threads;
  ort.env.logLevel = 'error';
  const clocks: Clocks = {
    now: () => performance.now(),
    cpu: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
  };
  const t0 = clocks.now();
  const model = await OnnxModel.load(ort, fsPackage(packageDir), 'wasm');
  const loadMs = clocks.now() - t0;
  const translator = new Translator(model);
  const warm = await warmUp(translator, plan, clocks);
  const { cells, batches } = await runPlan(translator, plan, clocks, (line) => process.stderr.write(`node-wasm: ${line}\n`));
  const payload = await measurePayload(translator, plan);
  await model.release();
  const report: RunnerReport & { payload: typeof payload } = {
    runtime: 'node-wasm', label: `Node ${process.version} WASM`, loadMs, cells, batches,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, notes: [], payload, ...warm,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => {
  process.stderr.write(`node-wasm runner: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
