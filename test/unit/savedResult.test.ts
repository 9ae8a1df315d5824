// The Attention panel's saved state: a result comes back from setState's JSON exactly (tensors bit for bit), in far
// fewer bytes than plain JSON numbers; the older plain form is still read; anything else is no result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64, restorePanelState, savePanelState } from '../../src/shared/savedResult';
import { typedArraysAsArrays } from '../../src/cli/jsonArrayFile';
import type { SentenceResult, Tensor, TranslationResult } from '../../src/shared/results';
import { softmaxTensor } from './fakes/attentionTensors';

const tokens = (n: number) => Array.from({ length: n }, (_, i) => ({ id: 10 + i, piece: `p${i}`, text: `p${i}`, start: i, end: i + 1 }));

function sentence(S: number, T: number, withQK: boolean): SentenceResult {
  const qk = (seed: number): Tensor => ({ dims: [4, 4, S, 8], data: Float32Array.from({ length: 4 * 4 * S * 8 }, (_, i) => Math.sin(i * seed) * 1e-3) });
  return {
    source: 'source', sourceOffset: 0, from: 'en', to: 'ko', text: 'text', srcTokens: tokens(S), tgtTokens: tokens(T), score: -1.5, normalizedScore: -0.5,
    attention: {
      encoder: softmaxTensor([4, 4, S, S], false, 3), decoder: softmaxTensor([2, 4, T, T], true, 4), cross: softmaxTensor([2, 4, T, S], false, 5),
      ...(withQK ? { queries: qk(1), keys: qk(2) } : {}),
    },
    steps: [{ chosen: 10, candidates: [{ id: 10, piece: 'p0', prob: 0.9 }] }],
  };
}

function result(): TranslationResult {
  const { attention: _dropped, ...rest } = sentence(3, 2, false);
  const plain: SentenceResult = { ...rest, attentionLeftOut: true };
  return { text: 'text', from: 'en', to: 'ko', backend: 'wasm', modelId: 'm', beam: 4, sentences: [sentence(30, 37, false), plain, sentence(5, 4, true)], millis: 12 };
}

/** What VS Code keeps of a state: its JSON. */
const throughJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('a saved result comes back from JSON with every tensor bit for bit and every other field as it was', () => {
  const r = result();
  const back = restorePanelState(throughJson(savePanelState(r)));
  assert.ok(back);
  assert.deepEqual(back, r);
  for (const [i, s] of back.sentences.entries()) {
    for (const [name, t] of Object.entries(s.attention ?? {})) {
      assert.ok(t.data instanceof Float32Array, `${name} is a Float32Array again`);
      assert.deepEqual(new Uint8Array(t.data.buffer), new Uint8Array(r.sentences[i].attention![name as 'encoder'].data.slice().buffer), `${name}: the same bytes`);
    }
  }
});

test('the saved state is a fraction of the result as plain JSON numbers', () => {
  const r = result();
  const saved = Buffer.byteLength(JSON.stringify(savePanelState(r)));
  const plain = Buffer.byteLength(JSON.stringify({ result: r }, typedArraysAsArrays));
  const values = r.sentences.reduce((n, s) => n + Object.values(s.attention ?? {}).reduce((m, t) => m + t.data.length, 0), 0);
  assert.ok(saved < values * 5.5 + 4000, `${saved} bytes for ${values} values`);           // base64: 5⅓ characters a value
  assert.ok(saved * 3 < plain, `saved ${saved} bytes, plain JSON ${plain}`);
});

test('the older saved form, tensors as arrays of numbers, is still read', () => {
  const r = result();
  const older = throughJson({ result: JSON.parse(JSON.stringify(r, typedArraysAsArrays)) });
  const back = restorePanelState(older);
  assert.deepEqual(back, r);
});

test('a state that holds no result, or a broken one, gives none', () => {
  const good = throughJson(savePanelState(result())) as { version: number; result: { sentences: { attention?: Record<string, { dims: number[]; float32: string }> }[] } };
  assert.equal(restorePanelState(undefined), undefined);
  assert.equal(restorePanelState(null), undefined);
  assert.equal(restorePanelState('text'), undefined);
  assert.equal(restorePanelState({ result: { text: 'x' } }), undefined);
  const broken = (change: (s: typeof good) => void) => { const s = structuredClone(good); change(s); return restorePanelState(s); };
  assert.equal(broken((s) => { s.result.sentences[0].attention!.encoder.float32 = 'AAAA'; }), undefined, 'too few values for the dims');
  assert.equal(broken((s) => { s.result.sentences[0].attention!.cross.float32 = '!!!!' + s.result.sentences[0].attention!.cross.float32.slice(4); }), undefined, 'not base64');
  assert.equal(broken((s) => { s.result.sentences[0].attention!.decoder.dims = [2, 4, -1, 37]; }), undefined, 'bad dims');
  assert.equal(broken((s) => { delete s.result.sentences[0].attention!.encoder; }), undefined, 'no encoder attention');
});

test('base64 matches Node\'s for every length around the chunk size, and reads back', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 12_287, 12_288, 12_289, 40_001]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7919 + (i >> 3)) & 255);
    const text = bytesToBase64(bytes);
    assert.equal(text, Buffer.from(bytes).toString('base64'), `${n} bytes`);
    assert.deepEqual(base64ToBytes(text), bytes);
  }
  assert.equal(base64ToBytes('abc'), undefined);
  assert.equal(base64ToBytes('ab=c'), undefined);
});
