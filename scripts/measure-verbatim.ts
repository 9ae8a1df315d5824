// Measures how the shipped model treats text it must not touch, to choose between placeholders and cutting around
// the spans (src/engine/verbatim.ts). Not part of the build; run it with:
//   npx esbuild scripts/measure-verbatim.ts --bundle --platform=node --external:onnxruntime-web --outfile=build/measure-verbatim.js
//   node build/measure-verbatim.js [beam] [style,style]     (all six styles: about 30 minutes on 2 busy cores at beam 4)
// For each style a sentence passes when every span (or placeholder) comes back exactly once.
import * as ort from 'onnxruntime-web';
import { resolve } from 'node:path';
import { OnnxModel } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../src/node/fsPackage';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** English sentences with {0}, {1} where a span sits, and the spans. */
const CASES: [string, string[]][] = [
  ['Attention {0} is all you need {1}!', ['👋🏽', '🤖🇰🇷']],
  ['See {0} for the paper.', ['https://arxiv.org/abs/1706.03762']],
  ['Write to {0} today.', ['jane.doe@example.com']],
  ['Call {0} before decoding.', ['`model.encode(x)`']],
  ['The model has {0} parameters.', ['65,000,000']],
  ['It scored {0} BLEU on the test set.', ['28.4']],
  ['Read {0} now.', ['[the paper](https://arxiv.org/abs/1706.03762)']],
  ['The score is {0} in short.', ['$QK^T$']],
  ['We trained for {0} days on {1} GPUs.', ['3.5', '8']],
  ['The encoder {0} maps the input to vectors.', ['`enc`']],
  ['I love this paper {0}', ['😍']],
  ['Use {0} to install it.', ['`npm install`']],
];

/** How a span is shown to the model: 'cut' is the shipped way (the Translator cuts around the span itself). */
const STYLES: Record<string, ((i: number, span: string) => string) | 'cut'> = {
  cut: 'cut',
  literal: (_i, s) => s,
  X: (i) => `X${i + 1}`,
  brackets: (i) => `[${i + 1}]`,
  '#N': (i) => `#${i + 1}`,
  name: (i) => ['Alice', 'Bob'][i],
};

const occurrences = (text: string, part: string) => text.split(part).length - 1;
/** What must come back of a span when the Translator cuts around it: all of it, but of a link only its destination. */
const mustComeBack = (span: string) => (span.startsWith('[') ? span.slice(span.indexOf('](')) : span);

async function main() {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(resolve(__dirname, '..'))), 'wasm');
  const translator = new Translator(model);
  const beam = Number(process.argv[2] ?? 4);
  const only = process.argv[3]?.split(',');
  for (const [name, style] of Object.entries(STYLES)) {
    if (only && !only.includes(name)) continue;
    let kept = 0;
    for (const [template, spans] of CASES) {
      const marks = style === 'cut' ? spans : spans.map((s, i) => style(i, s));
      const source = template.replace(/\{(\d)\}/g, (_m, d: string) => marks[Number(d)]);
      const out = style === 'cut'
        ? (await translator.translate(source, { from: 'en', to: 'ko', beam })).text
        : (await translator.translateSentence(source, 'en', 'ko', { to: 'ko', beam })).text;
      const checks = style === 'cut' ? marks.map(mustComeBack) : marks;
      const ok = checks.every((m) => occurrences(out, m) === occurrences(source, m));
      if (ok) kept++;
      console.log(`${name}\t${ok ? 'ok ' : 'BAD'}\t${source}\t=>\t${out}`);
    }
    console.log(`== ${name}: ${kept}/${CASES.length} sentences with every span back exactly once (beam ${beam})`);
  }
  await model.release();
}

void main();
