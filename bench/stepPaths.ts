// npm run bench:paths [-- --model DIR --rounds N]: plain translation through each step the engine can run (PlainStep:
// the search step shortlisted to the target language, the full-vocabulary search step, the plain step with the
// search in JavaScript), side by side in one Node process on onnxruntime-web's WASM backend, 1 thread. One model per
// path, loaded from the same package; each round translates the bench's 5- and 25-word sentences (en→ko, ko→en,
// greedy and beam 4, no sentence cache) through every path in turn, the order rotated each round, so that a machine
// whose speed drifts moves them alike. Prints CPU ms per pass (median over rounds) and each path's ratio to the
// shortlist, and how many translations differ from the full search step's.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { OnnxModel, type PlainStep } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../src/node/fsPackage';
import type { Lang } from '../src/shared/manifest';

const repo = resolve(__dirname, '../..');
const PATHS: PlainStep[] = ['shortlist', 'search', 'plain'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
  const rounds = Number(values.rounds);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const dir = resolve(values.model ?? defaultPackageDir(repo));
  const fixture = JSON.parse(readFileSync(join(repo, 'bench/sentences.json'), 'utf8'));
  const jobs: { from: Lang; to: Lang; text: string }[] = [];
  for (const [from, to] of [['en', 'ko'], ['ko', 'en']] as [Lang, Lang][]) {
    for (const size of ['5', '25']) for (const text of fixture[from][size] as string[]) jobs.push({ from, to, text });
  }
  const translators = new Map<PlainStep, Translator>();
  for (const path of PATHS) translators.set(path, new Translator(await OnnxModel.load(ort, fsPackage(dir), 'wasm', { plainStep: path }), { cacheBytes: 0 }));
  const first = translators.get('shortlist')!;
  const shortlists = Object.entries(first.model.manifest.searchShortlists ?? {}).map(([l, s]) => `${l} ${s!.vocab}`).join(', ');
  process.stdout.write(`Plain translation's step paths: ${first.model.manifest.id} (shortlists: ${shortlists || 'none'}), Node ${process.version}, ` +
    `onnxruntime-web ${ort.env.versions.web} WASM, 1 thread; ${jobs.length} sentences (5 and 25 words, en→ko and ko→en) per pass\n`);
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const outputs = new Map<string, string>();
  const samples = new Map<string, number[]>();
  for (let r = -1; r < rounds; r++) {                   // round -1: warm-up (sessions, shapes), not counted
    const order = PATHS.map((_, i) => PATHS[(i + Math.max(r, 0)) % PATHS.length]);
    for (const beam of [1, 4]) {
      for (const path of order) {
        const t = translators.get(path)!;
        const start = cpu();
        for (const [i, job] of jobs.entries()) {
          const out = await t.translate(job.text, { from: job.from, to: job.to, beam });
          if (r === -1) {
            const key = `${beam}|${i}`;
            if (path === 'search') outputs.set(key, out.text);
            else outputs.set(`${path}|${key}`, out.text);
          }
        }
        if (r >= 0) (samples.get(`${path}|${beam}`) ?? samples.set(`${path}|${beam}`, []).get(`${path}|${beam}`)!).push(cpu() - start);
      }
    }
  }
  const differ = new Map(PATHS.map((p) => [p, p === 'search' ? 0 : [...outputs.keys()].filter((k) => k.startsWith(`${p}|`) && outputs.get(k) !== outputs.get(k.slice(p.length + 1))).length]));
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  process.stdout.write(`\nCPU ms per pass, median over ${rounds} rounds [min-max]; ratio: path ÷ shortlist (above 1: slower than the shortlist)\n`);
  process.stdout.write(`${'path'.padEnd(12)}${'greedy'.padStart(34)}${'beam 4'.padStart(34)}   translations unlike the full search step's\n`);
  for (const path of PATHS) {
    const cells = [1, 4].map((beam) => {
      const xs = samples.get(`${path}|${beam}`)!;
      const base = median(samples.get(`shortlist|${beam}`)!);
      return `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}] ${(median(xs) / base).toFixed(2)}x`.padStart(34);
    });
    process.stdout.write(`${path.padEnd(12)}${cells.join('')}   ${path === 'search' ? '—' : `${differ.get(path)} of ${2 * jobs.length}`}\n`);
  }
  for (const t of translators.values()) await t.model.release();
}

main().catch((e) => { process.stderr.write(`stepPaths: ${(e as Error).stack ?? e}\n`); process.exit(1); });
