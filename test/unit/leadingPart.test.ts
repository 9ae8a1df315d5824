// "Translate the first N characters" of a selection over attentionCompanion.maxInputLength: the part ends at a
// sentence end when one keeps at least half, else at a space; never inside a surrogate pair; never over the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leadingPartLength } from '../../src/commands/leadingPart';

test('text within the limit is kept whole', () => {
  assert.equal(leadingPartLength('short.', 2000), 6);
});

test('the last whole sentence that fits', () => {
  const text = 'One sentence here. Two sentences here. Three is too long for the limit.';
  const n = leadingPartLength(text, 45);
  assert.equal(text.slice(0, n), 'One sentence here. Two sentences here.');
});

test('no sentence end in the second half: a space, trailing spaces left out', () => {
  const text = 'A sentence. ' + 'word '.repeat(100);
  const n = leadingPartLength(text, 200);
  assert.ok(n <= 200 && n > 100, `${n}`);
  assert.ok(text.slice(0, n).endsWith('word'), JSON.stringify(text.slice(n - 10, n)));
});

test('never inside a surrogate pair, never over the limit', () => {
  const text = '😀'.repeat(1500);
  for (const limit of [2000, 1999, 11]) {
    const n = leadingPartLength(text, limit);
    assert.ok(n <= limit && n > 0 && n % 2 === 0, `${limit}: ${n}`);
  }
});

test('Korean sentences end at 다. / 요.', () => {
  const text = '은행에 가서 돈을 찾았다. 그리고 집에 왔다. 그 다음에는 아주 긴 문장이 이어진다';
  assert.equal(text.slice(0, leadingPartLength(text, 30)), '은행에 가서 돈을 찾았다. 그리고 집에 왔다.');
});
