// What the model gets of a Markdown post or a plain selection: only prose, cut around the spans it must not touch;
// front matter, code blocks (Korean inside them too), tables' pipes, list markers, links' URLs stay as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proseRanges } from '../../src/engine/markdownSegments';
import { assembleTranslation, keptInPlace, matchSourceEnding, spelledInBytes, translationUnits, type UnitOptions } from '../../src/engine/translationUnits';
import { goldenTokenizer } from './tokenizerProperties';

/** `text` with each translation unit in ⟦ ⟧: what is outside the brackets is copied into the translation. */
function marked(text: string, opts: UnitOptions = {}): string {
  let out = '';
  let pos = 0;
  for (const u of translationUnits(text, opts)) {
    assert.equal(u.text, text.slice(u.start, u.end));
    assert.ok(u.start >= pos, 'units are in order and do not overlap');
    out += text.slice(pos, u.start) + '⟦' + u.text + '⟧';
    pos = u.end;
  }
  return out + text.slice(pos);
}

test('the example of issue 10: emoji stay, the words around them are translated', () => {
  assert.equal(marked('Attention 👋🏽 is all you need 🤖🇰🇷!'), '⟦Attention⟧ 👋🏽 ⟦is all you need⟧ 🤖🇰🇷!');
});

test('Korean with emoji, numbers and quotes', () => {
  assert.equal(marked('순환 신경망 없이 👋 어텐션만으로 만들 수 있을까? Vaswani 등은 2017년에 "그렇다"고 답했다.'),
    '⟦순환 신경망 없이⟧ 👋 ⟦어텐션만으로 만들 수 있을까?⟧ ⟦Vaswani 등은⟧ 2017⟦년에 "그렇다"고 답했다.⟧');
});

test('URLs, e-mail, code, numbers and math cut a sentence; commas and colons before them stay outside', () => {
  assert.equal(marked('See https://arxiv.org/abs/1706.03762 for the paper. Write to jane.doe@example.com today.'),
    '⟦See⟧ https://arxiv.org/abs/1706.03762 ⟦for the paper.⟧ ⟦Write to⟧ jane.doe@example.com ⟦today.⟧');
  assert.equal(marked('Run this: `npm test`, then 65,000,000 steps of $QK^T$.'),
    '⟦Run this⟧: `npm test`, ⟦then⟧ 65,000,000 ⟦steps of⟧ $QK^T$.');
});

test('in place: numbers and acronyms stay inside their sentence, the other spans still cut it', () => {
  const inPlace = { inPlace: true };
  assert.equal(marked('The Transformer was trained for twelve hours on eight P100 GPUs.', inPlace),
    '⟦The Transformer was trained for twelve hours on eight P100 GPUs.⟧');
  assert.equal(marked('Training took 3.5 days on 8 GPUs. See https://example.com for `npm test` logs.', inPlace),
    '⟦Training took 3.5 days on 8 GPUs.⟧ ⟦See⟧ https://example.com ⟦for⟧ `npm test` ⟦logs.⟧');
  assert.equal(marked('이 모델은 8개의 GPU에서 12시간 동안 학습되었다.', inPlace), '⟦이 모델은 8개의 GPU에서 12시간 동안 학습되었다.⟧');
  // A sentence of numbers and acronyms alone has no prose: kept as it is, as when they cut.
  assert.equal(marked('| GPU | 2017 | 28.4 BLEU |', inPlace), '| GPU | 2017 | 28.4 BLEU |');
  assert.equal(marked('NLP 2017 👋 hello', inPlace), 'NLP 2017 👋 ⟦hello⟧');
  // Without the option (the translator's second try): cut as before.
  assert.equal(marked('Training took 3.5 days on 8 GPUs.'), '⟦Training took⟧ 3.5 ⟦days on⟧ 8 GPUs.');
});

test('keptInPlace: each number and acronym back as often as in the source, digits as they are, GPU and GPUs alike', () => {
  assert.ok(keptInPlace('We trained for 12 hours on 8 GPUs.', '8개의 GPU로 12시간 동안 훈련했다.'));
  assert.ok(keptInPlace('8개의 GPU로 훈련했다.', 'We trained on 8 GPUs.'));
  assert.ok(keptInPlace('No numbers here.', 'anything'));
  assert.ok(!keptInPlace('Training took 3.5 days on 8 GPUs.', '훈련은 8개의 GPU에서 3,5일을 걸렸다.'), '3.5 written 3,5');
  assert.ok(!keptInPlace('trained on eight P100 GPUs', '8100개로 훈련한'), 'P100 and GPUs lost');
  assert.ok(!keptInPlace('It has 8 layers.', '8개의 층 8개'), 'one 8 more than the source has');
  assert.ok(!keptInPlace('It scored 2 points in 2014.', '2014년에 점수를 받았다'), '"2" is not found inside "2014"');
  assert.ok(!keptInPlace('It took 3.5 days.', '13.5일'), '"3.5" is not found inside "13.5"');
  assert.ok(keptInPlace('GPT-4 was released in 2023.', 'GPT-4는 2023년에 출시되었다.'));
  assert.ok(!keptInPlace('GPT-4 was released in 2023.', 'GPT는 2023년에 출시되었다.'));
  assert.ok(keptInPlace('The cost is 5% more.', '비용이 5% 더 든다.'));
});

test('links: the text is translated, the URL and title are kept; unbalanced brackets stay outside', () => {
  assert.equal(marked('Read [the paper](https://arxiv.org/abs/1706.03762 "Vaswani") now. ![A figure](fig.png)'),
    '⟦Read⟧ [⟦the paper⟧](https://arxiv.org/abs/1706.03762 "Vaswani") ⟦now.⟧ ![⟦A figure⟧](fig.png)');
  assert.equal(marked('(see [the docs](https://example.com))'), '(⟦see⟧ [⟦the docs⟧](https://example.com))');
});

test('a whole post: front matter, headings, emphasis, nested lists, quotes, code, tables, HTML and definitions', () => {
  const post = [
    '---', 'title: "My post"', 'tags: [nlp, attention]', 'date: 2024-01-02', '---', '',
    '# Attention Is All You Need #', '', 'This is **very** important, and _so_ is this.', '',
    '- First item', '- Second item with `code`', '  - Nested item', '    1. Deep ordered item', '', '* [ ] task one', '* [x] task two', '',
    '> A quote here.', '> > Nested quote.', '',
    '```python', '# 주석은 그대로 둔다', 'print("안녕")', '```', '', '~~~', 'The tilde fence too.', '~~~', '',
    'Intro:', '', '    indented code stays', '', '| Model | BLEU |', '|---|---:|', '| Big `transformer` | 28.4 |', '',
    '<div align="center">', '  Some HTML text', '</div>', '', '[ref]: https://example.com "Title"', '',
    '$$', 'E = mc^2', '$$', '', 'Setext title', '============', '', '***', '', 'Last line.  ', '',
  ].join('\n');
  const expected = [
    '---', 'title: "My post"', 'tags: [nlp, attention]', 'date: 2024-01-02', '---', '',
    '# ⟦Attention Is All You Need⟧ #', '', '⟦This is⟧ **⟦very⟧** ⟦important, and⟧ _⟦so⟧_ ⟦is this.⟧', '',
    '- ⟦First item⟧', '- ⟦Second item with⟧ `code`', '  - ⟦Nested item⟧', '    1. ⟦Deep ordered item⟧', '', '* [ ] ⟦task one⟧', '* [x] ⟦task two⟧', '',
    '> ⟦A quote here.⟧', '> > ⟦Nested quote.⟧', '',
    '```python', '# 주석은 그대로 둔다', 'print("안녕")', '```', '', '~~~', 'The tilde fence too.', '~~~', '',
    '⟦Intro⟧:', '', '    indented code stays', '', '| ⟦Model⟧ | BLEU |', '|---|---:|', '| ⟦Big⟧ `transformer` | 28.4 |', '',
    '<div align="center">', '  Some HTML text', '</div>', '', '[ref]: https://example.com "Title"', '',
    '$$', 'E = mc^2', '$$', '', '⟦Setext title⟧', '============', '', '***', '', '⟦Last line.⟧  ', '',
  ].join('\n');
  assert.equal(marked(post), expected);
});

test('containers nest: a list in a quote, a fence in a list item, a heading in a quote; comments and TOML are kept', () => {
  assert.equal(marked('> - quoted item\n> # Quoted heading'), '> - ⟦quoted item⟧\n> # ⟦Quoted heading⟧');
  assert.equal(marked('1. Step one:\n   ```sh\n   npm test # 한국어\n   ```\n2. Step two.'),
    '1. ⟦Step one⟧:\n   ```sh\n   npm test # 한국어\n   ```\n2. ⟦Step two.⟧');
  assert.equal(marked('<!-- a comment\nover lines -->\nText.'), '<!-- a comment\nover lines -->\n⟦Text.⟧');
  assert.equal(marked('+++\ntitle = "x"\n+++\n본문입니다.'), '+++\ntitle = "x"\n+++\n⟦본문입니다.⟧');
  assert.equal(marked('a | b\n--|--\n첫 칸 | 둘째 칸'), '⟦a⟧ | ⟦b⟧\n--|--\n⟦첫 칸⟧ | ⟦둘째 칸⟧');
  assert.equal(marked('[^1]: The footnote text.'), '[^1]: ⟦The footnote text.⟧');
});

test('a selection from inside a list item is not code, a paragraph line indented 4 is its continuation', () => {
  assert.equal(marked('    First line of an item.\n    Second line.'), '    ⟦First line of an item.⟧\n    ⟦Second line.⟧');
  assert.equal(marked('Para\n    lazy continuation'), '⟦Para⟧\n    ⟦lazy continuation⟧');
  assert.equal(marked('- item\n\n      code in the item\n\n  text in the item'), '- ⟦item⟧\n\n      code in the item\n\n  ⟦text in the item⟧');
});

test('"---" that opens no YAML is a thematic break, and plain text is all prose', () => {
  assert.equal(marked('---\nA sentence between two rules.\n---'), '---\n⟦A sentence between two rules.⟧\n---');
  assert.equal(marked('---\nkey: value\n---\nText.'), '---\nkey: value\n---\n⟦Text.⟧');
  assert.equal(marked('Sentence one.  Sentence two.\r\nLine two.'), '⟦Sentence one.⟧  ⟦Sentence two.⟧\r\n⟦Line two.⟧');
  assert.equal(marked('#hashtag and 5 * 3'), '⟦#hashtag and⟧ 5 * 3');
});

test('a fence left open keeps everything after it; text with nothing to translate gives no unit', () => {
  assert.equal(marked('Text.\n```\nstill code\n\nmore code'), '⟦Text.⟧\n```\nstill code\n\nmore code');
  assert.deepEqual(translationUnits('👋🏽 🤖🇰🇷 https://example.com `x` 42'), []);
  assert.deepEqual(translationUnits('```\n코드\n```'), []);
  assert.deepEqual(proseRanges(''), []);
});

test('the translation puts each output in its unit\'s place and keeps the rest; an empty output leaves no double space', () => {
  const text = '- It has 65,000,000 parameters.\n';
  const units = translationUnits(text);
  assert.deepEqual(units.map((u) => u.text), ['It has', 'parameters.']);
  assert.equal(assembleTranslation(text, units, ['가진', '매개 변수.']), '- 가진 65,000,000 매개 변수.\n');
  assert.equal(assembleTranslation(text, units, ['', '매개 변수.']), '- 65,000,000 매개 변수.\n');
  assert.equal(assembleTranslation('  a  ', [{ start: 2, end: 3 }], ['b']), '  b  ');
  assert.equal(assembleTranslation('Write to x@y.z today.', [{ start: 0, end: 8 }, { start: 15, end: 21 }], ['', '오늘.']), 'x@y.z 오늘.');
  assert.equal(assembleTranslation('A 42 b\nC', [{ start: 0, end: 1 }, { start: 5, end: 6 }, { start: 7, end: 8 }], ['가', '', '다']), '가 42\n다');
  assert.equal(assembleTranslation('A 42 b', [{ start: 5, end: 6 }], ['']), 'A 42');
  assert.equal(assembleTranslation('x', [], []), 'x');
});

test('into English or German, a verbatim number or name the Korean source attached a particle to gets a space; into Korean the source spacing stays', () => {
  const text = '2017년 말, 시미노프는 QVC에 출연했다.';
  const units = translationUnits(text);
  assert.deepEqual(units.map((u) => u.text), ['년 말, 시미노프는 QVC에 출연했다.']);
  assert.equal(assembleTranslation(text, units, ['At the end, Siminoff appeared on QVC.'], true), '2017 At the end, Siminoff appeared on QVC.');
  assert.equal(assembleTranslation(text, units, ['말에 시미노프는 QVC에 출연했다.']), '2017말에 시미노프는 QVC에 출연했다.');
  // A name before a particle, in the middle of a sentence: a space on each side where words meet.
  assert.equal(assembleTranslation('그는 ADT사와 합의했다', [{ start: 0, end: 2 }, { start: 6, end: 13 }], ['He', 'settled with'], true), 'He ADT settled with');
  // Punctuation at an edge needs no space; spaces already there are not doubled.
  assert.equal(assembleTranslation('A 42 b', [{ start: 0, end: 1 }, { start: 5, end: 6 }], ['x', '(y)'], true), 'x 42 (y)');
  assert.equal(assembleTranslation('42b', [{ start: 2, end: 3 }], ['.'], true), '42.');
});

test('a sentence mark the model added to a piece without one is dropped; target tokens stay inside the text', () => {
  const tok = (text: string, start: number, end: number) => ({ id: 1, piece: text, text, start, end });
  const result = (source: string, text: string) => ({
    source, sourceOffset: 0, from: 'en' as const, to: 'ko' as const, text, score: 0, normalizedScore: 0, srcTokens: [],
    tgtTokens: [tok('많습니다', 0, 4), tok('.', 4, 5), { id: 3, piece: '</s>', text: '</s>', start: 5, end: 5 }],
  });
  const cut = result('on eight', '많습니다.');
  matchSourceEnding(cut);
  assert.equal(cut.text, '많습니다');
  assert.deepEqual(cut.tgtTokens.map((t) => [t.piece, t.text, t.start, t.end]), [['많습니다', '많습니다', 0, 4], ['.', '', 4, 4], ['</s>', '</s>', 4, 4]]);
  for (const [source, text] of [['Ends here.', '끝.'], ['Is it?', '그래?'], ['no mark', '표시 없음'], ['x', '.']]) {
    const kept = result(source, text);
    matchSourceEnding(kept);
    assert.equal(kept.text, text, `${source} → ${text}`);
  }
});

test('a symbol the tokenizer spells in bytes is kept, one it knows goes to the model', () => {
  const bytes = spelledInBytes(goldenTokenizer());
  assert.equal(bytes('A'), false);
  assert.equal(bytes('🤖'), true);
  assert.equal(bytes('⌘'), true, 'the golden tokenizer has no piece for ⌘');
  assert.equal(bytes('.'), false);
  assert.deepEqual(translationUnits('Press ⌘ here.', { spelledInBytes: bytes }).map((u) => u.text), ['Press', 'here.']);
  assert.deepEqual(translationUnits('Press ⌘ here.').map((u) => u.text), ['Press ⌘ here.'], 'without a tokenizer only emoji are kept');
});

test('hostile texts of 20,000 characters are split in linear time (compared with plain prose of that length)', () => {
  const fastest = (fn: () => void) => Math.min(...[0, 1, 2].map(() => { const t0 = performance.now(); fn(); return performance.now() - t0; }));
  const prose = 'Plain words and more of them. '.repeat(700);
  const base = Math.max(fastest(() => translationUnits(prose)), 2);
  for (const unit of ['> ', '- ', '| a ', '|-', '```\n', '<div>\n', '    x\n', '[x]: y\n', '# a\n', '---\n', 'a. ']) {
    const text = unit.repeat(Math.ceil(20_000 / unit.length));
    const ms = fastest(() => translationUnits(text));
    assert.ok(ms < 40 * base, `${JSON.stringify(unit)} × ${text.length / unit.length}: ${ms.toFixed(0)} ms, plain prose ${base.toFixed(0)} ms`);
  }
});
