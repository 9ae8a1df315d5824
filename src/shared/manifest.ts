// The model package's manifest.json. Mirrors models/training/export.py (export_package, graph_specs): change both together.

export const MANIFEST_FORMAT = 1;

export type Lang = 'en' | 'ko' | 'de';
export const LANGS: readonly Lang[] = ['en', 'ko', 'de'];
/** The target-language setting: a language, or `auto` (decided from the source text). */
export type TargetSetting = 'auto' | Lang;
export const LANG_NAMES: Record<Lang, string> = { en: 'English', ko: 'Korean', de: 'German' };

export interface TensorSpec { name: string; type: string; shape: (string | number)[] }
export interface GraphSpec { file: string; inputs: TensorSpec[]; outputs: TensorSpec[] }
export type GraphName = 'encoder' | 'encoderAttn' | 'decoderStep' | 'decoderStepAttn';

export interface ScorePair { bleu?: number; chrf?: number; bleuChar?: number; sentences?: number }

export interface ModelManifest {
  format: number;
  id: string;
  description?: string;
  languages: Lang[];
  directions: [Lang, Lang][];
  tags: Record<Lang, string>;
  special: { pad: number; unk: number; bos: number; eos: number; tags: Record<Lang, number> };
  dims: {
    vocab: number; dModel: number; heads: number; dHead: number; dFF: number;
    encoderLayers: number; decoderLayers: number; maxLen: number; preLN?: boolean; params?: number;
  };
  weightsDtype?: 'fp32' | 'fp16';
  tokenizer: { model: string; json: string };
  weights: string;
  graphs: Record<GraphName, GraphSpec>;
  files: Record<string, { sha256: string; bytes: number }>;
  decoding?: { beam: number; lengthPenalty: number };
  scores?: Record<string, Record<string, ScorePair>>;
  training?: { config?: string; steps?: number; minutes?: number; device?: string; pairs?: number };
  packageBytes?: number;
}

const GRAPHS: GraphName[] = ['encoder', 'encoderAttn', 'decoderStep', 'decoderStepAttn'];

/** Checks the fields the engine relies on; the message says which field is wrong and in which package. */
export function validateManifest(value: unknown, where: string): ModelManifest {
  const fail = (what: string): never => {
    throw new Error(`Model package ${where}: manifest.json ${what}.`);
  };
  if (typeof value !== 'object' || value === null) fail('is not a JSON object');
  const m = value as Partial<ModelManifest>;
  if (m.format !== MANIFEST_FORMAT) fail(`has format ${String(m.format)}; this version reads format ${MANIFEST_FORMAT}`);
  if (typeof m.id !== 'string' || !m.id) fail('has no "id"');
  if (!Array.isArray(m.languages) || m.languages.length === 0) fail('has no "languages"');
  const s = m.special;
  if (!s || ![s.pad, s.unk, s.bos, s.eos].every(Number.isInteger) || typeof s.tags !== 'object') fail('has no valid "special" token ids');
  const d = m.dims;
  if (!d || ![d.vocab, d.dModel, d.heads, d.dHead, d.encoderLayers, d.decoderLayers, d.maxLen].every((x) => Number.isInteger(x) && x > 0)) {
    fail('has no valid "dims"');
  }
  if (!m.tokenizer || typeof m.tokenizer.json !== 'string') fail('has no "tokenizer.json" entry');
  if (typeof m.weights !== 'string') fail('has no "weights" file');
  for (const g of GRAPHS) if (!m.graphs || typeof m.graphs[g]?.file !== 'string') fail(`has no "${g}" graph`);
  if (!m.directions) m.directions = [];
  return m as ModelManifest;
}

/** Can this package translate from `from` into `to`? */
export function supportsDirection(m: ModelManifest, from: Lang, to: Lang): boolean {
  return m.directions.some(([a, b]) => a === from && b === to);
}
