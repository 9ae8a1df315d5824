// Sentence batching without a model: which sentences share a batch, and a batch of searches on a toy decoder gives
// every sentence exactly what beamSearch gives it alone, with finished sentences leaving the batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, searchBatch, SentenceSearch, type BeamOptions, type Hypothesis, type StepDecoder } from '../../src/engine/beam';
import { batchCap, batchKey, encoderGroups, LENGTH_BUCKET, MAX_BATCH_ROWS, sentenceBatches } from '../../src/engine/sentenceBatches';

const V = 7;
const BOS = 0;
const EOS = 1;

/** A row of the toy decoder: the sentence it decodes (its seed) and the tokens fed so far. */
interface Row { seed: number; prefix: number[] }

/** Logits that depend on the sentence and its whole prefix through a hash; </s> grows likelier with length. */
function logitsFor(seed: number, prefix: number[]): Float32Array {
  const out = new Float32Array(V);
  let h = seed;
  for (const t of prefix) h = (h * 31 + t * 17 + 7) % 1009;
  for (let i = 0; i < V; i++) out[i] = Math.sin(h * (i + 1) * 0.37) * 3 + (i === EOS ? prefix.length * 0.3 - 1.2 : 0);
  return out;
}

/** Decodes the sentences `seeds` (one row each at the start); records how many rows each step ran. */
function toyDecoder(seeds: number[], stepRows: number[] = []): StepDecoder<Row[]> {
  return {
    vocab: V,
    start: () => seeds.map((seed) => ({ seed, prefix: [] })),
    step: async (state, tokens) => {
      assert.equal(tokens.length, state.length, 'one token per row');
      stepRows.push(tokens.length);
      const next = state.map((r, i) => ({ seed: r.seed, prefix: [...r.prefix, tokens[i]] }));
      const logits = new Float32Array(tokens.length * V);
      next.forEach((r, i) => logits.set(logitsFor(r.seed, r.prefix), i * V));
      return { logits, state: next };
    },
    reorder: (state, parents) => parents.map((p) => state[p]),
  };
}

const options = (beam: number, maxSteps = 14): BeamOptions => ({ beam, bos: BOS, eos: EOS, maxSteps, topCandidates: 3 });

for (const beam of [1, 2, 4]) {
  test(`beam ${beam}: sentences searched together get what each gets alone, and finished ones leave the batch`, async () => {
    const seeds = [3, 17, 29, 41, 58, 73, 88, 101, 140, 222];
    const alone: Hypothesis[] = [];
    for (const seed of seeds) alone.push(await beamSearch(toyDecoder([seed]), options(beam)));
    const stepRows: number[] = [];
    const searches = seeds.map(() => new SentenceSearch(options(beam), V));
    await searchBatch(toyDecoder(seeds, stepRows), searches);
    searches.forEach((s, i) => {
      const best = s.best();
      assert.deepEqual(best.tokens, alone[i].tokens, `sentence ${i}`);
      assert.equal(best.score, alone[i].score);
      assert.deepEqual(best.steps, alone[i].steps);
    });
    assert.ok(new Set(alone.map((h) => h.tokens.length)).size > 1, 'the sentences should finish at different steps');
    assert.equal(stepRows[0], seeds.length, 'the first step runs one row per sentence');
    assert.ok(stepRows[stepRows.length - 1] < seeds.length * beam, 'finished sentences left the batch');
    for (let i = 1; i < stepRows.length; i++) assert.ok(stepRows[i] <= Math.max(stepRows[i - 1], seeds.length * beam));
  });
}

test('a batch stops at the first abort, before the next step', async () => {
  const abort = new AbortController();
  const dec = toyDecoder([1, 2]);
  const step = dec.step;
  let steps = 0;
  dec.step = (s, t, k) => {
    if (++steps === 3) abort.abort();
    return step(s, t, k);
  };
  await assert.rejects(searchBatch(dec, [new SentenceSearch(options(4, 50), V), new SentenceSearch(options(4, 50), V)], abort.signal), { name: 'CancelledError' });
  assert.equal(steps, 3);
});

test('sentenceBatches: equal keys share a batch up to the cap, batches in order of their first sentence', () => {
  assert.deepEqual(sentenceBatches(['a', 'b', 'a', undefined, 'b', 'a', 'a', 'c'], 3), [[0, 2, 5], [1, 4], [3], [6], [7]]);
  assert.deepEqual(sentenceBatches([undefined, undefined], 4), [[0], [1]]);
  assert.deepEqual(sentenceBatches([], 4), []);
  assert.deepEqual(sentenceBatches(['x', 'x', 'x'], 1), [[0], [1], [2]]);
  assert.throws(() => sentenceBatches(['x'], 0), /at least one sentence/);
});

test('batchCap: rows per batch divided among the beams, at least one sentence', () => {
  assert.equal(batchCap(1), MAX_BATCH_ROWS);
  assert.equal(batchCap(4), MAX_BATCH_ROWS / 4);
  assert.equal(batchCap(16, 8), 1);
  assert.equal(batchCap(3, 32), 10);
});

test('batch keys: equal lengths for graphs without a padding mask, one direction for graphs with one', () => {
  assert.notEqual(batchKey('en>ko', 12, false), batchKey('en>ko', 13, false));
  assert.equal(batchKey('en>ko', 12, false), batchKey('en>ko', 12, false));
  assert.equal(batchKey('en>ko', 3, true), batchKey('en>ko', 90, true), 'padded: any lengths share a decoder run');
  assert.notEqual(batchKey('en>ko', 12, true), batchKey('ko>en', 12, true), 'one direction per batch');
  const keys = [5, 30, 7, 12, 3].map((n) => batchKey('de>en', n, true));
  assert.deepEqual(sentenceBatches(keys, 8), [[0, 1, 2, 3, 4]]);
  assert.deepEqual(sentenceBatches(keys, 2), [[0, 1], [2, 3], [4]], 'in order, at most the cap');
});

test('encoder groups: lengths of one bucket share an encoder run, in order of their first sentence', () => {
  assert.equal(LENGTH_BUCKET, 8);
  assert.deepEqual(encoderGroups([5, 30, 7, 12, 3, 16, 17]), [[0, 2, 4], [1], [3, 5], [6]], '1-8, 25-32, 9-16, 17-24');
  assert.deepEqual(encoderGroups([40]), [[0]]);
  assert.deepEqual(encoderGroups([]), []);
});
