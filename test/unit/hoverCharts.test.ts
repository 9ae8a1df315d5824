// What the hover inspector shows (src/hover/hoverCharts.ts): over source text the encoder row and the cross-attention
// column; over a written translation the cross-attention row and the decoder row; a pin changes only charts of its
// kind; "Pin this head" names the head it pins, and the hover then shows that head.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverFacts, readPin, strongestHead } from '../../src/hover/hoverCharts';
import type { SentenceResult, Tensor, TokenInfo } from '../../src/shared/results';

const tok = (text: string, i: number): TokenInfo => ({ id: i, piece: text, text, start: 0, end: 0 });

/** A [L, H, Q, K] tensor whose head (l, h) puts `peak` on key (q + shift(l, h)) % K and spreads the rest evenly. */
function peaked(L: number, H: number, Q: number, K: number, target: (l: number, h: number, q: number) => number, peak = 0.7): Tensor {
  const data: number[] = [];
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) {
    const t = target(l, h, q);
    for (let k = 0; k < K; k++) data.push(k === t ? peak : (1 - peak) / (K - 1));
  }
  return { dims: [L, H, Q, K], data: Float32Array.from(data) };
}

// Source: <2en> 은행 에 가서 </s> (S = 5); target: I went bank </s> (T = 4). Encoder 2 layers, decoder 1, 2 heads.
const src = ['<2en>', '은행', '에', '가서', '</s>'].map(tok);
const tgt = ['I', 'went', 'bank', '</s>'].map(tok);
const sentence: SentenceResult = {
  source: '은행에 가서', sourceOffset: 0, from: 'ko', to: 'en', text: 'I went bank', srcTokens: src, tgtTokens: tgt, score: 0, normalizedScore: 0,
  attention: {
    // Encoder layer 1 head 2 (0-based 0, 1) looks from 은행 (1) to 가서 (3) hardest.
    encoder: peaked(2, 2, 5, 5, (l, h, q) => (l === 0 && h === 1 && q === 1 ? 3 : q), 0.6),
    // Cross head 2 puts "bank" (2) on 은행 (1); head 1 on </s> (4), which is not worth pinning.
    cross: peaked(1, 2, 4, 5, (l, h, t) => (t === 2 ? (h === 1 ? 1 : 4) : 0), 0.8),
    decoder: peaked(1, 2, 4, 4, (l, h, t) => t, 0.9),
  },
};

test('over source text: what the word attends to (encoder) and which output attended to it (cross-attention)', () => {
  const f = hoverFacts(sentence, 'source', 1, undefined);
  assert.equal(f.label, '은행');
  assert.deepEqual(f.charts.map((c) => [c.role, c.kind, c.layer, c.head]), [['attendsTo', 'encoder', 1, 'mean'], ['attendedBy', 'cross', 0, 'mean']]);
  assert.equal(f.charts[0].bars[0].label, '은행', 'the last layer attends to itself most');
  assert.ok(f.charts[0].bars.length <= 4 && f.charts[1].bars.length <= 4);
  assert.deepEqual(f.strongest, { kind: 'encoder', layer: 0, head: 1 }, 'the head that looks elsewhere hardest');
});

test('a pin replaces the default only in charts of its kind, and the pinned head is the one shown', () => {
  const pin = hoverFacts(sentence, 'source', 1, undefined).strongest;
  const f = hoverFacts(sentence, 'source', 1, pin);
  assert.deepEqual([f.charts[0].layer, f.charts[0].head], [pin.layer, pin.head], '"Pin this head" shows the head it named');
  assert.equal(f.charts[0].bars[0].label, '가서', 'that head\'s strongest key');
  assert.deepEqual([f.charts[1].kind, f.charts[1].head], ['cross', 'mean'], 'the cross-attention chart keeps its default');
  const out = hoverFacts(sentence, 'source', 1, { kind: 'encoder', layer: 7, head: 0 });
  assert.equal(out.charts[0].head, 'mean', 'a pin outside this model is ignored');
});

test('over a written translation: which source words it looked at, and which earlier output it attended to', () => {
  const f = hoverFacts(sentence, 'target', 2, undefined);
  assert.equal(f.label, 'bank');
  assert.deepEqual(f.charts.map((c) => [c.role, c.kind]), [['looksAt', 'cross'], ['earlierOutput', 'decoder']]);
  assert.deepEqual(f.charts[1].bars.map((b) => b.label).sort(), ['<s>', 'I', 'went'].sort(), 'decoder inputs up to this step: <s> and the tokens before');
  assert.deepEqual(f.strongest, { kind: 'cross', layer: 0, head: 1 }, 'the head on a word, not on </s>');
  const pinned = hoverFacts(sentence, 'target', 2, f.strongest);
  assert.equal(pinned.charts[0].bars[0].label, '은행');
  assert.equal(pinned.charts[0].head, 1);
});

test('strongestHead skips the keys it is told to skip', () => {
  const t = peaked(1, 2, 1, 3, (l, h) => (h === 0 ? 0 : 2), 0.9);
  assert.deepEqual(strongestHead(t, 'cross', 0, () => true), { kind: 'cross', layer: 0, head: 0 });
  assert.deepEqual(strongestHead(t, 'cross', 0, (k) => k !== 0), { kind: 'cross', layer: 0, head: 1 });
});

test('readPin: pins saved before pins had a kind are encoder heads; anything malformed is no pin', () => {
  assert.deepEqual(readPin({ layer: 1, head: 2 }), { kind: 'encoder', layer: 1, head: 2 });
  assert.deepEqual(readPin({ kind: 'cross', layer: 0, head: 3 }), { kind: 'cross', layer: 0, head: 3 });
  for (const bad of [undefined, null, 3, {}, { layer: -1, head: 0 }, { layer: 0.5, head: 0 }, { kind: 'rollout', layer: 0, head: 0 }, { layer: '1', head: 0 }]) {
    assert.equal(readPin(bad), undefined, JSON.stringify(bad));
  }
});
