// Reads the package's JSON files (manifest.json, tokenizer.json) into checked values; every error names the file.
import { validateManifest } from '../shared/manifestValidation';
import type { ModelManifest } from '../shared/manifest';
import { PackageError, packageFileLabel } from '../shared/packageError';
import type { PackageSource } from './onnxModel';
import { SentencePieceTokenizer, type TokenizerJSON } from './tokenizer';

export async function readManifest(source: PackageSource): Promise<ModelManifest> {
  const file = packageFileLabel(source.location, 'manifest.json');
  return validateManifest(parseJsonFile(await source.read('manifest.json'), file), file);
}

/** JSON.parse that never repeats the file's text in its error (V8's messages quote the start of the input). */
export function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PackageError(file, 'is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /at position (\d+)/.exec((e as Error).message);
    throw new PackageError(file, `is not valid JSON${at ? ` (the error is at character ${at[1]})` : ''}`);
  }
}

/** The tokenizer export, checked for shape and against the manifest's vocabulary and special ids. */
export function readTokenizer(bytes: Uint8Array, file: string, manifest: ModelManifest): SentencePieceTokenizer {
  const json = parseJsonFile(bytes, file) as Partial<TokenizerJSON> | null;
  const notExport = (what: string) => new PackageError(file, `is not a tokenizer export (models/training/tokenizer.py json): ${what}`);
  if (typeof json !== 'object' || json === null || !Array.isArray(json.pieces)) throw notExport('it has no "pieces" list');
  const bad = json.pieces.findIndex((p) => !Array.isArray(p) || typeof p[0] !== 'string' || !Number.isFinite(p[1]) || !Number.isInteger(p[2]));
  if (bad >= 0) throw notExport(`pieces[${bad}] is not [piece, score, type]`);
  let tokenizer: SentencePieceTokenizer;
  try {
    tokenizer = SentencePieceTokenizer.fromJSON(json as TokenizerJSON);
  } catch (e) {
    throw notExport((e as Error).message.replace(/^tokenizer: /, ''));
  }
  const { dims, special, tags } = manifest;
  const disagree = (what: string) => new PackageError(file, `${what}: the tokenizer and manifest.json are from different exports`);
  if (tokenizer.vocabSize !== dims.vocab) throw disagree(`has ${tokenizer.vocabSize} pieces but manifest.json says dims.vocab is ${dims.vocab}`);
  if (tokenizer.eosId !== special.eos) throw disagree(`has </s> at id ${tokenizer.eosId} but manifest.json says special.eos is ${special.eos}`);
  if (tokenizer.bosId !== special.bos) throw disagree(`has <s> at id ${tokenizer.bosId} but manifest.json says special.bos is ${special.bos}`);
  for (const l of manifest.languages) {
    const id = tokenizer.pieceToId(tags[l]);
    if (id !== special.tags[l]) throw disagree(`has ${tags[l]} at id ${id} but manifest.json says special.tags.${l} is ${special.tags[l]}`);
  }
  return tokenizer;
}
