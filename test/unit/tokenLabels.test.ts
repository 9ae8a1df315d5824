// The one token labelling rule (src/engine/tokenLabels.ts): specials, words, byte pieces grouped back into their
// character, controls and bidi marks shown as visible escapes; the panel and the companion show the same labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OnnxModel } from '../../src/engine/onnxModel';
import {
  SPACE_MARK, isSpecialPiece, isSpecialToken, pieceByte, pieceLabel, tokenLabels, visibleText,
} from '../../src/engine/tokenLabels';
import { Translator } from '../../src/engine/translator';
import { labelledResult } from '../../src/cli/labelledResult';
import type { SentenceResult, TokenInfo, TranslationResult } from '../../src/shared/results';
import { tokenTexts } from '../../webview/companion/ui';
import { axisGroups } from '../../webview/view/selection';
import { goldenTokenizer } from './tokenizerProperties';

const tok = (piece: string, text: string): Pick<TokenInfo, 'piece' | 'text'> => ({ piece, text });
const bytePiece = (x: number) => `<0x${x.toString(16).toUpperCase().padStart(2, '0')}>`;
const utf8 = (s: string) => [...new TextEncoder().encode(s)];

test('specials show their piece, other tokens their text; ▁ is a word-start flag, never a glyph', () => {
  const labels = tokenLabels([
    tok('<2ko>', '<2ko>'), tok('▁은행', '은행'), tok('에', '에'), tok('▁Straße', ' Straße '), tok('▁', ' '), tok('▁über', ''), tok('</s>', '</s>'),
  ]);
  assert.deepEqual(labels, [
    { text: '<2ko>', wordStart: false, special: true },
    { text: '은행', wordStart: true, special: false },
    { text: '에', wordStart: false, special: false },
    { text: 'Straße', wordStart: true, special: false },
    { text: SPACE_MARK, wordStart: false, special: true },
    { text: 'über', wordStart: true, special: false },
    { text: '</s>', wordStart: false, special: true },
  ]);
  assert.ok(labels.every((l) => !l.text.includes('▁')), 'no label shows ▁');
  assert.deepEqual(pieceLabel('▁bank'), { text: 'bank', wordStart: true, special: false });
  assert.deepEqual(pieceLabel('</s>'), { text: '</s>', wordStart: false, special: true });
  assert.deepEqual(pieceLabel('<0xEC>'), { text: '<0xEC>', wordStart: false, special: true }, 'a lone candidate byte has no character');
});

test('one special-token rule: tags and control pieces are special, byte pieces are not', () => {
  for (const p of ['<s>', '</s>', '<pad>', '<unk>', '<2en>', '<2ko>', '<2deu>']) assert.ok(isSpecialPiece(p), p);
  for (const p of ['<0xEB>', '<0x0A>', '▁<', '<', '<2>', '<s', 'bank']) assert.ok(!isSpecialPiece(p), p);
  assert.equal(isSpecialToken({ piece: '<0xEB>' }), false);
  assert.equal(pieceByte('<0xEB>'), 0xeb);
  assert.equal(pieceByte('<0xeb>'), 0xeb);
  assert.equal(pieceByte('<0xEBB>'), undefined);
});

test('byte pieces are grouped back into their character, numbered byte by byte', () => {
  const emoji = utf8('😀').map((b) => tok(bytePiece(b), ''));
  emoji[3].text = '😀';                                     // the target side: text on the byte that completes it
  const hangul = utf8('갃').map((b) => tok(bytePiece(b), '갃')); // the source side: every byte has the character's range
  const labels = tokenLabels([tok('▁A', 'A'), ...emoji, ...hangul, tok(bytePiece(0x0a), '\n'), tok('▁b', 'b')]).map((l) => l.text);
  assert.deepEqual(labels, ['A', '😀₁', '😀₂', '😀₃', '😀₄', '갃₁', '갃₂', '갃₃', '⏎', 'b']);
});

test('bytes that form no character show their piece, and do not swallow the characters around them', () => {
  const run = [0xf0, 0x9f, ...utf8('é'), 0x80, 0x41].map((b) => tok(bytePiece(b), ''));
  const labels = tokenLabels(run);
  assert.deepEqual(labels.map((l) => l.text), ['<0xF0>', '<0x9F>', 'é₁', 'é₂', '<0x80>', 'A']);
  assert.deepEqual(labels.map((l) => l.special), [true, true, false, false, true, false]);
});

test('controls and bidi marks become visible escapes, never raw and never U+FFFD', () => {
  assert.equal(visibleText('a\nb\r\nc\rd\te'), 'a⏎b⏎c⏎d⇥e');
  assert.equal(visibleText('x\u0000y\u001b\u007f\u0085'), 'x⟨U+0000⟩y⟨U+001B⟩⟨U+007F⟩⟨U+0085⟩');
  assert.equal(visibleText('ab\u202ecd'), 'ab⟨U+202E⟩cd');
  assert.equal(visibleText('\u200d'), '⟨U+200D⟩', 'a label of only a joiner would be invisible');
  assert.equal(visibleText('👨\u200d👩'), '👨\u200d👩', 'a joiner inside an emoji sequence stays');
  assert.equal(visibleText('\u3000'), '⟨U+3000⟩');
  assert.equal(visibleText('x\ud800y\ufffe'), 'x⟨U+D800⟩y⟨U+FFFE⟩');
  assert.equal(visibleText('שלום 은행 😀'), 'שלום 은행 😀', 'ordinary text of any script is kept');
  // Every bidi control and C0/C1 control is escaped wherever it stands.
  const controls = [0x061c, 0x200e, 0x200f, 0x2028, 0x2029, ...range(0x202a, 0x202e), ...range(0x2066, 0x2069), ...range(0, 0x1f), ...range(0x7f, 0x9f)];
  const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/;
  for (const cp of controls) {
    const c = String.fromCodePoint(cp);
    for (const t of [tokenLabels([tok('▁x', `x${c}y`)])[0].text, tokenLabels([tok(bytePiece(cp < 0x80 ? cp : 0x41), cp < 0x80 ? c : 'A')])[0].text, pieceLabel(`▁${c}`).text]) {
      assert.ok(!FORBIDDEN.test(t), `U+${cp.toString(16)}: ${JSON.stringify(t)}`);
      assert.ok(t.length > 0);
    }
  }
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

test('with the real tokenizer: source and target tokens of emoji and bidi text get readable labels', () => {
  const tk = goldenTokenizer();
  const source = 'Hi 😀 \u202eab';
  const enc = tk.encode(source);
  const src: TokenInfo[] = enc.ids.map((id, i) => ({ id, piece: enc.pieces[i], text: source.slice(...enc.offsets[i]), start: enc.offsets[i][0], end: enc.offsets[i][1] }));
  const labels = tokenLabels(src).map((l) => l.text).join(' ');
  assert.ok(!/\u202e|\ufffd|<0x/.test(labels), labels);
  assert.match(labels, /😀₁ 😀₂ 😀₃ 😀₄/);
  assert.match(labels, /⟨U\+202E⟩/);
  // The target side: the translator's own token texts (text only on the byte that completes a character).
  const translator = new Translator({ tokenizer: tk, manifest: { special: { eos: tk.eosId } } } as unknown as OnnxModel);
  const { tokens } = translator.detokenize([...tk.encode('ok').ids, ...utf8('🥥').map((b) => tk.pieceToId(bytePiece(b))), tk.eosId]);
  assert.deepEqual(tokenLabels(tokens).map((l) => l.text).slice(-5), ['🥥₁', '🥥₂', '🥥₃', '🥥₄', '</s>']);
});

test('the panel and the companion show the same label for the same piece', () => {
  const src = [tok('<2en>', '<2en>'), tok('▁An', 'An'), tok('▁', ' '), ...utf8('😀').map((b) => tok(bytePiece(b), '😀')), tok('</s>', '</s>')]
    .map((t, i) => ({ id: i, start: 0, end: 0, ...t }));
  const st = { source: 'An 😀', text: '', srcTokens: src, tgtTokens: [] } as unknown as SentenceResult;
  const panel = axisGroups(st, 'encoder', src.length, src.length, 'pieces').cols.map((g) => g.label.text);
  assert.deepEqual(tokenTexts(src), panel);
  assert.equal(panel[1], 'An', 'no ▁ in the panel either');
});

test("the CLI's attention records carry each sentence's labels by the same rule", () => {
  const srcTokens = [tok('<2ko>', '<2ko>'), tok('▁Hi', 'Hi'), tok('</s>', '</s>')].map((t, i) => ({ id: i, start: 0, end: 0, ...t }));
  const tgtTokens = utf8('😀').map((b, i) => ({ id: i, piece: bytePiece(b), text: i === 3 ? '😀' : '', start: 0, end: i === 3 ? 2 : 0 }));
  const r = labelledResult({ sentences: [{ srcTokens, tgtTokens } as unknown as SentenceResult] } as unknown as TranslationResult);
  assert.deepEqual(r.sentences[0].labels, { source: ['<2ko>', 'Hi', '</s>'], target: ['😀₁', '😀₂', '😀₃', '😀₄'] });
});
