// attention-companion: the engine on the command line. Reads lines on stdin, prints one translation per line.
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { LANGS, type Lang, type TargetSetting } from '../shared/manifest';
import type { TranslationResult } from '../shared/results';
import { OnnxModel } from '../engine/onnxModel';
import { Translator } from '../engine/translator';
import { defaultPackageDir, fsPackage } from '../node/fsPackage';

const USAGE = `Usage: attention-companion translate --to <ko|en|de|auto> [--from <en|ko|de>] [--beam N] [--model DIR] [--attention out.json]
Reads one text per line on stdin and prints one translation per line on stdout.
  --attention FILE  also write tokens and attention (encoder, decoder, cross) of every line as JSON
  --model DIR       a model package folder (default: the package named in models/DEFAULT)`;

function fail(message: string): never {
  process.stderr.write(`attention-companion: ${message}\n`);
  process.exit(2);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      to: { type: 'string', default: 'auto' }, from: { type: 'string' }, beam: { type: 'string', default: '4' },
      model: { type: 'string' }, attention: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE + '\n');
  if (positionals[0] !== 'translate') fail(`unknown command ${JSON.stringify(positionals[0] ?? '')}\n${USAGE}`);
  const to = values.to as TargetSetting;
  if (to !== 'auto' && !LANGS.includes(to)) fail(`--to must be one of auto, ${LANGS.join(', ')}`);
  if (values.from && !LANGS.includes(values.from as Lang)) fail(`--from must be one of ${LANGS.join(', ')}`);
  const beam = Number(values.beam);
  if (!Number.isInteger(beam) || beam < 1 || beam > 16) fail('--beam must be an integer from 1 to 16');

  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const root = join(dirname(__filename), '..');
  let model: OnnxModel;
  try {
    model = await OnnxModel.load(ort, fsPackage(values.model ?? defaultPackageDir(root)), 'wasm');
  } catch (e) {
    fail((e as Error).message);
  }
  const translator = new Translator(model);
  const withAttention = !!values.attention;
  const records: TranslationResult[] = [];
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) {
      process.stdout.write('\n');
      continue;
    }
    const r = await translator.translate(line, { to, from: values.from as Lang | undefined, beam, attention: withAttention });
    process.stdout.write(r.text.replace(/\n/g, ' ') + '\n');
    if (withAttention) records.push(r);
  }
  if (values.attention) writeFileSync(values.attention, JSON.stringify(records));
  await model.release();
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
