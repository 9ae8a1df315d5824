// Checks a parsed manifest.json completely, before any other file of the package is read, so that a bad package
// fails at load with the field named, never later at translate time. Mirrors what models/training/export.py writes
// (export_package, write_manifest): change both together.
import { GRAPH_NAMES, LANGS, OPTIONAL_GRAPH_NAMES, MANIFEST_FORMAT, spanElements, type FileDigest, type Lang, type ModelManifest, type WidenedEncoding } from './manifest';
import { ManifestError, isPlainFileName } from './packageError';

/**
 * The longest maxLen accepted. The engine needs room for a tag, one piece and </s> (3); above this the attention
 * views (S x S per head and layer) would take hundreds of MB, so a larger value is a broken manifest, not a model.
 */
export const MAX_LEN_RANGE = { min: 3, max: 4096 } as const;

const DIM_FIELDS = ['vocab', 'dModel', 'heads', 'dHead', 'dFF', 'encoderLayers', 'decoderLayers', 'maxLen'] as const;

/** The files the engine reads, each once: the tokenizer export, the shared weights and every graph. */
export function engineFiles(m: ModelManifest): string[] {
  const optional = OPTIONAL_GRAPH_NAMES.flatMap((g) => m.graphs[g]?.file ?? []);
  const shortlists = Object.values(m.searchShortlists ?? {}).map((s) => s.file);
  return [...new Set([m.tokenizer.json, m.weights, ...GRAPH_NAMES.map((g) => m.graphs[g].file), ...optional, ...shortlists])];
}

/**
 * Returns the manifest typed, or throws a ManifestError naming the field and what is wrong with it.
 * `file` names the manifest in messages (its path or URI).
 */
export function validateManifest(value: unknown, file = 'manifest.json'): ModelManifest {
  // Typed as Fail so that TypeScript narrows after each `if (...) fail(...)`.
  const fail: Fail = (field, problem) => {
    throw new ManifestError(file, field, problem);
  };
  if (!isObject(value)) throw new ManifestError(file, '(top level)', 'is not a JSON object');
  const m = value;

  if (m.format !== MANIFEST_FORMAT) fail('format', `is ${show(m.format)}; this version reads format ${MANIFEST_FORMAT}`);
  if (typeof m.id !== 'string' || !m.id.trim()) fail('id', `is ${show(m.id)}; it must be a non-empty string`);
  if (m.description !== undefined && typeof m.description !== 'string') fail('description', 'must be a string');

  const languages = checkLanguages(m.languages, fail);
  checkDirections(m.directions, languages, fail);
  const tags = objectField(m, 'tags', fail);
  for (const l of languages) {
    if (typeof tags[l] !== 'string' || !tags[l]) fail(`tags.${l}`, `is ${show(tags[l])}; it must be the tag piece that asks for ${l} output`);
  }

  const dims = objectField(m, 'dims', fail);
  for (const f of DIM_FIELDS) {
    if (!isPositiveInteger(dims[f])) fail(`dims.${f}`, `is ${show(dims[f])}; it must be a positive integer`);
  }
  const vocab = dims.vocab as number;
  if ((dims.heads as number) * (dims.dHead as number) !== dims.dModel) {
    fail('dims.dHead', `is ${show(dims.dHead)}; heads x dHead must equal dModel (${show(dims.heads)} x ${show(dims.dHead)} != ${show(dims.dModel)})`);
  }
  const maxLen = dims.maxLen as number;
  if (maxLen < MAX_LEN_RANGE.min || maxLen > MAX_LEN_RANGE.max) {
    fail('dims.maxLen', `is ${maxLen}; it must be from ${MAX_LEN_RANGE.min} to ${MAX_LEN_RANGE.max}`);
  }
  if (dims.preLN !== undefined && typeof dims.preLN !== 'boolean') fail('dims.preLN', 'must be true or false');

  const special = objectField(m, 'special', fail);
  const tokenId = (field: string, v: unknown, allowNone = false) => {
    // sentencepiece writes -1 for an id it does not use; only pad may be unused (the engine never pads).
    const ok = Number.isInteger(v) && (v as number) < vocab && ((v as number) >= 0 || (allowNone && v === -1));
    if (!ok) fail(field, `is ${show(v)}; it must be a token id from 0 to ${vocab - 1} (dims.vocab is ${vocab})`);
  };
  tokenId('special.pad', special.pad, true);
  for (const k of ['unk', 'bos', 'eos'] as const) tokenId(`special.${k}`, special[k]);
  const tagIds = objectField(special, 'tags', (f, p) => fail(`special.${f}`, p));
  for (const l of languages) tokenId(`special.tags.${l}`, tagIds[l]);

  if (m.weightsDtype !== undefined && m.weightsDtype !== 'fp32' && m.weightsDtype !== 'fp16' && m.weightsDtype !== 'int8') {
    fail('weightsDtype', `is ${show(m.weightsDtype)}; it must be "fp32", "fp16" or "int8"`);
  }
  const tokenizer = objectField(m, 'tokenizer', fail);
  checkFileName('tokenizer.json', tokenizer.json, fail);
  checkFileName('tokenizer.model', tokenizer.model, fail);
  checkFileName('weights', m.weights, fail);
  const graphs = objectField(m, 'graphs', fail);
  for (const g of GRAPH_NAMES) {
    const spec = graphs[g];
    if (!isObject(spec)) fail(`graphs.${g}`, 'is missing; every package needs all four graphs (the attention views use the *Attn ones)');
    checkFileName(`graphs.${g}.file`, spec.file, fail);
    for (const io of ['inputs', 'outputs'] as const) if (!Array.isArray(spec[io])) fail(`graphs.${g}.${io}`, 'must be a list');
  }
  for (const g of OPTIONAL_GRAPH_NAMES) {
    const spec = graphs[g];
    if (spec === undefined) continue;
    if (!isObject(spec)) fail(`graphs.${g}`, 'must be an object with file, inputs and outputs (or be left out)');
    checkFileName(`graphs.${g}.file`, spec.file, fail);
    for (const io of ['inputs', 'outputs'] as const) if (!Array.isArray(spec[io])) fail(`graphs.${g}.${io}`, 'must be a list');
  }

  const shortlistRanges: [string, number][] = [];
  if (m.searchShortlists !== undefined) {
    const shortlists = objectField(m, 'searchShortlists', fail);
    for (const [lang, spec] of Object.entries(shortlists)) {
      const field = `searchShortlists.${lang}`;
      if (!languages.includes(lang as Lang)) fail(field, `names a language the package lacks; it has ${languages.join(', ')}`);
      if (!isObject(spec)) fail(field, 'must be an object with file, inputs, outputs and vocab');
      checkFileName(`${field}.file`, spec.file, fail);
      for (const io of ['inputs', 'outputs'] as const) if (!Array.isArray(spec[io])) fail(`${field}.${io}`, 'must be a list');
      if (!isPositiveInteger(spec.vocab) || spec.vocab > vocab) fail(`${field}.vocab`, `is ${show(spec.vocab)}; it must be how many ids the shortlist keeps, 1 to ${vocab}`);
      const ids = objectField(spec, 'ids', (f, p) => fail(`${field}.${f}`, p));
      if (!Number.isSafeInteger(ids.offset) || (ids.offset as number) < 0 || (ids.offset as number) % 4) fail(`${field}.ids.offset`, `is ${show(ids.offset)}; it must be a byte offset into ${show(m.weights)}, a multiple of 4`);
      if (ids.length !== 4 * spec.vocab) fail(`${field}.ids.length`, `is ${show(ids.length)}; it must be 4 x vocab (${4 * spec.vocab}): int32 ids`);
      shortlistRanges.push([`${field}.ids`, (ids.offset as number) + (ids.length as number)]);
    }
  }

  const files = checkFiles(m.files, fail);
  const typed = m as unknown as ModelManifest;
  for (const name of engineFiles(typed)) {
    if (!files[name]) fail('files', `has no entry for ${show(name)}; its size and sha256 are needed to check it`);
  }
  for (const [field, end] of shortlistRanges) {
    const bytes = files[m.weights as string].bytes;
    if (end > bytes) fail(field, `ends at byte ${end}, past the end of ${show(m.weights)} (${bytes} bytes)`);
  }
  if (m.widenedWeights !== undefined) checkWidened(m, files, fail);

  if (m.decoding !== undefined) {
    const d = objectField(m, 'decoding', fail);
    if (d.beam !== undefined && !isPositiveInteger(d.beam)) fail('decoding.beam', `is ${show(d.beam)}; it must be a positive integer`);
    if (d.lengthPenalty !== undefined && !Number.isFinite(d.lengthPenalty)) fail('decoding.lengthPenalty', 'must be a number');
  }
  return typed;
}

/** The widened file's name, its encoding and its spans: each one that encoding can hold, in order, inside the weights file. */
function checkWidened(m: Json, files: Record<string, FileDigest>, fail: Fail): void {
  const w = objectField(m, 'widenedWeights', fail);
  checkFileName('widenedWeights.file', w.file, fail);
  const weightBytes = files[m.weights as string].bytes;
  if (w.file === m.weights || files[w.file as string] !== undefined) {
    fail('widenedWeights.file', `is ${show(w.file)}; it must name a file the package does not hold (the engine writes it in memory)`);
  }
  const encoding = (w.encoding ?? 'float16') as WidenedEncoding;
  if (encoding !== 'float16' && encoding !== 'int8-block32') {
    fail('widenedWeights.encoding', `is ${show(w.encoding)}; it must be "float16" or "int8-block32"`);
  }
  if (!Array.isArray(w.spans)) fail('widenedWeights.spans', 'must be a list of [byte offset, bytes] pairs');
  let end = 0;
  (w.spans as unknown[]).forEach((span, i) => {
    const [offset, bytes] = Array.isArray(span) ? span : [];
    const ok = Array.isArray(span) && span.length === 2 && Number.isSafeInteger(offset) && Number.isSafeInteger(bytes)
      && offset >= end && offset % 2 === 0 && spanElements(bytes, encoding) > 0 && offset + bytes <= weightBytes;
    if (!ok) fail(`widenedWeights.spans[${i}]`, `is ${show(span)}; it must be [byte offset, bytes] of ${encoding} data in ${show(m.weights)} (${weightBytes} bytes), at an even offset after the span before it`);
    end = offset + bytes;
  });
}

type Fail = (field: string, problem: string) => never;
type Json = Record<string, unknown>;

function checkLanguages(value: unknown, fail: Fail): Lang[] {
  if (!Array.isArray(value) || value.length === 0) fail('languages', `is ${show(value)}; it must list the package's languages`);
  const list = value as unknown[];
  list.forEach((l, i) => {
    if (!LANGS.includes(l as Lang)) fail(`languages[${i}]`, `is ${show(l)}; this version knows ${LANGS.join(', ')}`);
  });
  if (new Set(list).size !== list.length) fail('languages', 'lists a language twice');
  return list as Lang[];
}

function checkDirections(value: unknown, languages: Lang[], fail: Fail): void {
  if (!Array.isArray(value)) fail('directions', `is ${show(value)}; it must list [from, to] pairs`);
  (value as unknown[]).forEach((d, i) => {
    const pair = Array.isArray(d) && d.length === 2 && d.every((l) => languages.includes(l as Lang)) && d[0] !== d[1];
    if (!pair) fail(`directions[${i}]`, `is ${show(d)}; it must be [from, to], two different languages from "languages"`);
  });
}

function checkFiles(value: unknown, fail: Fail): Record<string, FileDigest> {
  if (!isObject(value)) fail('files', 'is missing; it must give each file\'s sha256 and size (export.py write_manifest writes it)');
  const files = value as Json;
  for (const [name, entry] of Object.entries(files)) {
    if (!isPlainFileName(name)) fail('files', `names ${show(name)}; a package file must be a plain file name inside the package folder`);
    const e = isObject(entry) ? entry : {};
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) {
      fail(`files.${name}.sha256`, `is ${show(e.sha256)}; it must be 64 lowercase hex digits`);
    }
    if (!Number.isSafeInteger(e.bytes) || (e.bytes as number) < 0) fail(`files.${name}.bytes`, `is ${show(e.bytes)}; it must be a size in bytes`);
  }
  return files as Record<string, FileDigest>;
}

function checkFileName(field: string, value: unknown, fail: Fail): void {
  if (!isPlainFileName(value)) fail(field, `is ${show(value)}; it must be a plain file name inside the package folder (no folders, no "..")`);
}

function objectField(parent: Json, field: string, fail: Fail): Json {
  const v = parent[field];
  if (!isObject(v)) fail(field, v === undefined ? 'is missing' : `is ${show(v)}; it must be an object`);
  return v as Json;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInteger(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0;
}

/** A manifest value for a message: JSON, cut short so a huge or hostile value cannot flood the notification. */
function show(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
