// Issue 10 item 6, scenario 20: tokens a reader can read.
//   Pieces: no chip shows SentencePiece's ▁ (a bare ▁ piece is a faint ␣), never a raw <0xE2> or U+FFFD. Emoji never
//   reach the model (they are kept verbatim around the translated prose, src/engine/verbatim.ts), so byte pieces as
//   characters (☕₁ ☕₂ ☕₃) are checked on the real tokenizer in test/unit/tokenLabels.test.ts, not here. Words: the Pieces/Words toggle merges the strips into the selection's words (은행에 가서 돈을 찾았다)
//   and the heatmap into word × word (data-rows/cols = the chips), with a caption saying attention to a word is
//   summed over its pieces. A long Korean sentence's column labels (rotated for lack of room) are stacked upright:
//   see the screenshots.
// Independent of the model's quality: it checks the labels and sizes against the model's own pieces.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'word view: pieces merged into words, no byte pieces or ▁ chips';
export const timeout = 360_000;

const EMOJI = 'Coffee ☕ and tea ✨ are ready ⚡.';
const LONG_KO = '순환 신경망 없이 어텐션만으로 번역 모델을 만들 수 있을까?';
const FILE = `# 단어 보기\n\n${ac.KO_BANK}\n\n${EMOJI}\n\n${LONG_KO}\n`;

/** Chip labels, units and matrix size as the panel shows them. */
async function shown(f) {
  return {
    source: await ac.tokens(f, 'source'),
    target: await ac.tokens(f, 'target'),
    units: await f.locator('.token-strip.source').first().getAttribute('data-units'),
    heat: await ac.heatmapState(f),
    units2: await f.locator('canvas.heatmap-main').first().getAttribute('data-units'),
    caption: await ac.text(f, '.axis-caption'),
  };
}

async function chooseUnits(f, label) {
  await f.locator('#units-toggle button', { hasText: label }).first().click({ timeout: 10_000 });
}

/** Shows attention for the selection `text`; the panel's first sentence must be `first` (the whole text by default). */
async function showAttentionFor(ctx, page, text, first = text) {
  const { h } = ctx;
  await h.openFile(page, 'words.md');
  await h.selectText(page, text);
  await h.runCommand(page, ac.CMD.showAttention);
  const f = await ac.attentionFrame(page, { timeout: ac.MODEL_TIMEOUT });
  await h.waitFor(async () => {
    if (await ac.panelError(f)) throw Object.assign(new Error(`the panel shows an error: ${await ac.panelError(f)}`), { fatal: true });
    if (!(await ac.panelDone(f)) || !(await ac.text(f, '#translation'))) return null;
    // The strips may be in words: compare the pieces behind the chips (data-piece) with the selection.
    const pieces = (await ac.pieces(f, 'source')).flatMap((p) => p.split(' '));
    return ac.joinPieces(pieces) === first.replace(/\s+/g, '') ? true : null;
  }, { timeout: ac.MODEL_TIMEOUT, message: `the panel to show ${JSON.stringify(first)}` });
  return f;
}

export async function run(ctx) {
  const { h } = ctx;
  const { page } = await ctx.launch({ files: { 'words.md': FILE }, settings: { 'attentionCompanion.targetLanguage': 'en' }, open: 'words.md' });

  // ---- 1. Korean in pieces: syllables, bare ▁ pieces as a faint ␣, no ▁ anywhere.
  let f = await showAttentionFor(ctx, page, ac.KO_BANK);
  const pieces = await shown(f);
  ctx.log(`pieces: ${JSON.stringify(pieces)}`);
  assert.equal(pieces.units, 'pieces', 'the panel starts with pieces');
  assert.ok(pieces.source.every((l) => !l.includes('\u2581')), `no chip shows ▁: ${JSON.stringify(pieces.source)}`);
  const bare = await f.locator('.token-strip.source .token.special', { hasText: '␣' }).count();
  assert.ok(bare > 0, `the model's bare ▁ pieces are faint ␣ chips: ${JSON.stringify(pieces.source)}`);
  await ctx.screenshot('ko-pieces', page);

  // ---- 2. Words: the strips become the selection's words, the heatmap word × word.
  await chooseUnits(f, 'Words');
  await h.waitFor(async () => (await f.locator('.token-strip.source').first().getAttribute('data-units')) === 'words',
    { timeout: 10_000, message: 'the strips in words' });
  const words = await shown(f);
  ctx.log(`words: ${JSON.stringify(words)}`);
  assert.deepEqual(words.source.filter((l) => !/^<.*>$/.test(l)), ac.KO_BANK.split(' '), 'source words = the selection\'s words');
  assert.equal(words.units2, 'words');
  const sizes = { encoder: [words.source.length, words.source.length], cross: [words.target.length, words.source.length] };
  assert.deepEqual([Number(words.heat.rows), Number(words.heat.cols)], sizes[words.heat.kind] ?? [Number(words.heat.rows), Number(words.heat.cols)],
    `${words.heat.kind} heatmap is word × word`);
  assert.match(words.caption, /sum/i, `the caption says how words are merged: ${words.caption}`);
  await ac.changeAndExpectRedraw(f, '#kind-select', 'encoder');
  const enc = await ac.heatmapState(f);
  assert.deepEqual([Number(enc.rows), Number(enc.cols)], sizes.encoder, 'encoder attention: source words × source words');
  await ctx.screenshot('ko-words', page);
  await h.screenshotOf(f.locator('.tokens-section').first(), `${ctx.slug}-ko-words-strips`);

  // ---- 3. A line with emoji: the prose around them is translated, the emoji stay as they are; no chip is a raw byte.
  f = await showAttentionFor(ctx, page, EMOJI, 'Coffee');
  const emoji = await shown(f);
  ctx.log(`emoji (${emoji.units}): ${JSON.stringify(emoji.source)}`);
  assert.equal(emoji.units, 'words', 'the choice stays for the next translation');
  const translation = await ac.text(f, '#translation');
  for (const ch of ['☕', '✨', '⚡']) assert.ok(translation.includes(ch), `${ch} kept in the translation: ${JSON.stringify(translation)}`);
  await chooseUnits(f, 'Pieces');
  await h.waitFor(async () => (await f.locator('.token-strip.source').first().getAttribute('data-units')) === 'pieces',
    { timeout: 10_000, message: 'the strips in pieces' });
  const labels = await ac.tokens(f, 'source');   // the target is the model's: it may spell bytes that form no character
  ctx.log(`emoji line pieces: ${JSON.stringify(labels)}`);
  assert.ok(labels.every((l) => !/^<0x/i.test(l) && !l.includes('\ufffd')), `no raw byte piece, no U+FFFD: ${JSON.stringify(labels)}`);
  await ctx.screenshot('emoji-pieces', page);

  // ---- 4. A long Korean sentence: column labels that do not fit are stacked upright (screenshot).
  f = await showAttentionFor(ctx, page, LONG_KO);
  if ((await ac.value(f, '#kind-select')) !== 'encoder') await ac.changeAndExpectRedraw(f, '#kind-select', 'encoder');
  await h.screenshotOf(f.locator('.heatmap-scroll').first(), `${ctx.slug}-long-ko-pieces-heatmap`);
  await chooseUnits(f, 'Words');
  await h.waitFor(async () => (await f.locator('canvas.heatmap-main').first().getAttribute('data-units')) === 'words',
    { timeout: 10_000, message: 'the heatmap in words' });
  const long = await shown(f);
  ctx.log(`long words: ${JSON.stringify(long.source)}`);
  assert.deepEqual(long.source.filter((l) => !/^<.*>$/.test(l)), ['순환', '신경망', '없이', '어텐션만으로', '번역', '모델을', '만들', '수', '있을까', '?']);
  await h.screenshotOf(f.locator('.heatmap-scroll').first(), `${ctx.slug}-long-ko-words-heatmap`);
}
