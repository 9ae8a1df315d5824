// Damaged model packages fail at load, each with an error that names the file and says what is wrong.
// Every case damages a fresh copy of the default package in a temp folder; models/ is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { OnnxModel, type PackageSource } from '../../src/engine/onnxModel';
import { defaultPackageDir, fsPackage } from '../../src/node/fsPackage';
import { localDigests } from '../../src/node/fileDigest';
import { DigestCache } from '../../src/engine/packageIntegrity';
import { engineFiles, validateManifest } from '../../src/shared/manifestValidation';
import { PackageError, isPlainFileName } from '../../src/shared/packageError';
import type { ModelManifest } from '../../src/shared/manifest';

const root = resolve(__dirname, '../../..');
const pristine = (() => {
  try {
    return defaultPackageDir(root);
  } catch {
    return undefined;
  }
})();
const noPackage = !pristine || !existsSync(join(pristine, 'manifest.json')) ? 'no default model package' : false;
const scratch = mkdtempSync(join(tmpdir(), 'ac-corrupt-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let copies = 0;

/** A fresh copy of the default package, inside its own parent folder (so `..` has somewhere to lead). */
function copyPackage(): string {
  const parent = join(scratch, `case-${copies++}`);
  const dir = join(parent, 'pkg');
  cpSync(pristine!, dir, { recursive: true });
  writeFileSync(join(parent, 'secret.txt'), 'TOP-SECRET first line\nsecond line\n');
  return dir;
}
const readManifestJson = (dir: string): Json => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
function editManifest(dir: string, edit: (m: Json) => void): void {
  const m = readManifestJson(dir);
  edit(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
}
/** Records a file's current size and digest in the manifest: the damage is then only what the file says. */
function rehash(dir: string, name: string): void {
  const bytes = readFileSync(join(dir, name));
  editManifest(dir, (m) => {
    m.files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  });
}
function flipByte(path: string, at: (size: number) => number): void {
  const bytes = readFileSync(path);
  bytes[at(bytes.length)] ^= 0xff;
  writeFileSync(path, bytes);
}
const fileNamed = (dir: string, field: (m: Json) => string) => field(readManifestJson(dir));

interface Case {
  name: string;
  /** Damages the copy; returns the file the error must name (relative to the package). */
  damage(dir: string): string;
  problem: RegExp;
  /** Also run through a source without verify() (read whole, Web Crypto): the webview's path. */
  webCrypto?: boolean;
}

const CASES: Case[] = [
  { name: 'missing graph file', webCrypto: true, problem: /^does not exist/,
    damage: (dir) => { const f = fileNamed(dir, (m) => m.graphs.decoderStep.file); unlinkSync(join(dir, f)); return f; } },
  { name: 'missing attention graph file (opened only later, still checked at load)', webCrypto: true, problem: /^does not exist/,
    damage: (dir) => { const f = fileNamed(dir, (m) => m.graphs.encoderAttn.file); unlinkSync(join(dir, f)); return f; } },
  { name: 'attention graph missing from the manifest', problem: /^"graphs\.decoderStepAttn" is missing/,
    damage: (dir) => { editManifest(dir, (m) => delete m.graphs.decoderStepAttn); return 'manifest.json'; } },
  { name: 'truncated weights', webCrypto: true, problem: /^has \d+ bytes but the manifest says \d+ \(truncated/,
    damage: (dir) => { const f = fileNamed(dir, (m) => m.weights); truncateSync(join(dir, f), 4096); return f; } },
  { name: '64 KB of zeroed weights (same size)', webCrypto: true, problem: /^sha256 does not match the manifest \(expected [0-9a-f]{8}…, got [0-9a-f]{8}…\)/,
    damage: (dir) => {
      const f = fileNamed(dir, (m) => m.weights);
      const bytes = readFileSync(join(dir, f));
      bytes.fill(0, bytes.length >> 1, (bytes.length >> 1) + 65536);
      writeFileSync(join(dir, f), bytes);
      return f;
    } },
  { name: 'one flipped byte mid-graph', webCrypto: true, problem: /^sha256 does not match the manifest/,
    damage: (dir) => { const f = fileNamed(dir, (m) => m.graphs.encoder.file); flipByte(join(dir, f), (n) => n >> 1); return f; } },
  { name: 'sha256 in the manifest does not match', webCrypto: true, problem: /^sha256 does not match the manifest/,
    damage: (dir) => {
      const f = fileNamed(dir, (m) => m.tokenizer.json);
      editManifest(dir, (m) => { m.files[f].sha256 = (m.files[f].sha256 as string).replace(/^./, (c) => (c === '0' ? '1' : '0')); });
      return f;
    } },
  { name: 'manifest without "tags"', problem: /^"tags" is missing/,
    damage: (dir) => { editManifest(dir, (m) => delete m.tags); return 'manifest.json'; } },
  { name: 'eos outside the vocabulary', problem: /^"special\.eos" is \d+; it must be a token id from 0 to \d+/,
    damage: (dir) => { editManifest(dir, (m) => { m.special.eos = m.dims.vocab; }); return 'manifest.json'; } },
  { name: 'negative eos', problem: /^"special\.eos" is -1/,
    damage: (dir) => { editManifest(dir, (m) => { m.special.eos = -1; }); return 'manifest.json'; } },
  { name: 'maxLen too small to hold a sentence', problem: /^"dims\.maxLen" is 2; it must be from 3 to 4096/,
    damage: (dir) => { editManifest(dir, (m) => { m.dims.maxLen = 2; }); return 'manifest.json'; } },
  { name: 'maxLen absurdly large', problem: /^"dims\.maxLen" is 1000000/,
    damage: (dir) => { editManifest(dir, (m) => { m.dims.maxLen = 1_000_000; }); return 'manifest.json'; } },
  { name: 'maxLen not a number', problem: /^"dims\.maxLen" is "256"; it must be a positive integer/,
    damage: (dir) => { editManifest(dir, (m) => { m.dims.maxLen = '256'; }); return 'manifest.json'; } },
  { name: 'graph file name with ".." (leads outside the package)', problem: /^"graphs\.encoder\.file" is "\.\.\/secret\.txt"; it must be a plain file name/,
    damage: (dir) => { editManifest(dir, (m) => { m.graphs.encoder.file = '../secret.txt'; }); return 'manifest.json'; } },
  { name: 'absolute weights path', problem: /^"weights" is "\/etc\/hostname"; it must be a plain file name/,
    damage: (dir) => { editManifest(dir, (m) => { m.weights = '/etc/hostname'; }); return 'manifest.json'; } },
  { name: 'Windows-style path in tokenizer.json', problem: /^"tokenizer\.json" is "\.\.\\\\tokenizer\.json"; it must be a plain file name/,
    damage: (dir) => { editManifest(dir, (m) => { m.tokenizer.json = '..\\tokenizer.json'; }); return 'manifest.json'; } },
  { name: '"files" lists a path outside the package', problem: /^"files" names "\.\.\/secret\.txt"/,
    damage: (dir) => { editManifest(dir, (m) => { m.files['../secret.txt'] = { sha256: '0'.repeat(64), bytes: 1 }; }); return 'manifest.json'; } },
  { name: '"files" has no entry for the weights', problem: /^"files" has no entry for "[^"]+"; its size and sha256 are needed/,
    damage: (dir) => { editManifest(dir, (m) => delete m.files[m.weights]); return 'manifest.json'; } },
  { name: 'manifest without "files"', problem: /^"files" is missing/,
    damage: (dir) => { editManifest(dir, (m) => delete m.files); return 'manifest.json'; } },
  { name: 'format 2', problem: /^"format" is 2; this version reads format 1/,
    damage: (dir) => { editManifest(dir, (m) => { m.format = 2; }); return 'manifest.json'; } },
  { name: 'manifest is not JSON', problem: /^is not valid JSON/,
    damage: (dir) => { writeFileSync(join(dir, 'manifest.json'), 'TOP-SECRET garbage {'); return 'manifest.json'; } },
  { name: 'garbage tokenizer.json (digest updated to match)', problem: /^is not valid JSON/,
    damage: (dir) => {
      const f = fileNamed(dir, (m) => m.tokenizer.json);
      writeFileSync(join(dir, f), 'TOP-SECRET this is not json');
      rehash(dir, f);
      return f;
    } },
  { name: 'tokenizer.json of the wrong shape (digest updated to match)', problem: /^is not a tokenizer export .*no "pieces" list/,
    damage: (dir) => {
      const f = fileNamed(dir, (m) => m.tokenizer.json);
      writeFileSync(join(dir, f), '{"hello": "TOP-SECRET"}');
      rehash(dir, f);
      return f;
    } },
];

async function loadError(source: PackageSource): Promise<PackageError> {
  try {
    const model = await OnnxModel.load(ort, source, 'wasm');
    await model.release();
  } catch (e) {
    assert.ok(e instanceof PackageError, `not a PackageError: ${(e as Error).stack}`);
    return e;
  }
  assert.fail('the damaged package loaded');
}

function assertNames(err: PackageError, dir: string, file: string, problem: RegExp): void {
  assert.equal(err.file, join(dir, file), `names the file: ${err.message}`);
  assert.ok(err.message.startsWith(`${join(dir, file)}: `), `message starts with the file: ${err.message}`);
  assert.match(err.problem, problem, `says what is wrong: ${err.message}`);
  assert.doesNotMatch(err.message, /TOP-SECRET/, 'never quotes file contents');
}

test('every damaged package fails at load, naming the file and the problem', { skip: noPackage }, async (t) => {
  for (const c of CASES) {
    await t.test(c.name, async () => {
      const dir = copyPackage();
      const file = c.damage(dir);
      assertNames(await loadError(fsPackage(dir)), dir, file, c.problem);
      if (c.webCrypto) {
        // The webview's way in: no verify(), so load() reads each file whole and hashes it with Web Crypto.
        const { location, read } = fsPackage(dir);
        assertNames(await loadError({ location, read }), dir, file, c.problem);
      }
    });
  }
});

test('the default package passes validation; its engine files are all listed', { skip: noPackage }, () => {
  const m: ModelManifest = validateManifest(JSON.parse(readFileSync(join(pristine!, 'manifest.json'), 'utf8')));
  const files = engineFiles(m);
  const optional = (m.graphs.decoderStepSearch ? 1 : 0) + (m.graphs.decoderAttn ? 1 : 0) + Object.keys(m.searchShortlists ?? {}).length;
  assert.equal(files.length, 6 + optional, 'tokenizer.json, weights, four graphs, the optional search step, its shortlisted forms and decoderAttn');
  for (const f of files) assert.ok(m.files[f], `${f} has a digest`);
});

test('an optional search step graph is checked like the required ones when a manifest has it', { skip: noPackage }, () => {
  const base: Json = JSON.parse(readFileSync(join(pristine!, 'manifest.json'), 'utf8'));
  const withSearch = (spec: unknown, digest = true): Json => {
    const m = structuredClone(base);
    m.graphs.decoderStepSearch = spec;
    if (digest) m.files['decoder_step_search.onnx'] = { sha256: 'a'.repeat(64), bytes: 1 };
    else delete m.files['decoder_step_search.onnx'];              // the shipped package may already list it
    return m;
  };
  const spec = { file: 'decoder_step_search.onnx', inputs: [], outputs: [] };
  assert.ok(engineFiles(validateManifest(withSearch(spec))).includes('decoder_step_search.onnx'), 'its file is verified at load');
  assert.throws(() => validateManifest(withSearch(spec, false)), /files.*decoder_step_search\.onnx/, 'its file needs a digest');
  assert.throws(() => validateManifest(withSearch({ ...spec, file: '../x.onnx' })), /graphs\.decoderStepSearch\.file/);
  assert.throws(() => validateManifest(withSearch({ ...spec, outputs: 'top_ids' })), /graphs\.decoderStepSearch\.outputs.*must be a list/);
  assert.throws(() => validateManifest(withSearch(5)), /graphs\.decoderStepSearch/);
});

test('shortlisted search step graphs are checked like the others when a manifest has them', { skip: noPackage }, () => {
  const base: Json = JSON.parse(readFileSync(join(pristine!, 'manifest.json'), 'utf8'));
  const withShortlists = (value: unknown, digest = true): Json => {
    const m = structuredClone(base);
    m.searchShortlists = value;
    if (digest) m.files['decoder_step_search_ko.onnx'] = { sha256: 'b'.repeat(64), bytes: 1 };
    else delete m.files['decoder_step_search_ko.onnx'];
    return m;
  };
  const ko = { file: 'decoder_step_search_ko.onnx', inputs: [], outputs: [], vocab: 9000, ids: { offset: 64, length: 36000 } };
  assert.ok(engineFiles(validateManifest(withShortlists({ ko }))).includes('decoder_step_search_ko.onnx'), 'its file is verified at load');
  assert.throws(() => validateManifest(withShortlists({ ko }, false)), /files.*decoder_step_search_ko\.onnx/, 'its file needs a digest');
  assert.throws(() => validateManifest(withShortlists({ fr: ko })), /searchShortlists\.fr.*names a language the package lacks/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, file: 'a/b.onnx' } })), /searchShortlists\.ko\.file/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, vocab: 0 } })), /searchShortlists\.ko\.vocab/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, vocab: 1e6 } })), /searchShortlists\.ko\.vocab.*1 to 16000/);
  assert.throws(() => validateManifest(withShortlists([])), /searchShortlists/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, ids: undefined } })), /searchShortlists\.ko\.ids.*missing/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, ids: { offset: 2, length: 36000 } } })), /searchShortlists\.ko\.ids\.offset.*multiple of 4/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, ids: { offset: 64, length: 4 } } })), /searchShortlists\.ko\.ids\.length.*36000/);
  assert.throws(() => validateManifest(withShortlists({ ko: { ...ko, ids: { offset: 1e9, length: 36000 } } })), /searchShortlists\.ko\.ids.*past the end of "weights\.bin"/);
});

test('widened weights: the widened file, its encoding and its spans are checked; the file is never one the package holds', { skip: noPackage }, () => {
  const base: Json = JSON.parse(readFileSync(join(pristine!, 'manifest.json'), 'utf8'));
  const withWidened = (value: unknown): Json => ({ ...structuredClone(base), widenedWeights: value });
  const bytes = base.files['weights.bin'].bytes as number;
  const ok = { file: 'weights.f32.bin', spans: [[0, 1024], [1024, 512], [4096, bytes - 4096]] };
  assert.deepEqual(validateManifest(withWidened(ok)).widenedWeights, ok);
  assert.ok(!engineFiles(validateManifest(withWidened(ok))).includes('weights.f32.bin'), 'nothing to read or check: the engine writes it');
  assert.throws(() => validateManifest(withWidened({ ...ok, file: 'weights.bin' })), /widenedWeights\.file.*does not hold/);
  assert.throws(() => validateManifest(withWidened({ ...ok, file: 'encoder.onnx' })), /widenedWeights\.file.*does not hold/);
  assert.throws(() => validateManifest(withWidened({ ...ok, file: '../w.bin' })), /widenedWeights\.file/);
  assert.throws(() => validateManifest(withWidened({ ...ok, spans: 'all' })), /widenedWeights\.spans.*list/);
  assert.throws(() => validateManifest(withWidened({ ...ok, spans: [[0, 3]] })), /widenedWeights\.spans\[0\].*even/);
  assert.throws(() => validateManifest(withWidened({ ...ok, spans: [[1024, 64], [0, 64]] })), /widenedWeights\.spans\[1\].*after the span before it/);
  assert.throws(() => validateManifest(withWidened({ ...ok, spans: [[0, bytes + 2]] })), /widenedWeights\.spans\[0\].*\(\d+ bytes\)/);
  assert.throws(() => validateManifest(withWidened({ ...ok, spans: [[0]] })), /widenedWeights\.spans\[0\]/);
  // int8 storage: each span's size must be n codes and ceil(n / 32) scales.
  const int8 = { file: 'weights.f32.bin', encoding: 'int8-block32', spans: [[0, 34], [64, 3], [128, 1000 + 2 * 32]] };
  assert.deepEqual(validateManifest(withWidened(int8)).widenedWeights, int8);
  assert.throws(() => validateManifest(withWidened({ ...int8, spans: [[0, 35]] })), /widenedWeights\.spans\[0\].*int8-block32 data/);
  assert.throws(() => validateManifest(withWidened({ ...int8, encoding: 'int4' })), /widenedWeights\.encoding.*"float16" or "int8-block32"/);
});

test('digests are cached by file identity: a second check hashes nothing, a changed file is hashed again', { skip: noPackage }, async () => {
  const dir = copyPackage();
  const m = validateManifest(readManifestJson(dir));
  const expected = Object.fromEntries(engineFiles(m).map((f) => [f, m.files[f]]));
  const source = fsPackage(dir);
  const hashedBefore = localDigests.hashed;
  await source.verify!(expected);
  assert.equal(localDigests.hashed - hashedBefore, engineFiles(m).length, 'cold: every file hashed once');
  const warm = localDigests.hashed;
  await source.verify!(expected);
  await fsPackage(dir).verify!(expected);
  assert.equal(localDigests.hashed, warm, 'warm: nothing hashed again');

  // Same size, one byte different, newer mtime (set explicitly: some file systems keep whole-second mtimes).
  const graph = join(dir, m.graphs.decoderStep.file);
  flipByte(graph, (n) => n - 1);
  const later = new Date(Date.now() + 10_000);
  utimesSync(graph, later, later);
  await assert.rejects(source.verify!(expected), (e: unknown) => e instanceof PackageError && e.file === graph && /sha256 does not match/.test(e.problem));
  assert.equal(localDigests.hashed, warm + 1, 'only the changed file was hashed again');
});

test('package file names must be plain names inside the package folder', () => {
  for (const ok of ['weights.bin', 'encoder_attn.onnx', 'tokenizer.json', '.hidden', 'a..b']) assert.ok(isPlainFileName(ok), ok);
  for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', '/etc/passwd', 'C:\\x', 'C:x', 'x\u0000', 'x\n', 42, null, undefined]) {
    assert.ok(!isPlainFileName(bad), JSON.stringify(bad));
  }
});

test('a digest being computed is shared: a second check of the same file waits for it instead of hashing again', async () => {
  const cache = new DigestCache();
  let computed = 0;
  let finish!: (sha: string) => void;
  const compute = () => {
    computed++;
    return new Promise<string>((resolve) => { finish = resolve; });
  };
  const stat = { bytes: 3, identity: '/p/weights.bin|3|1|1:2' };
  const first = cache.digest(stat, compute);
  const second = cache.digest(stat, compute);
  finish('abc');
  assert.deepEqual(await Promise.all([first, second]), ['abc', 'abc']);
  assert.equal(computed, 1);
  assert.equal(await cache.digest(stat, compute), 'abc', 'then from the cache');
  assert.equal(computed, 1);
  // A failed computation is not kept: the next check computes again.
  const other = { bytes: 3, identity: '/p/encoder.onnx|3|1|1:3' };
  await assert.rejects(cache.digest(other, async () => { throw new Error('read failed'); }), /read failed/);
  assert.equal(await cache.digest(other, async () => 'def'), 'def');
});
