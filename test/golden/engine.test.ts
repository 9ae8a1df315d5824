// The TypeScript engine (onnxruntime-web, WASM, in Node) against the references PyTorch wrote for the same package.
// AC_GOLDEN_PACKAGE / AC_GOLDEN_FILE point it at another package (CI's freshly trained tiny one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Translator } from '../../src/engine/translator';
import { beamSearch, maxTargetLength } from '../../src/engine/beam';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import type { Lang } from '../../src/shared/manifest';

interface GoldenStep { input: number; logits: number[]; top5: number[]; decAttn: number[]; crossAttn: number[] }
interface GoldenSentence {
  from: Lang; to: Lang; text: string; srcIds: number[]; encAttnRow: number[]; steps: GoldenStep[];
  greedy: { ids: number[]; text: string; score: number; /** top-1 minus top-2 logit at each greedy choice */ margins?: number[] }; beam: { ids: number[]; text: string; score: number };
}
interface Golden { package: string; weightsSha256: string; tolerance: { logits: number; attention: number }; sentences: GoldenSentence[] }

const root = resolve(__dirname, '../../..');
const packageDir = process.env.AC_GOLDEN_PACKAGE ?? defaultPackageDir(root);
const goldenFile = process.env.AC_GOLDEN_FILE ?? join(root, 'test/fixtures/engine-golden.json');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Whether the shortlisted search step for `target` can choose `ids[at]` after `ids[0..at)`: teacher-forced along
 * them, its last step asked for every id it keeps.
 */
async function shortlistHas(model: OnnxModel, srcIds: number[], target: Lang, ids: number[], at: number): Promise<boolean> {
  const dec = model.stepDecoder(await model.encode(srcIds, false), false, target);
  let state = dec.start();
  let candidates: Int32Array | undefined;
  for (const token of [model.manifest.special.bos, ...ids.slice(0, at)]) {
    const out = await dec.step(state, [token], dec.vocab);
    state = out.state;
    candidates = out.candidates!.ids;
  }
  return candidates!.includes(at < ids.length ? ids[at] : model.manifest.special.eos);      // past the end: </s>
}

/** Every token the target language's shortlisted search step can choose (one step offers all of them). */
async function shortlistTokens(model: OnnxModel, srcIds: number[], target: Lang): Promise<Set<number>> {
  const dec = model.stepDecoder(await model.encode(srcIds, false), false, target);
  const out = await dec.step(dec.start(), [model.manifest.special.bos], dec.vocab);
  dec.release?.(out.state);
  return new Set(out.candidates!.ids);
}

test('engine matches the PyTorch references', { skip: !existsSync(goldenFile) && 'no golden file' }, async (t) => {
  const golden: Golden = JSON.parse(readFileSync(goldenFile, 'utf8'));
  const model = await OnnxModel.load(ort, fsPackage(packageDir), 'wasm');
  const weights = readFileSync(join(packageDir, model.manifest.weights));
  assert.equal(createHash('sha256').update(weights).digest('hex'), golden.weightsSha256,
    `${goldenFile} was written for other weights: run models/training/golden.py for ${packageDir}`);
  const translator = new Translator(model);
  const { bos, eos } = model.manifest.special;
  let beamDiffers = 0;
  let greedyTies = 0;
  let outsideShortlist = 0;
  let shortlistRenormalized = 0;
  /** Whether beam 4 over the full vocabulary (the search step graph without a shortlist) gives `ids`. */
  const fullVocabularyBeamIs = async (srcIds: number[], ids: number[]) => {
    const best = await beamSearch(model.stepDecoder(await model.encode(srcIds, false), false, undefined), {
      beam: 4, bos, eos, maxSteps: maxTargetLength(srcIds.length, model.manifest.dims.maxLen), alpha: model.manifest.decoding?.lengthPenalty ?? 0.6,
    });
    return JSON.stringify(best.tokens.filter((x) => x !== eos)) === JSON.stringify(ids);
  };
  for (const s of golden.sentences) {
    await t.test(`${s.from}→${s.to}: ${s.text}`, async () => {
      const ids = model.tokenizer.encode(s.text).ids;
      assert.deepEqual([model.manifest.special.tags[s.to], ...ids, eos], s.srcIds, 'encoder input ids');

      const enc = await model.encode(s.srcIds, true);
      const [Le, H, S] = enc.encAttn!.dims;
      const row = enc.encAttn!.data.slice((((Le - 1) * H + 0) * S + 1) * S, (((Le - 1) * H + 0) * S + 2) * S);
      assert.ok(maxDiff(row, s.encAttnRow) < golden.tolerance.attention * 10, 'encoder attention row');

      // Teacher-forced steps along the greedy output: logits and attention rows.
      const dec = model.stepDecoder(enc, true);
      let state = dec.start();
      for (const [i, step] of s.steps.entries()) {
        const out = await dec.step(state, [step.input], 5);
        state = out.state;
        const logits = out.logits!.slice(0, step.logits.length);
        assert.ok(maxDiff(logits, step.logits) < golden.tolerance.logits, `step ${i} logits differ by ${maxDiff(logits, step.logits)}`);
        const rows = out.rows!.perHypothesis[0] as { dec: Float32Array; cross: Float32Array };
        const Ld = model.manifest.dims.decoderLayers;
        const k = i + 1;
        assert.ok(maxDiff(rows.dec.slice((Ld - 1) * H * k, (Ld - 1) * H * k + k), step.decAttn) < golden.tolerance.attention * 10, `step ${i} decoder attention`);
        assert.ok(maxDiff(rows.cross.slice((Ld - 1) * H * S, (Ld - 1) * H * S + S), step.crossAttn) < golden.tolerance.attention * 10, `step ${i} cross attention`);
      }

      // The attention a translation shows: all steps in one run of the decoderAttn graph (or, without it, the attention
      // step graph along the tokens), row t the step that fed steps[t].input.
      const T = s.steps.length;
      const forced = await model.targetAttention(enc, [...s.steps.slice(1).map((st) => st.input), eos]);
      const lastLayer = (model.manifest.dims.decoderLayers - 1) * H;               // head 0 of the last layer
      for (const [i, step] of s.steps.entries()) {
        const decRow = forced.decoder.data.subarray((lastLayer * T + i) * T, (lastLayer * T + i + 1) * T);
        assert.ok(maxDiff(decRow.subarray(0, i + 1), step.decAttn) < golden.tolerance.attention * 10, `one run: step ${i} decoder attention`);
        assert.ok(decRow.subarray(i + 1).every((x) => x === 0), `one run: step ${i} attends to later tokens`);
        const crossRow = forced.cross.data.subarray((lastLayer * T + i) * S, (lastLayer * T + i + 1) * S);
        assert.ok(maxDiff(crossRow, step.crossAttn) < golden.tolerance.attention * 10, `one run: step ${i} cross attention`);
      }

      // Plain translation runs the search step graph (top-k and the beam reorder inside) when the package has one,
      // shortlisted to the target language's tokens when it has that: greedy must pick PyTorch's ids through both.
      const plain = model.stepDecoder(await model.encode(s.srcIds, false), false);
      const first = await plain.step(plain.start(), [bos], 2);
      assert.equal(first.candidates !== undefined, model.manifest.graphs.decoderStepSearch !== undefined, 'step graph of plain translation');
      const targets = model.manifest.searchShortlists?.[s.to] ? [undefined, s.to] : [undefined];
      for (const target of targets) {
        const graph = target ? `the ${target} shortlist` : 'the full vocabulary';
        const greedy = await beamSearch(model.stepDecoder(await model.encode(s.srcIds, false), false, target), { beam: 1, bos, eos, maxSteps: Math.min(model.manifest.dims.maxLen - 1, 2 * s.srcIds.length + 10) });
        const greedyIds = greedy.tokens.filter((x) => x !== eos);
        const at = greedyIds.findIndex((id, i) => id !== s.greedy.ids[i]);
        const differsAt = at >= 0 ? at : greedyIds.length !== s.greedy.ids.length ? Math.min(greedyIds.length, s.greedy.ids.length) : -1;
        if (differsAt < 0) {
          assert.equal(translator.detokenize(greedy.tokens).text, s.greedy.text, `greedy text, ${graph}`);
        } else if (target && !(await shortlistHas(model, s.srcIds, target, s.greedy.ids, differsAt))) {
          // PyTorch chose a token the target language's training text never used: the shortlist leaves it out.
          outsideShortlist++;
          t.diagnostic(`greedy output (${graph}) differs at token ${differsAt}: PyTorch's token ${s.greedy.ids[differsAt]} is not in the shortlist`);
        } else {
          // Only where PyTorch's two best logits were closer than the logit tolerance may float rounding pick the
          // other one (and the rest of the output with it); anywhere else a different token is a bug.
          const margin = s.greedy.margins?.[differsAt];
          assert.ok(margin !== undefined && margin < golden.tolerance.logits,
            `greedy output (${graph}) differs at token ${differsAt} (PyTorch's two best logits ${margin} apart): ${JSON.stringify(greedyIds)} vs ${JSON.stringify(s.greedy.ids)}`);
          greedyTies++;
          t.diagnostic(`greedy output (${graph}) differs at token ${differsAt}, a tie: PyTorch's two best logits ${margin} apart`);
        }
      }

      const beam = await translator.translateSentence(s.text, s.from, s.to, { to: s.to, beam: 4 });
      const beamIds = beam.tgtTokens.map((x) => x.id).filter((x) => x !== eos);
      if (JSON.stringify(beamIds) !== JSON.stringify(s.beam.ids)) {
        const shortlist = model.manifest.searchShortlists?.[s.to] ? await shortlistTokens(model, s.srcIds, s.to) : undefined;
        const outside = shortlist ? s.beam.ids.filter((id) => !shortlist.has(id)) : [];
        if (outside.length > 0) {
          // As for greedy: PyTorch's beam went through tokens the target language's shortlist leaves out.
          outsideShortlist++;
          t.diagnostic(`beam output differs: "${beam.text}" vs PyTorch "${s.beam.text}", whose tokens ${outside.join(', ')} are not in the shortlist`);
        } else if (shortlist && await fullVocabularyBeamIs(s.srcIds, s.beam.ids)) {
          // Every token of PyTorch's beam is in the list, and over the full vocabulary the engine finds that beam:
          // the list's log-sum-exp leaves out the probability of the tokens it drops, which raises each step's
          // scores a little, and more for the longer hypothesis. That renormalization, not the arithmetic, chose.
          shortlistRenormalized++;
          t.diagnostic(`beam output with the ${s.to} shortlist differs: "${beam.text}" vs PyTorch "${s.beam.text}" (over the full vocabulary: PyTorch's)`);
        } else {
          // Near-ties between hypotheses may flip with float differences; the score must then be as good.
          beamDiffers++;
          t.diagnostic(`beam output differs: "${beam.text}" vs PyTorch "${s.beam.text}"`);
        }
      }
    });
  }
  assert.ok(beamDiffers <= 1, `${beamDiffers} beam outputs differ from PyTorch's`);
  assert.ok(shortlistRenormalized <= golden.sentences.length / 4, `${shortlistRenormalized} beam outputs changed by the shortlist's renormalization`);
  assert.ok(greedyTies <= 2, `${greedyTies} greedy outputs differ from PyTorch's at ties`);
  if (outsideShortlist) t.diagnostic(`${outsideShortlist} shortlisted greedy or beam outputs differ where PyTorch chose a token outside the shortlist`);
  assert.ok(outsideShortlist <= golden.sentences.length / 4, `${outsideShortlist} shortlisted greedy or beam outputs left PyTorch's path through tokens outside the shortlist`);
  await model.release();
});
