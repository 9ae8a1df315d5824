// Spans the model must not touch: emoji (with skin tones, joins, flags), URLs, e-mail addresses, inline code,
// numbers, math, and the syntax of Markdown links, emphasis and inline HTML are found whole, and nothing else is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verbatimSpans, type VerbatimKind } from '../../src/engine/verbatim';

/** The spans of `text` as [kind, text] pairs. */
const spans = (text: string, spelledInBytes?: (ch: string) => boolean) =>
  verbatimSpans(text, 0, text.length, { spelledInBytes }).map((s): [VerbatimKind, string] => [s.kind, text.slice(s.start, s.end)]);
const texts = (text: string) => spans(text).map(([, t]) => t);

test('emoji are whole clusters: skin tones, ZWJ sequences, flags, keycaps, variation selectors', () => {
  assert.deepEqual(spans('Attention 👋🏽 is all you need 🤖🇰🇷!'), [['emoji', '👋🏽'], ['emoji', '🤖🇰🇷']]);
  assert.deepEqual(texts('a 👩🏽‍💻 b 👨‍👩‍👧‍👦 c'), ['👩🏽‍💻', '👨‍👩‍👧‍👦']);
  assert.deepEqual(texts('flags 🇰🇷🇩🇪 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿'), ['🇰🇷🇩🇪', '🏴󠁧󠁢󠁳󠁣󠁴󠁿']);
  assert.deepEqual(texts('press 1️⃣ or ❤️ now'), ['1️⃣', '❤️']);
  assert.deepEqual(texts('어텐션 👋 안녕'), ['👋']);
});

test('URLs and e-mail addresses end before the punctuation that follows them', () => {
  assert.deepEqual(spans('See https://arxiv.org/abs/1706.03762. Or www.example.com/a_(b), mail jane.doe@example.com.'), [
    ['url', 'https://arxiv.org/abs/1706.03762'], ['url', 'www.example.com/a_(b)'], ['email', 'jane.doe@example.com'],
  ]);
  assert.deepEqual(texts('(see https://example.com/x)'), ['https://example.com/x']);
  assert.deepEqual(texts('<https://example.com> and <me@example.org>'), ['<https://example.com>', '<me@example.org>']);
  assert.deepEqual(texts('http:// alone is no address'), []);
});

test('numbers keep their separators, signs, currency and units; digits in ASCII words are kept with the word', () => {
  assert.deepEqual(texts('It has 65,000,000 parameters, scored 28.4 points and cost $5 or €1.000,50 (-3%).'),
    ['65,000,000', '28.4', '$5', '€1.000,50', '-3%']);
  assert.deepEqual(texts('On 2017-06-12 at 10:30, eight P100 cards, GPT-4 and x86_64.'), ['2017-06-12', '10:30', 'P100', 'GPT-4', 'x86_64']);
  assert.deepEqual(texts('in 2017. Then'), ['2017'], 'a full stop after a number ends the sentence');
  assert.deepEqual(texts('Vaswani 등은 2017년에 답했다'), ['2017'], 'Hangul after the digits stays prose');
  assert.deepEqual(texts('state-of-the-art models'), []);
});

test('inline code, math and snake_case names are kept; $5 and $10 are no math', () => {
  assert.deepEqual(spans('Call `model.encode(x)` or ``a ` b`` now.'), [['code', '`model.encode(x)`'], ['code', '``a ` b``']]);
  assert.deepEqual(spans('The score $\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$ and $$x^2$$ and \\(a+b\\).'),
    [['math', '$\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$'], ['math', '$$x^2$$'], ['math', '\\(a+b\\)']]);
  assert.deepEqual(texts('It costs $5 and $10 today.'), ['$5', '$10']);
  assert.deepEqual(spans('divide by √d_k first'), [['code', 'd_k']]);
});

test('Markdown links keep brackets and destination as spans and leave the link text as prose', () => {
  const text = 'Read [the **paper** 📄](https://arxiv.org/abs/1706.03762 "Vaswani (2017)") and ![a figure](fig.png).';
  assert.deepEqual(spans(text), [
    ['markup', '['], ['markup', '**'], ['markup', '**'], ['emoji', '📄'], ['url', '](https://arxiv.org/abs/1706.03762 "Vaswani (2017)")'],
    ['markup', '!['], ['url', '](fig.png)'],
  ]);
  assert.deepEqual(texts('See [the docs][ref] and a note[^1].'), ['[', '][ref]', '[^1]']);
  assert.deepEqual(texts('A [bracket] alone is prose.'), []);
});

test('emphasis markers, inline HTML, entities and escapes are kept; underscores inside words are not emphasis', () => {
  assert.deepEqual(texts('This is **very** and *so* and _this_ and ~~gone~~.'), ['**', '**', '*', '*', '_', '_', '~~', '~~']);
  assert.deepEqual(texts('a<br>b <span class="x">c</span> &amp; \\* done\\'), ['<br>', '<span class="x">', '</span>', '&amp;', '\\*', '\\']);
  assert.deepEqual(texts('snake_case_name stays one word'), ['snake_case_name']);
});

test('acronyms are kept, but not a run of words in capitals', () => {
  assert.deepEqual(spans('It scored 28.4 BLEU on eight GPUs, an NLP task.'), [['number', '28.4'], ['acronym', 'BLEU'], ['acronym', 'GPUs'], ['acronym', 'NLP']]);
  assert.deepEqual(texts('ATTENTION IS ALL YOU NEED'), []);
  assert.deepEqual(texts('I am A person, OK?'), ['OK']);
});

test('format characters are kept; symbols only when the model spells them in bytes', () => {
  assert.deepEqual(texts('a\u200Fb\u202Ec'), ['\u200F', '\u202E']);
  assert.deepEqual(texts('soft\u00ADhyphen'), [], 'a soft hyphen stays with its word');
  const bytesOnly = (ch: string) => ch === '⌘' || ch === '⟦';
  assert.deepEqual(spans('x ⌘ y → z ⟦w', bytesOnly), [['symbol', '⌘']], 'a bracket is punctuation, not a symbol');
});

test('plain prose has no spans, and spans never overlap or leave the range asked for', () => {
  assert.deepEqual(texts('The Transformer allows for significantly more parallelization.'), []);
  assert.deepEqual(texts('순환 신경망 없이 어텐션만으로 번역 모델을 만들 수 있을까?'), []);
  const text = 'x `code` y 42 z';
  assert.deepEqual(verbatimSpans(text, 9, text.length).map((s) => text.slice(s.start, s.end)), ['42']);
  for (const sample of ['a **b [c](d) `e`** 1,2 👋🏽', '[[nested] link](u) $a$b$', '`unclosed and [broken](']) {
    let pos = 0;
    for (const s of verbatimSpans(sample)) {
      assert.ok(s.start >= pos && s.end > s.start && s.end <= sample.length, `${JSON.stringify(sample)}: ${JSON.stringify(s)}`);
      pos = s.end;
    }
  }
});

/** Least of three timings of `fn`, in ms. */
function fastest(fn: () => void): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

test('hostile lines of 20,000 characters are read in linear time (compared with plain prose of that length)', () => {
  // Timed against prose of the same length on the same (maybe busy) machine: a quadratic reading was 1,000 times slower.
  const prose = 'plain words and more of them, '.repeat(700);
  const base = Math.max(fastest(() => verbatimSpans(prose)), 2);
  for (const unit of ['[', '[a](', '`` ` ', '$a ', '$$a ', '\\(', 'a_', 'a-', '**', '1,', '👋🏽', 'x@y.', 'http://', '<a ']) {
    const line = unit.repeat(Math.ceil(20_000 / unit.length));
    const ms = fastest(() => verbatimSpans(line));
    // Idle, "[" takes ~10x plain prose (47.9 ms at 20,000, doubling with the length); a busy machine added up to 4x
    // noise to one side. 100x still catches a quadratic reading (~1,000x).
    assert.ok(ms < 100 * base, `${JSON.stringify(unit)} × ${line.length / unit.length}: ${ms.toFixed(0)} ms, plain prose ${base.toFixed(0)} ms`);
  }
});
