// Issue 10 item 2, the hover inspector survives edits: with output = insertBelow the translation is written under
// its source and gets a hover of its own (which source words it looked at); typing above both moves their ranges
// (both hovers still there); typing inside the source drops only the source's hover, the translation keeps its own.
import assert from 'node:assert/strict';
import * as ac from '../ac.mjs';

export const name = 'hover after an edit: ranges move with the text; a translation written below gets a hover';
export const timeout = 420_000;

/** Waits for the attention hover over `word` of `line`, returns its state; closes it after. */
async function hoverOver(ctx, page, line, word, label) {
  const how = await ac.showAttentionHover(page, line.trim(), word);
  const hv = await ac.hoverState(page);
  ctx.log(`hover over ${word} (${how.how}, ${label}): ${hv.text.slice(0, 160)}`);
  return hv;
}

async function closeHover(page) {
  await page.mouse.move(5, 890);
  await ac.hoverWidget(page).first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => page.keyboard.press('Escape'));
}

export async function run(ctx) {
  const { h } = ctx;
  const { page, server } = await ctx.launch({ settings: { 'attentionCompanion.output': 'insertBelow' }, open: 'sample.md' });

  // ---- 1. Translate with output = insertBelow: the translation lands on the next line.
  await ac.selectInSample(page, ac.KO_BANK);
  await h.runCommand(page, ac.CMD.translate);
  // The document on disk (saved each time): the line below the sentence holds the translation.
  const doc = await h.waitFor(async () => {
    await h.saveActive(page);
    const t = server.readWorkspaceFile('sample.md');
    const lines = t.split('\n');
    const i = lines.indexOf(ac.KO_BANK);
    return i >= 0 && lines[i + 1]?.trim() ? t : null;
  }, { timeout: ac.MODEL_TIMEOUT, interval: 1_000, message: 'the translation on the line below the sentence' });
  const translation = doc.split('\n')[doc.split('\n').indexOf(ac.KO_BANK) + 1];
  ctx.log(`translation written below: ${JSON.stringify(translation)}`);
  assert.ok(translation && !ac.HANGUL.test(translation), `an English line below the Korean one: ${JSON.stringify(translation)}`);
  const firstWord = translation.trim().split(/\s+/)[0].replace(/[^\p{L}\p{N}]+$/u, '') || translation.trim()[0];

  // Both ranges are marked, and the translation explains itself.
  await ac.revealText(page, ac.KO_BANK);
  await h.waitFor(async () => (await ac.dottedUnderlines(page, translation.trim()))?.marks.length, { timeout: 10_000, message: 'the underline of the written translation' });
  const target = await hoverOver(ctx, page, translation, firstWord, 'the written translation');
  assert.match(target.text, /Attention for\s*["“][^"”]+["”]\s*\(translation\)/, target.text);
  const svgs = target.images.filter((i) => i.src.startsWith('data:image/svg+xml'));
  assert.equal(svgs.length, 2);
  assert.match(svgs[0].svg.texts[0], /^Looks at \(cross-attention, layer \d+, head (mean|\d+)\)$/);
  assert.match(svgs[1].svg.texts[0], /^Attends to earlier output \(decoder, layer \d+, head (mean|\d+)\)$/);
  assert.ok(svgs[0].alt.startsWith('Looks at (cross-attention') && /\d\.\d\d/.test(svgs[0].alt), `the chart's text alternative carries its numbers: ${svgs[0].alt}`);
  await ctx.screenshot('hover-on-written-translation', page);
  await closeHover(page);

  // ---- 2. Typing above both (at the very start of the post): both ranges move, both hovers stay.
  await h.focusEditor(page);
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('Edited. ');
  await h.waitFor(async () => (await h.editorText(page)).startsWith('Edited. '), { timeout: 10_000, message: 'the edit' });
  await ac.revealText(page, ac.KO_BANK);
  const source = await hoverOver(ctx, page, ac.KO_BANK, '은행', 'source after an edit above');
  assert.match(source.text, /Attention for\s*["“]은/, source.text);
  await ctx.screenshot('hover-after-edit-above', page);
  await closeHover(page);
  const target2 = await hoverOver(ctx, page, translation, firstWord, 'translation after an edit above');
  assert.match(target2.text, /\(translation\)/);
  await closeHover(page);

  // ---- 3. Typing inside the source: its range (and hover) goes; the translation's stays.
  await h.selectText(page, '가서');
  await page.keyboard.type('XX');
  const edited = ac.KO_BANK.replace('가서', 'XX');
  await h.waitFor(async () => (await h.editorText(page)).includes(edited), { timeout: 10_000, message: 'the edit inside the sentence' });
  await ac.revealText(page, edited);
  await h.waitFor(async () => (await ac.dottedUnderlines(page, edited))?.marks.length === 0, { timeout: 10_000, message: 'the source underline to go' });
  const at = await h.hoverEditorText(page, new RegExp(`^${edited}$`), 0, 1);
  ctx.log(`mouse over 은 of the edited line at ${JSON.stringify(at)}`);
  await h.sleep(3_000);
  assert.equal(await ac.hoverWidget(page).count(), 0, 'no attention hover over an edited source');
  await closeHover(page);
  assert.ok((await ac.dottedUnderlines(page, translation.trim()))?.marks.length, 'the translation keeps its underline');
  const target3 = await hoverOver(ctx, page, translation, firstWord, 'translation after an edit in the source');
  assert.match(target3.text, /\(translation\)/);
  await ctx.screenshot('hover-translation-after-source-edit', page);
}
