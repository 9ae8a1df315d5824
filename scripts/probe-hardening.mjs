// Re-runs the hostile-user probes of issue 11 against the shipped default package and prints a table
// "probe | before (from the issue) | now". A diagnostic, not a test: it asserts nothing and is not part of npm test.
// Usage: node scripts/probe-hardening.mjs [probe-name-substring]     (about 10 minutes on 2 busy cores)
// It bundles the engine from src/ with esbuild into build/probe-hardening/ and runs the built CLI (dist/cli.js,
// `node scripts/build.mjs` first). Corrupt packages are made in a temporary copy; models/ is only read.
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const BEAM = 4;   // the extension's default, as in the issue's probes

const engineFile = join(root, 'build/probe-hardening/engine.cjs');
await esbuild.build({
  stdin: {
    contents: `export { OnnxModel } from './src/engine/onnxModel';
      export { Translator } from './src/engine/translator';
      export { defaultPackageDir, fsPackage } from './src/node/fsPackage';`,
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', target: 'node18', external: ['onnxruntime-web'], outfile: engineFile, logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const { OnnxModel, Translator, defaultPackageDir, fsPackage } = require(engineFile);
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const packageDir = defaultPackageDir(root);
const model = await OnnxModel.load(ort, fsPackage(packageDir), 'wasm');
const translator = new Translator(model);

// ---- measures ---------------------------------------------------------------------------------------------------

/**
 * UTF-16 units of `text` that reach the output neither through the model nor as kept text: a unit inside a piece the
 * engine sends to the model must lie under a source token of some sentence; text between those pieces is copied, so
 * each such run must appear in the output.
 */
function lostUnits(text, result) {
  const covered = new Uint8Array(text.length);
  for (const s of result.sentences) {
    for (const tok of s.srcTokens.slice(1, -1)) covered.fill(1, s.sourceOffset + tok.start, s.sourceOffset + tok.end);
  }
  const spans = translator.sourceSpans(text);
  let lost = 0;
  let cursor = 0;
  const keptRun = (from, to) => {
    const run = text.slice(from, to).trim();
    if (run && !result.text.includes(run)) lost += run.length;
  };
  for (const span of spans) {
    keptRun(cursor, span.start);
    for (let i = span.start; i < span.end; i++) if (!covered[i] && text[i].trim()) lost++;
    cursor = span.end;
  }
  keptRun(cursor, text.length);
  return lost;
}

const fffdShare = (s) => {
  const chars = [...s];
  return chars.length ? chars.filter((c) => c === '\uFFFD').length / chars.length : 0;
};
const pct = (x) => `${(100 * x).toFixed(0)}%`;
const count = (n) => n.toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const attentionJsonBytes = (r) => Buffer.byteLength(JSON.stringify(r.sentences.map((s) => s.attention ?? null)));
const oneLine = (s, max = 140) => { const t = String(s).replace(/\s+/g, ' '); return t.length > max ? t.slice(0, max - 1) + '…' : t; };

const PARAGRAPH = [
  'The Transformer is based solely on attention mechanisms.', 'Two dogs are playing in the snow.',
  'Returns a list of the words in the string.', 'The model reads the whole sentence at once.',
  'Each head looks at a different part of the input.', 'Attention weights show which words the model used.',
].join(' ');

// ---- probes -----------------------------------------------------------------------------------------------------

const probes = [];
const probe = (name, before, run) => probes.push({ name, before, run });

probe('400 CJK characters: characters lost', '315 of 400 lost', async () => {
  const text = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 0x5000))).join('');
  const r = await translator.translate(text, { from: 'ko', to: 'en', beam: BEAM });
  return `${count(lostUnits(text, r))} of ${count(text.length)} lost (${r.sentences.length} pieces)`;
});

probe('10,000-character word: characters lost', '3,650 of 10,000 lost', async () => {
  const text = 'attentionisallyouneed'.repeat(477).slice(0, 10_000);
  const r = await translator.translate(text, { from: 'en', to: 'ko', beam: BEAM });
  return `${count(lostUnits(text, r))} of ${count(text.length)} lost (${r.sentences.length} chunks)`;
});

probe('200 emoji: lost, U+FFFD share of output', '272 of 400 lost; 93% U+FFFD', async () => {
  const pool = ['😀', '🚀', '🎉', '😍', '🤖', '🔥', '👍', '🌍'];
  const text = Array.from({ length: 200 }, (_, i) => pool[i % pool.length]).join('');
  const r = await translator.translate(text, { from: 'en', to: 'ko', beam: BEAM });
  return `${count(lostUnits(text, r))} of ${count(text.length)} lost; ${pct(fffdShare(r.text))} U+FFFD; output ${r.text === text ? 'equals the input' : 'differs from the input'}`;
});

probe('2 concurrent translations (attention + plain): failures of 10', '10 of 10 failed', async () => {
  const a = ['The Transformer is based solely on attention mechanisms.', { from: 'en', to: 'ko', beam: 2, attention: true }];
  const b = ['Two dogs are playing in the snow.', { from: 'en', to: 'de', beam: 2 }];
  const comparable = (r) => JSON.stringify({ ...r, millis: 0 });
  const seqA = comparable(await translator.translate(...a));
  const seqB = comparable(await translator.translate(...b));
  let failed = 0;
  let firstError = '';
  for (let i = 0; i < 10; i++) {
    try {
      const [ra, rb] = await Promise.all([translator.translate(...a), translator.translate(...b)]);
      if (comparable(ra) !== seqA || comparable(rb) !== seqB) { failed++; firstError ||= 'result differs from sequential'; }
    } catch (e) {
      failed++;
      firstError ||= e.message;
    }
  }
  return `${failed} of 10 failed${firstError ? ` (${oneLine(firstError, 60)})` : ''}; results equal the sequential ones`;
});

probe('10 ms timer ticks during a translation; abort at +100 ms', '0 ticks in 1.4 s; abort ignored', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  await translator.translate(PARAGRAPH, { from: 'en', to: 'ko', beam: BEAM });
  const ms = performance.now() - t0;
  clearInterval(timer);
  const abort = new AbortController();
  let abortedAt = 0;
  setTimeout(() => { abortedAt = performance.now(); abort.abort(); }, 100);
  const t1 = performance.now();
  let outcome;
  try {
    await translator.translate(PARAGRAPH, { from: 'en', to: 'ko', beam: BEAM, signal: abort.signal });
    outcome = `finished anyway after ${secs(performance.now() - t1)}`;
  } catch (e) {
    outcome = `${e.name} ${(performance.now() - abortedAt).toFixed(1)} ms after the abort`;
  }
  return `${ticks} ticks in ${secs(ms)} (${Math.floor(ms / 10)} at most); abort: ${outcome}`;
});

/** Loads a temporary copy of the package after `corrupt` changed it; the outcome in words. */
async function loadCorrupted(corrupt, translateAfter) {
  const dir = mkdtempSync(join(tmpdir(), 'ac-probe-pkg-'));
  try {
    cpSync(packageDir, dir, { recursive: true });
    const file = corrupt(dir);
    let m;
    try {
      m = await OnnxModel.load(ort, fsPackage(dir), 'wasm');
    } catch (e) {
      const leaks = /root:|localhost|\/bin\/(ba)?sh/.test(e.message);
      return `load fails; names ${file}: ${e.message.includes(file) ? 'yes' : 'NO'}${leaks ? '; ECHOES A SYSTEM FILE' : ''} — "${oneLine(e.message.replace(dir, '<tmp>'), 130)}"`;
    }
    try {
      return `LOADS${translateAfter ? `; ${await translateAfter(m)}` : ''}`;
    } finally {
      await m.release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const editManifest = (edit) => (dir) => {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 1));
  return 'manifest.json';
};

probe('64 KB of zeroed weights', 'loads; 2 of 5 translations change', () => loadCorrupted((dir) => {
  const name = model.manifest.weights;
  const path = join(dir, name);
  const bytes = readFileSync(path);
  bytes.fill(0, bytes.length >> 1, (bytes.length >> 1) + 65_536);
  writeFileSync(path, bytes);
  return name;
}, async (m) => {
  const t = new Translator(m);
  let changed = 0;
  for (const s of PARAGRAPH.split(/(?<=\.) /).slice(0, 5)) {
    const opts = { from: 'en', to: 'ko', beam: BEAM };
    if ((await t.translate(s, opts)).text !== (await translator.translate(s, opts)).text) changed++;
  }
  return `${changed} of 5 translations change`;
}));

probe('a flipped byte mid-graph', 'loads', () => loadCorrupted((dir) => {
  const name = model.manifest.graphs.encoder.file;
  const path = join(dir, name);
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(path, bytes);
  return name;
}));

probe('manifest file name with ..', 'reads a system file, echoes its first line', () =>
  loadCorrupted(editManifest((m) => { m.tokenizer.json = '../../../../../../../../etc/passwd'; })));

probe('manifest without tags', '"Cannot read properties of undefined"', () =>
  loadCorrupted(editManifest((m) => { delete m.tags; })));

probe('out-of-range eos', 'loads; fails at translate time', () =>
  loadCorrupted(editManifest((m) => { m.special.eos = m.dims.vocab + 5; })));

/** An English sentence of exactly `tokens` source tokens, with no sentence break in it. */
function sentenceOfTokens(tokens) {
  const words = 'the model reads every word of the long sentence and each head looks at a different part of it while the decoder writes'.split(' ');
  let text = 'Attention';
  for (let i = 0; model.tokenizer.encode(text).ids.length < tokens; i++) text += ' ' + words[i % words.length];
  while (model.tokenizer.encode(text).ids.length > tokens) text = text.slice(0, text.lastIndexOf(' '));
  return text;
}

probe('attention JSON of one maximum-length sentence', '48.5 MB', async () => {
  const text = sentenceOfTokens(translator.maxSourceTokens);
  const r = await translator.translate(text, { from: 'en', to: 'ko', beam: BEAM, attention: true });
  const tokens = r.sentences.map((s) => s.srcTokens.length - 2).join('+');
  return `${mb(attentionJsonBytes(r))} (${tokens} source tokens${r.attentionLeftOut ? `; "${oneLine(r.attentionLeftOut.message, 70)}"` : ''})`;
});

probe('10,001-character line, CLI --attention', 'died after 107 s at 3.05 GB ("Invalid string length")', async () => {
  const cli = join(root, 'dist/cli.js');
  if (!existsSync(cli)) return 'dist/cli.js missing: run node scripts/build.mjs';
  let line = '';
  for (let i = 0; line.length < 10_001; i++) line += (i ? ' ' : '') + PARAGRAPH.split(/(?<=\.) /)[i % 6];
  line = line.slice(0, 10_001);
  const dir = mkdtempSync(join(tmpdir(), 'ac-probe-cli-'));
  const out = join(dir, 'attention.json');
  try {
    const t0 = performance.now();
    // GNU time reports the CLI's own peak RSS (%M, KB) on the last line of stderr.
    const { code, stdout, stderr } = await new Promise((resolveRun) => {
      const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, cli, 'translate', '--to', 'ko', '--beam', String(BEAM), '--attention', out]);
      let so = '';
      let se = '';
      child.stdout.on('data', (d) => { so += d; });
      child.stderr.on('data', (d) => { se += d; });
      child.on('close', (c) => resolveRun({ code: c, stdout: so, stderr: se }));
      child.stdin.end(line + '\n');
    });
    const ms = performance.now() - t0;
    const peak = Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN) * 1024;
    let file = 'no attention file';
    if (existsSync(out)) {
      try {
        const records = JSON.parse(readFileSync(out, 'utf8'));
        const sentences = records[0]?.sentences ?? [];
        file = `valid JSON, ${mb(statSync(out).size)}, ${sentences.filter((s) => s.attention).length} of ${sentences.length} sentences with attention`;
      } catch (e) {
        file = `attention file is not JSON (${oneLine(e.message, 40)})`;
      }
    }
    // The CLI's own words about what it left out (its progress lines go to stderr too).
    const leftOut = stderr.split('\n').find((l) => /left out/i.test(l));
    const progressLines = stderr.split('\n').filter((l) => / sentences translated$/.test(l)).length;
    return `exit ${code} after ${secs(ms)}, peak RSS ${mb(peak)}; ${stdout.trim() ? 'one line of output' : 'NO OUTPUT'}; ${file}; `
      + `${progressLines} progress lines${leftOut ? `; stderr: "${oneLine(leftOut.replace(/^attention-companion: /, ''), 70)}"` : ''}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

probe('emoji + bidi input: U+FFFD share of output', '93% U+FFFD', async () => {
  const text = 'I love this paper 😍🤖🇰🇷 and the \u202Bright-to-left\u202C part \u2067works\u2069 too 👋🏽.';
  const r = await translator.translate(text, { from: 'en', to: 'ko', beam: BEAM });
  const kept = ['😍🤖🇰🇷', '👋🏽', '\u202B', '\u2067'].filter((s) => r.text.includes(s)).length;
  return `${pct(fffdShare(r.text))} U+FFFD; ${kept} of 4 emoji/bidi spans kept verbatim`;
});

// ---- run and print ----------------------------------------------------------------------------------------------

const rows = [];
const started = performance.now();
for (const p of probes) {
  if (only && !p.name.includes(only)) continue;
  const t0 = performance.now();
  let now;
  try {
    now = await p.run();
  } catch (e) {
    now = `PROBE ERROR: ${oneLine(e.message)}`;
  }
  rows.push([p.name, p.before, now]);
  process.stderr.write(`probe done in ${secs(performance.now() - t0)}: ${p.name}\n`);
}
await model.release();

const header = ['probe', 'before (from the issue)', 'now'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const row = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`Hardening probes, issue 11 — package ${model.manifest.id}, onnxruntime-web WASM in Node ${process.version}, beam ${BEAM}`);
console.log(row(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(row(r));
console.log(`(${rows.length} probes in ${secs(performance.now() - started)})`);
