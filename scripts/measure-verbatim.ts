// Measures how the shipped model treats text it must not touch, to choose between placeholders and cutting around
// the spans (src/engine/verbatim.ts). Not part of the build; run it with:
//   npx esbuild scripts/measure-verbatim.ts --bundle --platform=node --external:onnxruntime-web --outfile=build/measure-verbatim.js
//   node build/measure-verbatim.js [beam] [style,style]     (all six styles: about 30 minutes on 2 busy cores at beam 4)
//   node build/measure-verbatim.js [beam] --in-place        (numbers and acronyms: 30 sentences, about a minute)
// For each style a sentence passes when every span (or placeholder) comes back exactly once. --in-place compares,
// for sentences with numbers and acronyms only, the sentence translated whole with them in it (what the translator
// tries first) with the sentence cut around them, and counts the whole translations that keep them all (keptInPlace).
import * as ort from 'onnxruntime-web';
import { resolve } from 'node:path';
import { OnnxModel } from '../src/engine/onnxModel';
import { Translator } from '../src/engine/translator';
import { assembleTranslation, keptInPlace, translationUnits } from '../src/engine/translationUnits';
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

/** Sentences of papers and documentation with numbers and acronyms, both ways (written for this measurement). */
const IN_PLACE_CASES: ['en' | 'ko', 'en' | 'ko', string][] = [
  ['en', 'ko', 'The Transformer allows for significantly more parallelization and can reach a new state of the art in translation quality after being trained for as little as twelve hours on eight P100 GPUs.'],
  ['en', 'ko', 'We trained the base models for a total of 100,000 steps or 12 hours.'],
  ['en', 'ko', 'On the WMT 2014 English-to-German translation task, the big transformer model outperforms the best previously reported models by more than 2.0 BLEU.'],
  ['en', 'ko', 'We used the Adam optimizer with a learning rate of 0.001.'],
  ['en', 'ko', 'We set the dropout rate to 0.1 for the base model.'],
  ['en', 'ko', 'The model was evaluated on the GLUE benchmark.'],
  ['en', 'ko', 'GPT-4 was released in 2023.'],
  ['en', 'ko', 'Training took 3.5 days on 8 GPUs.'],
  ['en', 'ko', 'The CNN and the RNN are compared in Table 2.'],
  ['en', 'ko', 'We use byte-pair encoding with a shared vocabulary of about 37000 tokens.'],
  ['en', 'ko', 'The API returns a JSON object.'],
  ['en', 'ko', 'Set the batch size to 32 and the learning rate to 3e-4.'],
  ['en', 'ko', 'The model has 65 million parameters.'],
  ['en', 'ko', 'BERT uses 12 layers in its base configuration.'],
  ['en', 'ko', 'The NLP community adopted the Transformer quickly.'],
  ['en', 'ko', 'Our model achieves 28.4 BLEU on the WMT 2014 English-to-German translation task.'],
  ['en', 'ko', 'The inner layer has dimensionality 2048.'],
  ['en', 'ko', 'We used a beam size of 4 and a length penalty of 0.6.'],
  ['en', 'ko', 'This costs about 5% more memory on the GPU.'],
  ['en', 'ko', 'We used eight GPUs for training.'],
  ['ko', 'en', '이 모델은 8개의 GPU에서 12시간 동안 학습되었다.'],
  ['ko', 'en', 'Transformer는 WMT 2014 영어-독일어 번역에서 28.4 BLEU를 달성했다.'],
  ['ko', 'en', '배치 크기를 32로 설정했다.'],
  ['ko', 'en', 'GPT-4는 2023년에 공개되었다.'],
  ['ko', 'en', 'BERT는 12개의 층을 사용한다.'],
  ['ko', 'en', '학습률은 0.001로 설정했다.'],
  ['ko', 'en', '이 API는 JSON 객체를 반환한다.'],
  ['ko', 'en', '드롭아웃 비율은 0.1이다.'],
  ['ko', 'en', '모델의 파라미터는 6500만 개이다.'],
  ['ko', 'en', 'RNN과 CNN의 비교는 표 2에 있다.'],
];

/** Each sentence whole (numbers and acronyms in it) and cut around them, side by side. */
async function measureInPlace(translator: Translator, beam: number) {
  let kept = 0;
  for (const [from, to, text] of IN_PLACE_CASES) {
    const whole = (await translator.translateSentence(text, from, to, { to, beam })).text;
    const pieces = translationUnits(text);
    const outputs: string[] = [];
    for (const p of pieces) outputs.push((await translator.translateSentence(p.text, from, to, { to, beam })).text);
    const cut = assembleTranslation(text, pieces, outputs, to !== 'ko');
    const ok = keptInPlace(text, whole);
    if (ok) kept++;
    console.log(`${ok ? 'ok ' : 'BAD'}\t${text}\n\twhole: ${whole}\n\tcut:   ${cut}`);
  }
  console.log(`== in place: ${kept}/${IN_PLACE_CASES.length} whole translations keep every number and acronym (beam ${beam})`);
}

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
  if (process.argv[3] === '--in-place') {
    await measureInPlace(translator, beam);
    await model.release();
    return;
  }
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
