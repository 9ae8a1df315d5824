// The CLI's outputs: the --attention file is valid JSON written one line's result at a time, and progress of a long
// line goes to stderr (quiet for short lines, redrawn in place on a terminal, throttled in logs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonArrayFile } from '../../src/cli/jsonArrayFile';
import { LineProgress } from '../../src/cli/lineProgress';

const dir = mkdtempSync(join(tmpdir(), 'ac-cli-'));

test('JsonArrayFile writes a valid array element by element, empty or not', () => {
  const empty = new JsonArrayFile(join(dir, 'empty.json'));
  empty.close();
  assert.deepEqual(JSON.parse(readFileSync(empty.path, 'utf8')), []);

  const items = [{ text: '은행 😀', n: [0.25, -1e-7] }, 'two', { nested: { line: '\u2028' } }];
  const file = new JsonArrayFile(join(dir, 'items.json'));
  for (const item of items) file.push(item);
  // Each element is on disk once pushed: the writer keeps none of them.
  assert.match(readFileSync(file.path, 'utf8'), /"two"/);
  file.close();
  assert.deepEqual(JSON.parse(readFileSync(file.path, 'utf8')), items);
});

test('JsonArrayFile empties an existing file and fails at once on a path it cannot write', () => {
  const path = join(dir, 'old.json');
  writeFileSync(path, 'old content that is not JSON');
  new JsonArrayFile(path).close();
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), []);
  assert.throws(() => new JsonArrayFile(join(dir, 'no-such-folder', 'x.json')), /ENOENT/);
});

function recorder(tty: boolean) {
  let clock = 0;
  const out: string[] = [];
  const progress = new LineProgress({ tty, write: (t) => out.push(t), now: () => clock });
  return { progress, out, advance: (ms: number) => { clock += ms; } };
}

test('a line done within a second prints nothing', () => {
  const { progress, out, advance } = recorder(true);
  progress.start(1);
  for (let i = 0; i < 5; i++) {
    advance(100);
    progress.update(i, 5);
  }
  progress.finish();
  assert.deepEqual(out, []);
});

test('on a terminal a long line redraws one status line and clears it when done', () => {
  const { progress, out, advance } = recorder(true);
  progress.start(3);
  advance(1500);
  progress.update(4, 40);
  advance(50);
  progress.update(5, 40);          // within 200 ms of the last redraw: skipped
  advance(300);
  progress.update(6, 40);
  progress.finish();
  assert.deepEqual(out, [
    '\r\x1b[Kattention-companion: line 3: 4 of 40 sentences translated',
    '\r\x1b[Kattention-companion: line 3: 6 of 40 sentences translated',
    '\r\x1b[K',
  ]);
});

test('in a log a long line prints a plain line every five seconds, and nothing to clear', () => {
  const { progress, out, advance } = recorder(false);
  progress.start(2);
  for (let i = 0; i < 12; i++) {
    advance(1000);
    progress.update(i, 12);
  }
  progress.finish();
  assert.deepEqual(out, [
    'attention-companion: line 2: 0 of 12 sentences translated\n',
    'attention-companion: line 2: 5 of 12 sentences translated\n',
    'attention-companion: line 2: 10 of 12 sentences translated\n',
  ]);
});
