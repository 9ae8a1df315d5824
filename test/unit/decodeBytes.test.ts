// Decoding never shows broken bytes: byte pieces that form no UTF-8 character are dropped (no U+FFFD), characters
// whose bytes are complete survive, and the translator's per-token texts follow the same rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OnnxModel } from '../../src/engine/onnxModel';
import { Translator } from '../../src/engine/translator';
import { goldenTokenizer, show } from './tokenizerProperties';

const tok = goldenTokenizer();
/** The id of the byte piece <0xXX>. */
const b = (x: number) => tok.pieceToId(`<0x${x.toString(16).toUpperCase().padStart(2, '0')}>`);
const bytes = (...xs: number[]) => xs.map(b);
const utf8 = (s: string) => [...new TextEncoder().encode(s)];

test('every byte piece has its own id (the crafted sequences below use them)', () => {
  for (let x = 0; x < 256; x++) assert.notEqual(b(x), tok.unkId, `no piece for byte ${x}`);
});

test('byte runs that form no character decode to nothing, not U+FFFD', () => {
  const broken: [string, number[]][] = [
    ['lone continuation bytes', [0x80, 0xbf]],
    ['a truncated 4-byte sequence (emoji without its last byte)', [0xf0, 0x9f, 0x98]],
    ['overlong forms', [0xc0, 0xaf, 0xe0, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['bytes that never occur in UTF-8', [0xfe, 0xff, 0xf8, 0xc1]],
    ['a lead byte followed by ASCII', [0xe4, 0x41]],
  ];
  for (const [what, run] of broken) {
    const text = tok.decode(bytes(...run));
    assert.ok(!text.includes('\ufffd'), `${what}: ${show(text)}`);
    assert.equal(text, run.includes(0x41) ? 'A' : '', what);
  }
});

test('complete characters survive between broken bytes', () => {
  const ids = [...bytes(0xf0, 0x9f), ...bytes(...utf8('😀')), ...bytes(0xbf), ...tok.encode(' ok').ids, ...bytes(0xe4, 0xb8), ...bytes(...utf8('é'))];
  assert.equal(tok.decode(ids), '😀 oké');
  // U+FFFD written by the user is a character like any other: its three bytes decode to it.
  assert.equal(tok.decode(bytes(...utf8('\ufffd'))), '\ufffd');
});

test('seeded random byte runs mixed with pieces never decode to U+FFFD', () => {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const word = tok.encode('word').ids;
  for (let round = 0; round < 2000; round++) {
    const ids: number[] = [];
    const n = 1 + Math.floor(next() * 12);
    for (let i = 0; i < n; i++) {
      if (next() < 0.2) ids.push(...word);
      else ids.push(b(Math.floor(next() * 256)));
    }
    const text = tok.decode(ids);
    assert.ok(!text.includes('\ufffd'), `ids ${ids.join(',')} decode to ${show(text)}`);
  }
});

test("the translator's token texts and ranges carry no broken bytes either", () => {
  const eos = tok.eosId;
  const translator = new Translator({ tokenizer: tok, manifest: { special: { eos } } } as unknown as OnnxModel);
  const ids = [...tok.encode('Hi').ids, ...bytes(0xf0, 0x9f, 0xa5), ...bytes(...utf8('🥥')), ...bytes(0x80, 0x80), eos];
  const { text, tokens } = translator.detokenize(ids);
  assert.equal(text, 'Hi🥥');
  assert.equal(tokens.length, ids.length);
  for (const t of tokens) {
    assert.ok(!t.text.includes('\ufffd'), show(t.text));
    assert.ok(t.start >= 0 && t.start <= t.end && t.end <= text.length, `${t.start}..${t.end} outside ${show(text)}`);
  }
  // The emoji's text sits on the byte piece that completes it; the broken bytes around it have empty ranges.
  const withText = tokens.filter((t) => t.piece.startsWith('<0x') && t.text !== '');
  assert.deepEqual(withText.map((t) => t.text), ['🥥']);
});
