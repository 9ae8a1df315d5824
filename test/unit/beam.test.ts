// Beam search on a toy decoder: greedy equals beam 1, and beam never ends with a worse model score than greedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, lengthPenalty, logSoftmaxRows, rankCandidates, rowCandidates, topK, type StepDecoder } from '../../src/engine/beam';

const V = 6;
const BOS = 0;
const EOS = 1;

/** A deterministic "model": logits depend on the whole prefix through a hash, so greedy can be led astray. */
function toyDecoder(seed: number): StepDecoder<number[][]> {
  const logitsFor = (prefix: number[]) => {
    const out = new Float32Array(V);
    let h = seed;
    for (const t of prefix) h = (h * 31 + t * 17 + 7) % 1009;
    for (let i = 0; i < V; i++) out[i] = Math.sin(h * (i + 1) * 0.37) * 3 + (i === EOS ? prefix.length * 0.35 - 1 : 0);
    return out;
  };
  return {
    vocab: V,
    start: () => [[BOS]],
    step: async (state, tokens) => {
      const next = state.map((p, i) => [...p, tokens[i]].slice(0, p.length === 1 && p[0] === BOS && tokens[i] === BOS ? 1 : undefined));
      const logits = new Float32Array(tokens.length * V);
      next.forEach((p, i) => logits.set(logitsFor(p), i * V));
      return { logits, state: next };
    },
    reorder: (state, parents) => parents.map((p) => state[p]),
  };
}

/** Plain greedy search written independently of beamSearch. */
async function greedy(dec: StepDecoder<number[][]>, maxSteps: number): Promise<{ tokens: number[]; score: number }> {
  let state = dec.start();
  let last = BOS;
  const tokens: number[] = [];
  let score = 0;
  for (let t = 0; t < maxSteps; t++) {
    const out = await dec.step(state, [last], 1);
    state = out.state;
    const lp = logSoftmaxRows(out.logits!, 1, V);
    const best = topK(lp, 1)[0];
    score += lp[best];
    tokens.push(best);
    if (best === EOS) break;
    last = best;
  }
  return { tokens, score };
}

test('beam 1 is exactly greedy search', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const g = await greedy(toyDecoder(seed), 12);
    const b = await beamSearch(toyDecoder(seed), { beam: 1, bos: BOS, eos: EOS, maxSteps: 12 });
    assert.deepEqual(b.tokens, g.tokens, `seed ${seed}`);
    assert.ok(Math.abs(b.score - g.score) < 1e-9);
  }
});

test('beam 4 never ends with a worse length-normalised score than greedy', async () => {
  let better = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const g = await beamSearch(toyDecoder(seed), { beam: 1, bos: BOS, eos: EOS, maxSteps: 12 });
    const b = await beamSearch(toyDecoder(seed), { beam: 4, bos: BOS, eos: EOS, maxSteps: 12 });
    const gNorm = g.score / lengthPenalty(g.tokens.length, 0.6);
    assert.ok(b.normalized >= gNorm - 1e-9, `seed ${seed}: beam ${b.normalized} < greedy ${gNorm}`);
    if (b.normalized > gNorm + 1e-9) better++;
  }
  assert.ok(better > 0, 'the toy model should make beam search find something greedy misses at least once');
});

test('topK orders by value and breaks ties by lower index', () => {
  assert.deepEqual(topK(Float64Array.from([1, 3, 3, 2, 3]), 3), [1, 2, 4]);
  assert.deepEqual(topK(Float64Array.from([5]), 3), [0]);
});

test('logSoftmaxRows rows exponentiate to 1', () => {
  const lp = logSoftmaxRows(Float32Array.from([1, 2, 3, 10, 10, 10]), 2, 3);
  for (const r of [0, 1]) assert.ok(Math.abs(Math.exp(lp[r * 3]) + Math.exp(lp[r * 3 + 1]) + Math.exp(lp[r * 3 + 2]) - 1) < 1e-12);
});

test('cancellation stops the search with a CancelledError', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(beamSearch(toyDecoder(3), { beam: 2, bos: BOS, eos: EOS, maxSteps: 12, signal: abort.signal }), { name: 'CancelledError' });
});

/** What beamSearch ranked before row candidates: the whole n x vocab table of row score + log p, by topK. */
function rankWholeTable(logits: Float32Array, scores: number[], m: number): { h: number; tok: number; score: number }[] {
  const n = scores.length;
  const lp = logSoftmaxRows(logits, n, V);
  const total = new Float64Array(n * V);
  for (let h = 0; h < n; h++) for (let i = 0; i < V; i++) total[h * V + i] = scores[h] + lp[h * V + i];
  return topK(total, m).map((flat) => ({ h: Math.floor(flat / V), tok: flat % V, score: total[flat] }));
}

test('ranking each row\'s best k gives exactly the whole table\'s ranking, ties included', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const n = 1 + (seed % 4);
    // Logits on a coarse grid and equal row scores for some seeds, so that ties between rows and ids happen.
    const logits = Float32Array.from({ length: n * V }, (_, i) => Math.round(Math.sin(seed * 7.1 + i * 1.3) * 4) / 2);
    const scores = Array.from({ length: n }, (_, h) => (seed % 3 === 0 ? -1 : -h * 0.25 - Math.cos(seed + h)));
    for (const beam of [1, 2, 4]) {
      const m = Math.min(2 * beam, n * V);
      const ranked = rankCandidates(rowCandidates(logits, n, V, Math.min(V, 2 * beam)), scores, m);
      assert.deepEqual(ranked, rankWholeTable(logits, scores, m), `seed ${seed}, beam ${beam}`);
    }
  }
});

test('a decoder that returns row candidates (a search step graph) searches exactly as one that returns logits', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const logitsDecoder = toyDecoder(seed);
    const candidatesDecoder: StepDecoder<number[][]> = {
      ...logitsDecoder,
      step: async (state, tokens, perRow) => {
        const out = await logitsDecoder.step(state, tokens, perRow);
        return { state: out.state, candidates: rowCandidates(out.logits!, tokens.length, V, perRow) };
      },
    };
    for (const beam of [1, 4]) {
      const opts = { beam, bos: BOS, eos: EOS, maxSteps: 12, topCandidates: 3 };
      assert.deepEqual(await beamSearch(candidatesDecoder, opts), await beamSearch(logitsDecoder, opts), `seed ${seed}, beam ${beam}`);
    }
  }
});

test('a decoder step with neither logits nor candidates is an error, not an empty search', async () => {
  const broken: StepDecoder<number> = { vocab: V, start: () => 0, step: async (s) => ({ state: s }), reorder: (s) => s };
  await assert.rejects(beamSearch(broken, { beam: 1, bos: BOS, eos: EOS, maxSteps: 3 }), /neither logits nor candidates/);
});
