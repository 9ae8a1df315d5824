// attention-companion: the engine on the command line. Reads lines on stdin, prints one translation per line.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { LANGS, type Lang, type TargetSetting } from '../shared/manifest';
import { DEFAULT_ATTENTION_BUDGET_BYTES } from '../engine/attentionBudget';
import { OnnxModel } from '../engine/onnxModel';
import { Translator } from '../engine/translator';
import { DEFAULT_SENTENCE_CACHE_BYTES } from '../engine/sentenceCache';
import { defaultPackageDir, fsPackage } from '../node/fsPackage';
import { deferWasmTierUp } from '../node/wasmTierUp';
import { JsonArrayFile } from './jsonArrayFile';
import { labelledResult } from './labelledResult';
import { LineProgress } from './lineProgress';
import { lineWindows } from './lineWindows';

const DEFAULT_ATTENTION_MB = DEFAULT_ATTENTION_BUDGET_BYTES / 2 ** 20;
/** Most input lines translated together: a whole evaluation set (FLORES devtest: 1012 lines) in one window. */
const LINE_WINDOW = 1024;

const USAGE = `Usage: attention-companion translate --to <ko|en|de|auto> [--from <en|ko|de>] [--beam N] [--model DIR] [--attention out.json [--attention-limit MB]]
Reads one text per line on stdin and prints one translation per line on stdout.
  --attention FILE      also write tokens, their labels and attention (encoder, decoder, cross) of every line as JSON
  --attention-limit MB  most attention kept per line, as JSON (default ${DEFAULT_ATTENTION_MB}); sentences past it are written
                        without attention, and stderr says how many
  --model DIR           a model package folder (default: the package named in models/DEFAULT)
  --full-vocabulary     every token a candidate at each step, not only those of the target language's shortlist
                        (slower; the package's shortlists, where it has them, leave out tokens its training targets
                        never used)
Lines that arrive together (a file, a pipe) are translated together, which is faster; each line gets the same
translation as alone. Progress of lines that take more than a second goes to stderr.`;

function fail(message: string): never {
  process.stderr.write(`attention-companion: ${message}\n`);
  process.exit(2);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      to: { type: 'string', default: 'auto' }, from: { type: 'string' }, beam: { type: 'string', default: '4' },
      model: { type: 'string' }, attention: { type: 'string' }, 'attention-limit': { type: 'string' },
      'full-vocabulary': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE + '\n');
  if (positionals[0] !== 'translate') fail(`unknown command ${JSON.stringify(positionals[0] ?? '')}\n${USAGE}`);
  const to = values.to as TargetSetting;
  if (to !== 'auto' && !LANGS.includes(to)) fail(`--to must be one of auto, ${LANGS.join(', ')}`);
  if (values.from && !LANGS.includes(values.from as Lang)) fail(`--from must be one of ${LANGS.join(', ')}`);
  const beam = Number(values.beam);
  if (!Number.isInteger(beam) || beam < 1 || beam > 16) fail('--beam must be an integer from 1 to 16');
  const limitMb = Number(values['attention-limit'] ?? DEFAULT_ATTENTION_MB);
  if (!(limitMb >= 0 && limitMb <= 1024)) fail('--attention-limit must be a number of megabytes from 0 to 1024');

  deferWasmTierUp();
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const root = join(dirname(__filename), '..');
  let model: OnnxModel;
  try {
    model = await OnnxModel.load(ort, fsPackage(values.model ?? defaultPackageDir(root)), 'wasm', { plainStep: values['full-vocabulary'] ? 'search' : 'shortlist' });
  } catch (e) {
    fail((e as Error).message);
  }
  // Lines repeated in a file (evaluation sets have some) are decoded once.
  const translator = new Translator(model, { cacheBytes: DEFAULT_SENTENCE_CACHE_BYTES });
  // Each line's result is written as soon as it is translated: memory holds one line's attention, not the file's.
  let records: JsonArrayFile | undefined;
  try {
    records = values.attention ? new JsonArrayFile(values.attention) : undefined;
  } catch (e) {
    fail(`cannot write --attention file: ${(e as Error).message}`);
  }
  const progress = new LineProgress({ tty: !!process.stderr.isTTY, write: (t) => process.stderr.write(t) });
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // Lines that arrive together are translated together (their sentences share decoder batches); with --attention one
  // at a time, so memory holds one line's attention.
  let lineNumber = 0;
  for await (const window of lineWindows(input, { max: records ? 1 : LINE_WINDOW, settleMs: 20 })) {
    const first = lineNumber + 1;
    lineNumber += window.length;
    const texts = window.filter((line) => line.trim());
    progress.start(first, lineNumber);
    const results = texts.length === 0 ? [] : await translator.translateMany(texts, {
      to, from: values.from as Lang | undefined, beam, attention: !!records, attentionBudgetBytes: limitMb * 2 ** 20,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    let next = 0;
    window.forEach((line, i) => {
      if (!line.trim()) return void process.stdout.write('\n');
      const r = results[next++];
      process.stdout.write(r.text.replace(/\n/g, ' ') + '\n');
      if (r.attentionLeftOut) process.stderr.write(`attention-companion: line ${first + i}: ${r.attentionLeftOut.message}\n`);
      records?.push(labelledResult(r));
    });
  }
  records?.close();
  await model.release();
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
