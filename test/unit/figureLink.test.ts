// Exported figures: the file name (sentence slug + view), and the Markdown link on its own line after the paragraph
// that holds the sentence (it once landed at the cursor, inside the first line: "![…](….png)# 논문 읽기…").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkInsertion, markdownImage, relativePath } from '../../src/commands/figureLink';
import { figureName, sentenceSlug } from '../../webview/render/figureName';

const apply = (text: string, at: { offset: number; insert: string }) => text.slice(0, at.offset) + at.insert + text.slice(at.offset);
const LINK = '![fig](assets/images/f.png)';
const POST = '# 논문 읽기\n\n순환 신경망 없이\n번역 모델을 만들 수 있을까?\n\n> The Transformer allows for more parallelization.\n\n끝.';

test('the link goes on its own line after the paragraph holding the anchor', () => {
  const mid = POST.indexOf('번역 모델');
  assert.equal(apply(POST, linkInsertion(POST, mid, LINK)), POST.replace('있을까?\n', `있을까?\n\n${LINK}\n`));
  const quote = POST.indexOf('parallelization');
  assert.equal(apply(POST, linkInsertion(POST, quote, LINK)), POST.replace('parallelization.\n', `parallelization.\n\n${LINK}\n`), 'after a blockquote');
  assert.equal(apply(POST, linkInsertion(POST, POST.length, LINK)), `${POST}\n\n${LINK}`, 'the last paragraph, no newline at the end');
});

test('a heading is a block of its own: the cursor at the start of the post no longer breaks line 1', () => {
  const out = apply(POST, linkInsertion(POST, 0, LINK));
  assert.ok(out.startsWith(`# 논문 읽기\n\n${LINK}\n\n순환`), out);
  const tight = '# Title\nText right below.\n';
  assert.equal(apply(tight, linkInsertion(tight, 2, LINK)), `# Title\n\n${LINK}\nText right below.\n`);
});

test('on a blank line the link stands between blank lines; in a code block it goes after the fence', () => {
  const text = 'one\n\ntwo';
  assert.equal(apply(text, linkInsertion(text, 4, LINK)), `one\n\n${LINK}\n\ntwo`);
  const fenced = 'intro\n\n```\ncode\n\nmore code\n```\nafter';
  assert.equal(apply(fenced, linkInsertion(fenced, fenced.indexOf('code'), LINK)), fenced.replace('```\nafter', `\`\`\`\n\n${LINK}\nafter`));
});

test('CRLF documents get CRLF line ends', () => {
  const text = 'para one\r\nstill one\r\n\r\nnext';
  const at = linkInsertion(text, 2, LINK, '\r\n');
  assert.equal(apply(text, at), `para one\r\nstill one\r\n\r\n${LINK}\r\n\r\nnext`);
});

test('markdownImage: alternative text on one line with brackets escaped; spaces and parentheses encoded in the path', () => {
  assert.equal(markdownImage('Cross · L2: 은행 [bank]\nx', 'a b/(c).png'), '![Cross · L2: 은행 \\[bank\\] x](a%20b/%28c%29.png)');
  assert.equal(markdownImage('t', 'assets/images/attention-은행에-cross.png'), '![t](assets/images/attention-은행에-cross.png)', 'Hangul stays readable');
});

test('relativePath from the post\'s folder', () => {
  assert.equal(relativePath('/ws/posts', '/ws/assets/images/f.png'), '../assets/images/f.png');
  assert.equal(relativePath('/ws', '/ws/assets/f.png'), 'assets/f.png');
});

test('figure names: the sentence slug and the view, so different sentences or views never share a file', () => {
  assert.equal(figureName('은행에 가서 돈을 찾았다', 'attention-cross-L2-mean'), 'attention-은행에-가서-돈을-찾았다-cross-L2-mean');
  assert.notEqual(figureName('은행에 가서 돈을 찾았다', 'attention-cross-L2-mean'), figureName('은행에 가서 돈을 찾았다', 'attention-encoder-L4-H2'));
  assert.notEqual(figureName('The bank.', 'attention-cross-L2-mean'), figureName('A bank!', 'attention-cross-L2-mean'));
  assert.equal(sentenceSlug('Attention Is All You Need 👋🏽 (2017)!'), 'attention-is-all-you-need-2017');
  const long = sentenceSlug('The Transformer allows for significantly more parallelization and can reach a new state of the art');
  assert.ok([...long].length <= 40 && !long.endsWith('-') && long.startsWith('the-transformer-allows'), long);
  assert.equal([...sentenceSlug('𠀀'.repeat(50))].length, 40, 'one long word: cut by code points, never inside a pair');
  assert.equal(figureName('!!!', 'attention-rollout-L1-3'), 'attention-rollout-L1-3', 'no letters: the view alone');
});
