// The model package's manifest.json. Mirrors models/training/export.py (export_package, graph_specs): change both together.
// validateManifest (manifestValidation.ts) checks a parsed one.

export const MANIFEST_FORMAT = 1;

/** A language of text the model reads or writes (not the UI's display language: webview/strings UiLang). */
export type Lang = 'en' | 'ko' | 'de';
export const LANGS: readonly Lang[] = ['en', 'ko', 'de'];
/** The target-language setting: a language, or `auto` (decided from the source text). */
export type TargetSetting = 'auto' | Lang;
export const LANG_NAMES: Record<Lang, string> = { en: 'English', ko: 'Korean', de: 'German' };

export interface TensorSpec { name: string; type: string; shape: (string | number)[] }
export interface GraphSpec { file: string; inputs: TensorSpec[]; outputs: TensorSpec[] }
export type GraphName = 'encoder' | 'encoderAttn' | 'decoderStep' | 'decoderStepAttn';
/** The graphs every package has. */
export const GRAPH_NAMES: readonly GraphName[] = ['encoder', 'encoderAttn', 'decoderStep', 'decoderStepAttn'];
/** Graphs a package may add; the engine uses them when present and the required ones otherwise. */
export type OptionalGraphName = 'decoderStepSearch' | 'decoderAttn';
export const OPTIONAL_GRAPH_NAMES: readonly OptionalGraphName[] = ['decoderStepSearch', 'decoderAttn'];

export interface ManifestGraphs {
  encoder: GraphSpec;
  encoderAttn: GraphSpec;
  decoderStep: GraphSpec;
  decoderStepAttn: GraphSpec;
  /**
   * The decoder step shaped for the search (export.py, step_graph.py): the beam reorder (`beam_idx`), log-sum-exp
   * and each row's top-k inside the graph. Plain translation runs it when present (src/engine/searchStep.ts).
   */
  decoderStepSearch?: GraphSpec;
  /**
   * A finished translation's decoder and cross-attention, all its tokens in one run (export.py, DecoderAttnGraph):
   * translations with attention search with the plain step and then run this, instead of decoderStepAttn at every
   * step of the search (src/engine/onnxModel.ts, targetAttention).
   */
  decoderAttn?: GraphSpec;
}
/**
 * The search step graph restricted to the tokens one target language uses (models/training/shortlist.py): its
 * output projection, top-k and log-sum-exp cover `vocab` ids (the graph maps its top-k back to full-vocabulary ids).
 * Plain translation into that language runs it instead of graphs.decoderStepSearch.
 */
export interface ShortlistSpec {
  file: string; inputs: TensorSpec[]; outputs: TensorSpec[]; vocab: number;
  /**
   * Where the shortlist's ids (int32, little-endian, ascending) lie in the weights file: the graph's own Gather
   * constant, so tools can say which ids a language keeps without opening the graph (the engine needs only the graph).
   */
  ids: WeightsRange;
}

/** A byte range of the weights file. */
export interface WeightsRange { offset: number; length: number }

/**
 * How the weights file stores what is widened (models/training/ort_package.py has the same rule):
 * "float16": n elements in 2n bytes; "int8-block32": ceil(n / 32) float16 scales, then n int8 codes (element i is
 * code[i] * scale[floor(i / 32)]).
 */
export type WidenedEncoding = 'float16' | 'int8-block32';

/** Elements per float16 scale in int8-block32 storage. */
export const INT8_BLOCK = 32;

/**
 * How many float32 values a span of `bytes` bytes widens to, or -1 when no span of that encoding has that size.
 * int8-block32: n elements take n + 2 * ceil(n / 32) bytes, which grows with n, so the count is its inverse.
 */
export function spanElements(bytes: number, encoding: WidenedEncoding): number {
  if (encoding === 'float16') return bytes > 0 && bytes % 2 === 0 ? bytes / 2 : -1;
  const n = bytes - 2 * Math.ceil(bytes / (INT8_BLOCK + 2));
  return n > 0 && n + 2 * Math.ceil(n / INT8_BLOCK) === bytes ? n : -1;
}

/** See ModelManifest.widenedWeights. */
export interface WidenedWeights { file: string; encoding?: WidenedEncoding; spans: [number, number][] }

/** One entry of "files": what write_manifest measured when it exported the file. */
export interface FileDigest { sha256: string; bytes: number }

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
  weightsDtype?: 'fp32' | 'fp16' | 'int8';
  tokenizer: { model: string; json: string };
  weights: string;
  /**
   * Graphs exported with widened storage read float32 weights from `file`, which no package holds: the `spans` of
   * the weights file ([byte offset, bytes], by offset), stored as `encoding` says (float16 when absent), widened to
   * float32 and put side by side in this order (src/engine/widenedWeights.ts). onnxruntime then folds no Cast when it
   * opens a session.
   */
  widenedWeights?: WidenedWeights;
  graphs: ManifestGraphs;
  /** Per target language, a shortlisted search step graph (packages exported since they have them). */
  searchShortlists?: { en?: ShortlistSpec; ko?: ShortlistSpec; de?: ShortlistSpec };
  files: Record<string, FileDigest>;
  decoding?: { beam: number; lengthPenalty: number };
  scores?: Record<string, Record<string, ScorePair>>;
  training?: { config?: string; steps?: number; minutes?: number; device?: string; pairs?: number };
  packageBytes?: number;
}

/** Can this package translate from `from` into `to`? */
export function supportsDirection(m: ModelManifest, from: Lang, to: Lang): boolean {
  return m.directions.some(([a, b]) => a === from && b === to);
}
