// The word view (src/engine/words.ts): pieces merged into words (Korean, byte groups, emoji clusters), attention
// summed over a word's pieces on the attended axis and averaged on the other, so merged rows still sum to 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowSums } from '../../src/engine/attention';
import {
  findWord, groupOf, groupWords, mergeMatrix, pieceGroups, tokensCovering, wordGroups, wordSpans, wordWeights, type TokenGroup,
} from '../../src/engine/words';
import type { Matrix, SentenceResult, Tensor, TokenInfo } from '../../src/shared/results';
import { selectView } from '../../webview/view/selection';
import { softmaxTensor } from './fakes/attentionTensors';

function tok(piece: string, text: string, start: number, end: number, id = 10): TokenInfo {
  return { id, piece, text, start, end };
}
const bytePiece = (x: number) => `<0x${x.toString(16).toUpperCase().padStart(2, '0')}>`;
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const close = (a: number, b: number, eps = 1e-6) => Math.abs(a - b) <= eps;

const SOURCE = 'The Law, its application.';
// <2ko> ▁The ▁Law , ▁it s ▁applica tion . </s>
const TOKENS: TokenInfo[] = [
  tok('<2ko>', '<2ko>', 0, 0), tok('▁The', 'The', 0, 3), tok('▁Law', ' Law', 3, 7), tok(',', ',', 7, 8), tok('▁it', ' it', 8, 11), tok('s', 's', 11, 12),
  tok('▁applica', ' applica', 12, 20), tok('tion', 'tion', 20, 24), tok('.', '.', 24, 25), tok('</s>', '</s>', 25, 25),
];

test('wordSpans: letter runs, and every other cluster alone (emoji with modifiers, flags, punctuation)', () => {
  const spans = (s: string) => wordSpans(s).map((x) => s.slice(x.start, x.end));
  assert.deepEqual(spans("It's 은행에 가서, ok!"), ["It's", '은행에', '가서', ',', 'ok', '!']);
  assert.deepEqual(spans('Hi 👋🏽🇰🇷 x'), ['Hi', '👋🏽', '🇰🇷', 'x']);
  assert.deepEqual(spans('e\u0301t\u00e9'), ['e\u0301t\u00e9']);
  assert.deepEqual(spans('   '), []);
});

test('special tokens and token cover', () => {
  assert.deepEqual(tokensCovering(TOKENS, SOURCE.indexOf('its'), SOURCE.indexOf('its') + 3), [4, 5]);
  assert.deepEqual(tokensCovering(TOKENS, 0, 3), [1]);
  // A bare ▁ piece (no text) does not join the word it precedes.
  const bare = [tok('<2en>', '<2en>', 0, 0), tok('▁', '', 0, 0), tok('은행', '은행', 0, 2), tok('에', '에', 2, 3)];
  assert.deepEqual(tokensCovering(bare, 0, 2), [2]);
  assert.deepEqual(tokensCovering([tok('▁', '', 0, 0)], 0, 1), [0]);
});

test('groupWords joins pieces into words and keeps punctuation apart', () => {
  const g = groupWords(SOURCE, TOKENS);
  assert.deepEqual(g.words.map((w) => w.text), ['The', 'Law', ',', 'its', 'application', '.']);
  assert.deepEqual(g.words.map((w) => w.tokens), [[1], [2], [3], [4, 5], [6, 7], [8]]);
  assert.deepEqual(g.tokenWord, [-1, 0, 1, 2, 3, 3, 4, 4, 5, -1]);
  assert.deepEqual(g.special, [0, 9]);
  assert.equal(findWord(g, 'law'), 1);
  assert.equal(findWord(g, 'missing'), -1);
  const row = [0.1, 0.05, 0.3, 0, 0.05, 0.05, 0.2, 0.1, 0.05, 0.1];
  const w = wordWeights(row, g);
  assert.deepEqual(w.words.map((x) => +x.toFixed(6)), [0.05, 0.3, 0, 0.1, 0.3, 0.05]);
  assert.deepEqual(w.special, [0.1, 0.1]);
});

test('Korean: a bare ▁ piece joins the next word; 은행 + 에 is one word', () => {
  const source = '은행에 가서';
  const tokens = [tok('<2en>', '<2en>', 0, 0), tok('▁', '', 0, 0), tok('은행', '은행', 0, 2), tok('에', '에', 2, 3), tok('▁가', ' 가', 3, 5), tok('서', '서', 5, 6), tok('</s>', '</s>', 6, 6)];
  const g = groupWords(source, tokens);
  assert.deepEqual(g.words.map((w) => [w.text, w.tokens]), [['은행에', [1, 2, 3]], ['가서', [4, 5]]]);
  const groups = wordGroups(source, tokens);
  assert.deepEqual(groups.map((x) => [x.label.text, x.tokens]), [['<2en>', [0]], ['은행에', [1, 2, 3]], ['가서', [4, 5]], ['</s>', [6]]]);
  assert.deepEqual(groups.map((x) => x.label.special), [true, false, false, true]);
});

test('wordGroups: every token in exactly one group, in order; byte pieces join their word', () => {
  // Source "Hi 😀!" tokenized as ▁Hi ▁ <F0><9F><98><80> ! with every byte on the emoji's range (as the tokenizer gives).
  const source = 'Hi 😀!';
  const e = source.indexOf('😀');
  const tokens = [tok('<2ko>', '<2ko>', 0, 0), tok('▁Hi', 'Hi', 0, 2), tok('▁', ' ', 2, 3),
    ...utf8('😀').map((b) => tok(bytePiece(b), '😀', e, e + 2)), tok('!', '!', e + 2, e + 3), tok('</s>', '</s>', 6, 6)];
  const groups = wordGroups(source, tokens);
  assert.deepEqual(groups.map((g) => g.label.text), ['<2ko>', 'Hi', '😀', '!', '</s>']);
  assert.deepEqual(groups.map((g) => g.tokens), [[0], [1], [2, 3, 4, 5, 6], [7], [8]]);
  assert.deepEqual(groups.map((g) => g.label.wordStart), [false, true, true, false, false], '"!" follows the emoji without a space');
  const all = groups.flatMap((g) => g.tokens).sort((a, b) => a - b);
  assert.deepEqual(all, tokens.map((_, i) => i));
  assert.equal(groupOf(groups, 4), 2);
  assert.equal(groupOf(groups, 99), -1);
  // The piece view: one group per token, the same labels as the one rule gives.
  assert.deepEqual(pieceGroups(tokens).map((g) => g.label.text), ['<2ko>', 'Hi', '␣', '😀₁', '😀₂', '😀₃', '😀₄', '!', '</s>']);
});

test('wordGroups of target tokens: the translation text, bytes without text until their character completes', () => {
  const text = 'ok 🥥';
  const tokens = [tok('▁ok', 'ok', 0, 2), tok('▁', '', 3, 3), tok('<0xF0>', '', 3, 3), tok('<0x9F>', '', 3, 3), tok('<0xA5>', '', 3, 3), tok('<0xA5>', '🥥', 3, 5), tok('</s>', '</s>', 5, 5)];
  assert.deepEqual(wordGroups(text, tokens).map((g) => [g.label.text, g.tokens]), [['ok', [0]], ['🥥', [1, 2, 3, 4, 5]], ['</s>', [6]]]);
});

function matrix(rows: number[][]): Matrix {
  return { rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) };
}
const group = (tokens: number[]): TokenGroup => ({ tokens, label: { text: tokens.join('+'), wordStart: true, special: false } });

test('mergeMatrix sums the attended pieces of a word and averages its querying pieces', () => {
  const m = matrix([
    [0.1, 0.2, 0.3, 0.4],
    [0.4, 0.3, 0.2, 0.1],
    [0.25, 0.25, 0.25, 0.25],
  ]);
  const rows = [group([0, 1]), group([2])];
  const cols = [group([0]), group([1, 2]), group([3])];
  const w = mergeMatrix(m, rows, cols);
  assert.equal(w.rows, 2);
  assert.equal(w.cols, 3);
  const got = Array.from(w.data, (x) => +x.toFixed(6));
  // Row 0: mean of rows 0 and 1 → [0.25, 0.25+0.25, 0.25]; row 1: row 2 summed over columns {1, 2}.
  assert.deepEqual(got, [0.25, 0.5, 0.25, 0.25, 0.5, 0.25]);
});

test('mergeMatrix preserves row sums (attention rows stay distributions) and column totals of single-piece rows', () => {
  let s = 3;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const Q = 7, K = 9;
  const data: number[] = [];
  for (let i = 0; i < Q; i++) {
    const row = Array.from({ length: K }, () => Math.exp(3 * rnd()));
    const z = row.reduce((a, b) => a + b, 0);
    data.push(...row.map((v) => v / z));
  }
  const m: Matrix = { rows: Q, cols: K, data: Float32Array.from(data) };
  const rows = [group([0]), group([1, 2, 3]), group([4, 5]), group([6])];
  const cols = [group([0, 1]), group([2]), group([3, 4, 5, 6]), group([7, 8])];
  const w = mergeMatrix(m, rows, cols);
  for (const sum of rowSums(w)) assert.ok(close(sum, 1), `merged row sums to ${sum}`);
  // A single-piece row keeps its total attention to each word: the sum of its pieces.
  assert.ok(close(w.data[0 * 4 + 2], data[3] + data[4] + data[5] + data[6]));
  // Whole-matrix total: the sum over row groups of their mean rows.
  const total = Array.from(w.data).reduce((a, b) => a + b, 0);
  assert.ok(close(total, rows.length));
});

test('the panel in words: every kind merges to word × word with rows that sum to 1; decoder columns start with <s>', () => {
  const src = [tok('<2en>', '<2en>', 0, 0), tok('▁은', '은', 0, 1), tok('행', '행', 1, 2), tok('에', '에', 2, 3), tok('▁가', ' 가', 3, 5), tok('서', '서', 5, 6), tok('</s>', '</s>', 6, 6)];
  const tgt = [tok('▁the', 'the', 0, 3), tok('▁ban', 'ban', 4, 7), tok('k', 'k', 7, 8), tok('</s>', '</s>', 8, 8)];
  const S = src.length, T = tgt.length;
  const st: SentenceResult = {
    source: '은행에 가서', sourceOffset: 0, from: 'ko', to: 'en', text: 'the bank', srcTokens: src, tgtTokens: tgt, score: -1, normalizedScore: -1,
    attention: { encoder: softmaxTensor([2, 2, S, S]), decoder: softmaxTensor([1, 2, T, T], true, 2), cross: softmaxTensor([1, 2, T, S], false, 3) },
  };
  const enc = selectView(st, { kind: 'encoder', layer: 1, head: 'mean' }, 'words');
  assert.deepEqual(enc.rows.map((g) => g.label.text), ['<2en>', '은행에', '가서', '</s>']);
  assert.deepEqual([enc.matrix.rows, enc.matrix.cols], [4, 4]);
  const cross = selectView(st, { kind: 'cross', layer: 0, head: 1 }, 'words');
  assert.deepEqual(cross.rows.map((g) => g.label.text), ['the', 'bank', '</s>']);
  assert.deepEqual(cross.cols.map((g) => g.label.text), ['<2en>', '은행에', '가서', '</s>']);
  const dec = selectView(st, { kind: 'decoder', layer: 0, head: 0 }, 'words');
  assert.deepEqual(dec.cols.map((g) => [g.label.text, g.tokens]), [['<s>', [0]], ['the', [1]], ['bank', [2, 3]]]);
  for (const v of [enc, cross, dec, selectView(st, { kind: 'rollout', layer: 1, head: 'mean' }, 'words')]) {
    for (const sum of rowSums(v.matrix)) assert.ok(close(sum, 1, 1e-5), `row sums to ${sum}`);
  }
  // Pieces: the matrix as the model gave it.
  const pieces = selectView(st, { kind: 'cross', layer: 0, head: 1 }, 'pieces');
  assert.deepEqual([pieces.matrix.rows, pieces.matrix.cols], [T, S]);
});
