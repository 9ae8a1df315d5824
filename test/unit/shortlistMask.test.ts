// The attention step's search (logits in JavaScript) kept to a shortlist: ids left out get no probability and are
// never candidates, so it chooses from what the shortlisted search step graph chooses from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outsideShortlist } from '../../src/engine/onnxModel';
import { logSoftmaxRows, topK } from '../../src/engine/beam';

test('ids outside the shortlist become -Infinity in every row, the others keep their logits', () => {
  const keep = Uint8Array.from([0, 1, 1, 0, 1]);
  const logits = Float32Array.from([9, 1, 2, 8, 3, /* row 2 */ 5, 4, 3, 2, 1]);
  outsideShortlist(logits, keep);
  assert.deepEqual([...logits], [-Infinity, 1, 2, -Infinity, 3, -Infinity, 4, 3, -Infinity, 1]);
  const logp = logSoftmaxRows(logits, 2, 5);
  for (const row of [0, 1]) {
    const kept = [1, 2, 4].map((i) => Math.exp(logp[row * 5 + i]));
    assert.ok(Math.abs(kept.reduce((a, b) => a + b) - 1) < 1e-12, 'the shortlist holds all the probability');
  }
  assert.deepEqual(topK(logp.subarray(0, 5), 2), [4, 2], 'the best kept ids, not the larger logits left out');
});
