// Sentence batching on the shipped model (WASM in Node): sentences decoded together (one decoder run per direction,
// their encoder runs grouped by length and put side by side) give exactly the tokens each gives alone, in both
// directions, greedy and beam 4; through translateMany (the CLI's lines) and through one text of many sentences (a
// selection). Sentences in a batch translate differently, so rows mixed up between them would change some
// sentence's tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { batchCap, batchKey, encoderGroups, sentenceBatches } from '../../src/engine/sentenceBatches';
import { Translator } from '../../src/engine/translator';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { Lang } from '../../src/shared/manifest';
import type { TranslationResult } from '../../src/shared/results';

const root = resolve(__dirname, '../../..');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

// Pairs and triples of similar sentences (they tend to share a token length), and sentences of lengths of their own.
const SENTENCES: Record<'en' | 'ko', string[]> = {
  en: [
    'Two dogs are playing in the snow.',
    'Two cats are sleeping in the sun.',
    'Three birds are singing in the tree.',
    'The model reads the whole sentence at once.',
    'The teacher reads the whole story at night.',
    'Each head looks at a different part of the input.',
    'Each child looks at a different page of the book.',
    'The Transformer is based solely on attention mechanisms.',
    'Returns a list of the words in the string.',
    'I went to the bank to get some money before the shop closed.',
    'Hello.',
    'We trained the base models for a total of 100,000 steps or 12 hours on one machine with eight GPUs.',
  ],
  ko: [
    '은행에 가서 돈을 찾았다.',
    '시장에 가서 책을 샀다.',
    '학교에 가서 친구를 만났다.',
    '오늘은 날씨가 정말 좋습니다.',
    '어제는 바람이 아주 셉니다.',
    '파일을 저장합니다.',
    '파일을 삭제합니다.',
    '이 모델은 문장 전체를 한 번에 읽습니다.',
    '그는 매일 아침 공원에서 달리기를 한다.',
    '회의는 다음 주 월요일 오후 세 시에 시작됩니다.',
    '안녕하세요.',
    '우리는 여덟 개의 그래픽 처리 장치가 있는 한 대의 컴퓨터에서 기본 모델을 열두 시간 동안 학습했습니다.',
  ],
};

const TARGET: Record<'en' | 'ko', Lang> = { en: 'ko', ko: 'en' };

/** Every sentence's target token ids, in order. */
const tokenIds = (results: TranslationResult[]) => results.flatMap((r) => r.sentences.map((s) => s.tgtTokens.map((t) => t.id)));

test('sentences decoded in batches give the tokens they give alone (WASM in Node)', async (t) => {
  const model = await OnnxModel.load(ort, fsPackage(defaultPackageDir(root)), 'wasm');
  const translator = new Translator(model);
  for (const from of ['en', 'ko'] as const) {
    const to = TARGET[from];
    const sentences = SENTENCES[from];
    // Encoder input lengths as the engine keys its batches: the target tag and </s> around the pieces.
    const lengths = sentences.map((s) => model.tokenizer.encode(s).ids.length + 2);
    const batches = sentenceBatches(lengths.map((n) => batchKey(`${from}>${to}`, n, model.padsSources)), batchCap(4));
    const shared = batches.filter((b) => b.length > 1);
    const groups = encoderGroups(lengths);
    t.diagnostic(`${from}→${to}: encoder input lengths ${lengths.join(' ')}; batches ${JSON.stringify(batches)}; encoder runs ${JSON.stringify(groups)}`);
    assert.ok(model.padsSources, 'the shipped package pads sources');
    assert.ok(shared.length >= 1 && shared.some((b) => new Set(b.map((i) => Math.ceil(lengths[i] / 8))).size >= 3),
      `${from}→${to}: the test needs a batch of sentences of three length buckets or more, got ${JSON.stringify(batches)}`);
    assert.ok(groups.some((g) => g.length > 1) && groups.some((g) => g.length === 1), `${from}→${to}: the test needs encoder runs of one and of several sentences`);
    // The encoder outputs side by side are each sentence's own: its positions as encoded alone (past them: masked).
    const pieces = sentences.map((s) => model.tokenizer.encode(s).ids);
    const together = await model.encodeBatch(pieces);
    const [Ld, B, H, S, dh] = together.crossK.dims;
    assert.equal(B, sentences.length);
    for (const i of [0, sentences.length - 1, groups.find((g) => g.length === 1)![0]]) {
      const n = pieces[i].length;
      const alone = await model.encode(pieces[i], false);
      const a = alone.crossK.data as Float32Array;
      const b = together.crossK.data as Float32Array;
      let diff = 0;
      for (let l = 0; l < Ld; l++) for (let h = 0; h < H; h++) for (let p = 0; p < S; p++) for (let d = 0; d < dh; d++) {
        if (p < n) diff = Math.max(diff, Math.abs(b[(((l * B + i) * H + h) * S + p) * dh + d] - a[((l * H + h) * n + p) * dh + d]));
      }
      assert.ok(diff < 1e-4, `sentence ${i}: cross_k side by side differs from alone by ${diff}`);
    }
    for (const beam of [1, 4]) {
      const opts = { from, to, beam };
      await t.test(`${from}→${to} beam ${beam}`, async () => {
        const alone: TranslationResult[] = [];
        for (const s of sentences) alone.push(await translator.translate(s, opts));
        const together = await translator.translateMany(sentences, opts);
        const aloneIds = tokenIds(alone);
        assert.deepEqual(tokenIds(together), aloneIds);
        together.forEach((r, i) => {
          assert.equal(r.text, alone[i].text, `sentence ${i}`);
          assert.ok(Math.abs(r.sentences[0].score - alone[i].sentences[0].score) < 1e-3, `sentence ${i}: score ${r.sentences[0].score} alone ${alone[i].sentences[0].score}`);
        });
        // Within a batch the sentences translate differently, so a row given to the wrong sentence would show.
        for (const b of shared) {
          assert.equal(new Set(b.map((i) => JSON.stringify(aloneIds[i]))).size, b.length, `sentences ${b} translate alike: the test could not see rows mixed up`);
        }
        // One text of all the sentences (a selection): its sentences are batched the same way.
        const paragraph = await translator.translate(sentences.join(' '), opts);
        assert.deepEqual(paragraph.sentences.map((s) => s.tgtTokens.map((x) => x.id)), aloneIds);
        if (beam !== 4) return;
        // With attention (the panel's requests) the search is batched too, and each sentence's attention comes after
        // it: the same tokens, and for sentences of shared batches and one alone, the attention they get alone.
        const shown = await translator.translate(sentences.join(' '), { ...opts, attention: true });
        assert.deepEqual(shown.sentences.map((s) => s.tgtTokens.map((x) => x.id)), aloneIds, 'with attention');
        // The panel's request (attention, partial results) goes sentence by sentence: the text grows from the start.
        const partials: number[] = [];
        const progress: number[] = [];
        const live = await translator.translate(sentences.join(' '), { ...opts, attention: true, onPartial: (x) => partials.push(x.done), onProgress: (d) => progress.push(d) });
        assert.deepEqual(live.sentences.map((s) => s.tgtTokens.map((x) => x.id)), aloneIds, 'in order, with attention');
        // Progress and partial results count the text's units (sentences with their numbers and acronyms in them); a
        // unit whose translation lost one is cut into several sentences of the result, and still counts once.
        const units = translator.sourceSpans(sentences.join(' ')).length;
        assert.equal(units, sentences.length, 'one unit per sentence');
        assert.deepEqual(partials, Array.from({ length: units }, (_, i) => i + 1), 'a partial result after each sentence, the last too: the whole text before the attention');
        assert.deepEqual(progress, Array.from({ length: units + 1 }, (_, i) => i), 'progress sentence by sentence');
        for (const i of [...shared[0].slice(0, 3), groups.find((g) => g.length === 1)![0]]) {
          const one = (await translator.translate(sentences[i], { ...opts, attention: true })).sentences[0].attention!;
          const got = shown.sentences[i].attention!;
          assert.ok(got, `sentence ${i} has attention`);
          for (const part of ['encoder', 'decoder', 'cross'] as const) {
            assert.deepEqual(got[part].dims, one[part].dims, `sentence ${i} ${part} dims`);
            const diff = got[part].data.reduce((m, x, j) => Math.max(m, Math.abs(x - one[part].data[j])), 0);
            assert.ok(diff < 1e-5, `sentence ${i} ${part} attention differs from alone by ${diff}`);
          }
        }
      });
    }
  }
  await model.release();
});
