// Translates text sentence by sentence with the ONNX model: tokenize, encode, beam search, collect attention.
import { supportsDirection, type Lang } from '../shared/manifest';
import type { DecodeStep, SentenceAttention, SentenceResult, TokenInfo, TranslationResult } from '../shared/results';
import { AttentionBudget, attentionLeftOut, smallestAttentionBound } from './attentionBudget';
import { beamSearch, CancelledError, lengthPenalty, maxTargetLength, searchBatch, SentenceSearch, type BeamOptions, type Hypothesis } from './beam';
import { fitTokenLimit, sourceChunks } from './chunks';
import { untilAborted } from './concurrency';
import { detectLanguage, resolveTarget, type TargetSetting } from './language';
import type { EncoderOutput, OnnxModel } from './onnxModel';
import { batchCap, batchKey, sentenceBatches } from './sentenceBatches';
import { SentenceCache, type SentenceWants } from './sentenceCache';
import type { SentenceSpan } from './sentences';
import { assembleTranslation, keptInPlace, matchSourceEnding, spelledInBytes, translationUnits } from './translationUnits';

export interface TranslateOptions {
  to: TargetSetting;
  /** Source language; detected from the text when absent. */
  from?: Lang;
  beam: number;
  attention?: boolean;
  /**
   * Most JSON bytes of attention one translation carries (default DEFAULT_ATTENTION_BUDGET_BYTES, 16 MiB): sentences
   * past it come without attention, and the result's `attentionLeftOut` says so.
   */
  attentionBudgetBytes?: number;
  /**
   * With attention, also the encoder's per-head queries and keys (default true). Only the Paper Companion's Q·Kᵀ/√dk
   * reads them, and for a short sentence they are most of the attention's size: views that draw maps leave them out.
   */
  queriesAndKeys?: boolean;
  /** Record each step's top candidates (the step-through player). */
  steps?: boolean;
  /** Aborting rejects the translation at once with a CancelledError; decoding stops within one step. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * After each sentence: the translation so far (finished sentences, joined as in the final text). With attention,
   * also the whole text (done = total) once the search ends, before the attention runs.
   */
  onPartial?: (partial: PartialTranslation) => void;
  /**
   * Once the work has really stopped: after the result, or after a cancel, when the decoder step that was running
   * has ended (translate() itself rejects as soon as the signal aborts).
   */
  onSettled?: () => void;
}

/** The finished sentences of a translation still running. */
export interface PartialTranslation { text: string; done: number; total: number }

/** A sentence ready for the encoder: [<2tgt>] + pieces + [</s>], and their tokens. */
interface PreparedSource { source: string; from: Lang; to: Lang; srcIds: number[]; srcTokens: TokenInfo[] }

/**
 * One text of a translate call: its units (sentences, numbers and acronyms left in), direction, attention budget,
 * and for each unit done the pieces it was translated as (itself, or the pieces it was cut into around its numbers
 * and acronyms when its translation lost one of them) with their results.
 */
interface TextJob {
  text: string; units: SentenceSpan[]; from: Lang; to: Lang; budget: AttentionBudget;
  pieces: (SentenceSpan[] | undefined)[];
  results: (SentenceResult[] | undefined)[];
  /** How many units from the start the last partial result showed. */
  shown: number;
  /** The text's units without numbers and acronyms left in (Translator.cutPieces), once one is needed. */
  cutUnits?: SentenceSpan[];
}

/** A unit cut around its numbers and acronyms: its pieces, their results as they come, how many are still to come. */
interface CutUnit { pieces: SentenceSpan[]; results: SentenceResult[]; left: number }

/** What is decoded: a unit of a text, or one of the pieces of a unit that was cut (`cut`). */
interface WorkItem { job: TextJob; unit: number; span: SentenceSpan; cut?: CutUnit }

/** The pieces and results of the first `n` units of `job` (all of them by default), in order. */
function finished(job: TextJob, n = job.units.length): { spans: SentenceSpan[]; results: SentenceResult[] } {
  return { spans: job.pieces.slice(0, n).flatMap((p) => p!), results: job.results.slice(0, n).flatMap((r) => r!) };
}

/**
 * After a batch: the finished part of `job` from its start, when it grew, assembled as the final text will be
 * (structure and verbatim spans kept). Batches finish sentences out of order; the partial result shows only an
 * unbroken run from the start. All of it only when `whole` (the attention is still to come after the search: the
 * whole text can be read before the maps are ready); else the result itself follows at once.
 */
function reportPartial(job: TextJob, onPartial: (p: PartialTranslation) => void, whole: boolean): void {
  let n = job.shown;
  while (n < job.units.length && job.results[n]) n++;
  if (n === job.shown || (n === job.units.length && !whole)) return;
  job.shown = n;
  const { spans, results } = finished(job, n);
  onPartial({ text: assembleTranslation(job.text.slice(0, job.units[n - 1].end), spans, results.map((r) => r.text), job.to !== 'ko'), done: n, total: job.units.length });
}

/** How many units the translator remembers to cut at once (a key is a sentence: a few hundred kilobytes at most). */
const CUT_MEMORY = 2000;

export interface TranslatorOptions {
  /**
   * Keep up to this many bytes of finished sentences and answer the same sentence again from them (sentenceCache.ts).
   * Default 0: every sentence is decoded (tests and benchmarks compare decoding paths and times).
   */
  cacheBytes?: number;
}

export class Translator {
  private readonly spelledInBytes: (ch: string) => boolean;
  /** Sentences translated before, when caching is on. */
  readonly cache?: SentenceCache;
  /**
   * Units (by cache key) whose translation with their numbers and acronyms in place lost one: asked again, they are
   * cut at once (the same result, one search fewer). The newest CUT_MEMORY of them.
   */
  private readonly cutInstead = new Set<string>();

  constructor(readonly model: OnnxModel, options: TranslatorOptions = {}) {
    this.spelledInBytes = spelledInBytes(model.tokenizer);
    if (options.cacheBytes) this.cache = new SentenceCache(options.cacheBytes);
  }

  /**
   * Translates the prose of `text` (Markdown or plain) sentence by sentence, a sentence longer than the model reads
   * in chunks (each its own SentenceResult, with its own attention), and keeps the rest as it is: Markdown structure,
   * code, math, URLs, numbers and emoji (translationUnits.ts). Calls may overlap: the model runs their steps in turn,
   * and each gets what it would have got alone. Sentences of one (or, padded, similar) length are decoded together
   * (sentenceBatches.ts); each gets the tokens it gets alone.
   */
  translate(text: string, opts: TranslateOptions): Promise<TranslationResult> {
    return this.settle(this.translateTexts([text], opts).then((r) => r[0]), opts);
  }

  /**
   * Many texts at once (the CLI's lines), each as translate() would give it; their sentences share batches, so this
   * is faster than one text after another. onPartial is not called; onProgress counts the sentences of all texts.
   */
  translateMany(texts: string[], opts: TranslateOptions): Promise<TranslationResult[]> {
    return this.settle(this.translateTexts(texts, { ...opts, onPartial: undefined }), opts);
  }

  private settle<T>(work: Promise<T>, opts: TranslateOptions): Promise<T> {
    if (opts.onSettled) work.then(opts.onSettled, opts.onSettled);
    return untilAborted(work, opts.signal, () => new CancelledError());
  }

  /** Most source tokens the model reads at once: maxLen less the target tag and </s>. */
  get maxSourceTokens(): number {
    return this.model.manifest.dims.maxLen - 2;
  }

  /**
   * The units of `text` translated one at a time: its prose sentences between verbatim spans (numbers and acronyms
   * left in), cut into chunks that fit the model. The text between them stays as it is. A unit whose translation
   * loses a number or acronym is translated again as `cutPieces` gives it.
   */
  sourceSpans(text: string): SentenceSpan[] {
    return translationUnits(text, { spelledInBytes: this.spelledInBytes, inPlace: true })
      .flatMap((unit) => fitTokenLimit(text, unit, this.model.tokenizer, this.maxSourceTokens));
  }

  /**
   * `unit` of `job`'s text cut around its numbers and acronyms too: the text's units as they are without leaving
   * those in (read once per text, as Markdown in their context), within the unit's range.
   */
  private cutPieces(job: TextJob, unit: SentenceSpan): SentenceSpan[] {
    job.cutUnits ??= translationUnits(job.text, { spelledInBytes: this.spelledInBytes });
    const text = job.text;
    return job.cutUnits.flatMap((p) => {
      let start = Math.max(p.start, unit.start);
      let end = Math.min(p.end, unit.end);
      while (start < end && /\s/.test(text[start])) start++;
      while (end > start && /\s/.test(text[end - 1])) end--;
      return /\p{L}/u.test(text.slice(start, end)) ? fitTokenLimit(text, { text: text.slice(start, end), start, end }, this.model.tokenizer, this.maxSourceTokens) : [];
    });
  }

  private async translateTexts(texts: string[], opts: TranslateOptions): Promise<TranslationResult[]> {
    const t0 = Date.now();
    if (opts.signal?.aborted) throw new CancelledError();
    const jobs = texts.map((text) => this.plan(text, opts));
    const m = this.model.manifest;
    const total = jobs.reduce((sum, job) => sum + job.units.length, 0);
    let done = 0;
    let reported = 0;
    opts.onProgress?.(0, total);
    /** Progress by units done; a unit cut into pieces counts once, when its last piece is in. */
    const reportProgress = () => {
      if (done > reported && done < total) opts.onProgress?.(done, total);
      reported = done;
    };
    /** Sentences decoded in this call (not from the cache): their attention comes at the end; and how they were encoded. */
    const fresh = new Set<SentenceResult>();
    const encodedAlone = new Map<SentenceResult, EncoderOutput>();
    let whole = false;
    const settle = (job: TextJob, unit: number, pieces: SentenceSpan[], results: SentenceResult[]) => {
      job.pieces[unit] = pieces;
      job.results[unit] = results;
      done++;
    };
    /** The work items of a unit cut around its numbers and acronyms; settled when all its pieces are in. */
    const cutItems = (job: TextJob, unit: number, span: SentenceSpan): WorkItem[] => {
      const pieces = this.cutPieces(job, span);
      if (pieces.length === 0) settle(job, unit, [], []);
      const cut: CutUnit = { pieces, results: [], left: pieces.length };
      return pieces.map((piece) => ({ job, unit, span: piece, cut }));
    };
    /** A finished sentence: a unit done, or a piece of a cut one. */
    const use = (item: WorkItem, r: SentenceResult) => {
      const { cut } = item;
      if (!cut) return settle(item.job, item.unit, [item.span], [r]);
      cut.results[cut.pieces.indexOf(item.span)] = r;
      if (--cut.left === 0) settle(item.job, item.unit, cut.pieces, cut.results);
    };
    // A unit known to lose a number or acronym (in an earlier call) is cut at once.
    const items = jobs.flatMap((job) => job.units.flatMap((span, unit): WorkItem[] => (
      this.cutInstead.has(SentenceCache.key(job.from, job.to, opts.beam, span.text)) ? cutItems(job, unit, span) : [{ job, unit, span }])));
    const place = async (batch: WorkItem[], results: SentenceResult[]) => {
      const retry: WorkItem[] = [];
      batch.forEach((item, k) => {
        const r = results[k];
        r.sourceOffset = item.span.start;
        matchSourceEnding(r);
        if (item.cut || keptInPlace(item.span.text, r.text)) use(item, r);
        else {
          fresh.delete(r);
          retry.push(item);
        }
      });
      // Cut around its numbers and acronyms: the words between them, translated on their own, can never garble them.
      const again = retry.flatMap((item) => {
        this.rememberCut(SentenceCache.key(item.job.from, item.job.to, opts.beam, item.span.text));
        return cutItems(item.job, item.unit, item.span);
      });
      if (again.length) await this.decode(again, opts, fresh, encodedAlone, place);
      reportProgress();
      if (opts.onPartial && !opts.signal?.aborted) jobs.forEach((job) => reportPartial(job, opts.onPartial!, whole));
    };
    // Sentences translated before (same direction, beam and text) are answered from the cache, the rest decoded.
    const todo = items.filter((item) => !this.fromCache(item, opts, (r) => use(item, r)));
    reportProgress();
    whole = !!opts.attention && done < total;
    if (done > 0 && opts.onPartial) jobs.forEach((job) => reportPartial(job, opts.onPartial!, whole));
    await this.decode(todo, opts, fresh, encodedAlone, place);
    // Attention in the order of the sentences (each text's budget admits them in order), then into the cache.
    for (const job of jobs) {
      for (const r of finished(job).results) {
        if (!fresh.has(r)) continue;
        if (opts.signal?.aborted) throw new CancelledError();
        const direct = supportsDirection(m, r.from, r.to);
        if (opts.attention && direct) await this.attend(this.prepareSource(r.source, r.from, r.to), r, opts, job.budget, encodedAlone.get(r));
        this.cache?.set(SentenceCache.key(job.from, job.to, opts.beam, r.source), r);
      }
    }
    if (opts.signal?.aborted) throw new CancelledError();
    opts.onProgress?.(total, total);
    return jobs.map((job) => {
      // What lies between the pieces (structure, verbatim spans, spaces, line breaks) is copied as it is.
      const { spans, results: sentences } = finished(job);
      const result: TranslationResult = {
        text: assembleTranslation(job.text, spans, sentences.map((s) => s.text), job.to !== 'ko'), from: job.from, to: job.to,
        backend: this.model.backend, modelId: m.id, beam: opts.beam, sentences, millis: Date.now() - t0,
      };
      const leftOut = attentionLeftOut(job.budget, spans.length);
      if (leftOut) result.attentionLeftOut = leftOut;
      return result;
    });
  }

  /**
   * Decodes `items` and hands each batch's results to `place` in turn. Pivots (two hops) go one by one; the rest is
   * batched by direction and input length (sentenceBatches.ts: equal lengths, or similar ones when the package's
   * graphs mask padding), with or without attention: the search is the same, and the attention of each translation
   * comes after it (attend). Except a request with attention that shows its sentences as they finish (the panel):
   * it goes sentence by sentence, so that the text grows from the start and the progress counts sentences (batches
   * finish sentences out of order).
   */
  private async decode(items: WorkItem[], opts: TranslateOptions, fresh: Set<SentenceResult>, encodedAlone: Map<SentenceResult, EncoderOutput>,
    place: (batch: WorkItem[], results: SentenceResult[]) => Promise<void>): Promise<void> {
    const m = this.model.manifest;
    const prepared = items.map(({ job, span }) => (supportsDirection(m, job.from, job.to) ? this.prepareSource(span.text, job.from, job.to) : undefined));
    const padded = this.model.padsSources;
    const inOrder = !!opts.attention && !!opts.onPartial;
    const keys = prepared.map((p) => (p && !inOrder ? batchKey(`${p.from}>${p.to}`, p.srcIds.length, padded) : undefined));
    for (const batch of sentenceBatches(keys, batchCap(opts.beam))) {
      if (opts.signal?.aborted) throw new CancelledError();
      let results: SentenceResult[];
      if (batch.length > 1) results = await this.translateBatch(batch.map((i) => prepared[i]!), opts);
      else {
        const first = items[batch[0]];
        const { result, encoded } = await this.searchSentence(first.span.text, first.job.from, first.job.to, opts);
        if (encoded) encodedAlone.set(result, encoded);
        results = [result];
      }
      results.forEach((r) => fresh.add(r));
      await place(batch.map((i) => items[i]), results);
    }
  }

  /**
   * Fills in a sentence from the cache when it has one that answers `opts` (`use` takes it); its attention counts
   * against the text's budget like a decoded sentence's. Whether it did.
   */
  private fromCache(item: WorkItem, opts: TranslateOptions, use: (result: SentenceResult) => void): boolean {
    const wants: SentenceWants = { attention: !!opts.attention, queriesAndKeys: opts.queriesAndKeys !== false, steps: !!opts.steps };
    const hit = this.cache?.get(SentenceCache.key(item.job.from, item.job.to, opts.beam, item.span.text), wants);
    if (!hit) return false;
    if (hit.attention) {
      const admitted = item.job.budget.admit(hit.attention);
      if (admitted) hit.attention = admitted;
      else {
        delete hit.attention;
        hit.attentionLeftOut = true;
      }
    }
    hit.sourceOffset = item.span.start;
    use(hit);
    return true;
  }

  private rememberCut(key: string): void {
    this.cutInstead.delete(key);
    this.cutInstead.add(key);
    if (this.cutInstead.size > CUT_MEMORY) this.cutInstead.delete(this.cutInstead.values().next().value!);
  }

  /** A text's units, its direction and its attention budget, before anything is translated. */
  private plan(text: string, opts: TranslateOptions): TextJob {
    if (!text.trim()) throw new Error('There is no text to translate: select some text first.');
    const units = this.sourceSpans(text);
    // The language of the prose: code, URLs and front matter say nothing about it.
    const from = opts.from ?? detectLanguage(units.length ? units.map((s) => s.text).join('\n') : text);
    const to = resolveTarget(opts.to, from);
    return { text, units, from, to, budget: new AttentionBudget(opts.attentionBudgetBytes), pieces: [], results: [], shown: 0 };
  }

  /** Sentences of one direction and (similar) encoder input length, encoded and decoded together; no attention. */
  private async translateBatch(batch: PreparedSource[], opts: TranslateOptions): Promise<SentenceResult[]> {
    const encoded = await this.model.encodeBatch(batch.map((p) => p.srcIds));
    if (opts.signal?.aborted) throw new CancelledError();
    const searches = batch.map((p) => new SentenceSearch(this.searchOptions(p, opts), this.model.manifest.dims.vocab));
    await searchBatch(this.model.stepDecoder(encoded, false, batch[0].to), searches, opts.signal);
    return batch.map((p, k) => this.sentenceResult(p, searches[k].best(), opts));
  }

  /**
   * One sentence of at most maxSourceTokens tokens (translate() cuts longer ones; this refuses them rather
   * than drop text). A direction the model lacks (ko<->de) pivots through English. Its attention counts against
   * `budget` (translate() shares one across the sentences of a text).
   */
  async translateSentence(source: string, from: Lang, to: Lang, opts: TranslateOptions,
    budget = new AttentionBudget(opts.attentionBudgetBytes)): Promise<SentenceResult> {
    const { result, encoded } = await this.searchSentence(source, from, to, opts);
    if (opts.attention && !result.pivot) await this.attend(this.prepareSource(source, from, to), result, opts, budget, encoded);
    return result;
  }

  /**
   * One sentence's translation without attention (pivoting through English where the model lacks the direction),
   * and, when `opts` asks for attention, the encoder run with attention outputs its search used (attend reuses it).
   */
  private async searchSentence(source: string, from: Lang, to: Lang, opts: TranslateOptions): Promise<{ result: SentenceResult; encoded?: EncoderOutput }> {
    const m = this.model.manifest;
    if (!supportsDirection(m, from, to)) {
      if (from !== 'en' && to !== 'en' && supportsDirection(m, from, 'en') && supportsDirection(m, 'en', to)) {
        const plain = { ...opts, attention: false, steps: false };
        const mid = await this.translateSentence(source, from, 'en', plain);
        // The English in between may come out longer than the model reads: then its chunks go one by one.
        const tooLong = this.model.tokenizer.encode(mid.text).ids.length > this.maxSourceTokens;
        const hops: SentenceResult[] = [];
        const hopSources = tooLong ? sourceChunks(mid.text, this.model.tokenizer, this.maxSourceTokens).map((c) => c.text) : [mid.text];
        for (const piece of hopSources) {
          hops.push(await this.translateSentence(piece, 'en', to, plain));
        }
        const last = joinPlainResults(hops, m.special.eos, m.decoding?.lengthPenalty ?? 0.6);
        // The second hop's attention looks at the English in between, not at the user's text: none is reported,
        // so source tokens and their offsets always belong to `source`.
        return { result: { ...last, source, from, srcTokens: mid.srcTokens, pivot: mid.text } };
      }
      throw new Error(`Model ${m.id} does not translate ${from} to ${to}.`);
    }
    const prepared = this.prepareSource(source, from, to);
    // With attention wanted, the encoder runs once, with its attention outputs, for the search and the attention.
    const encoded = await this.model.encode(prepared.srcIds, !!opts.attention);
    if (opts.signal?.aborted) throw new CancelledError();      // cancelled while the encoder (or its first load) ran
    const best = await beamSearch(this.model.stepDecoder(encoded, false, to), this.searchOptions(prepared, opts));
    return { result: this.sentenceResult(prepared, best, opts), encoded: opts.attention ? encoded : undefined };
  }

  /**
   * Adds a translated sentence's attention, as much as `budget` admits (attentionLeftOut when none): the encoder's
   * (from `encoded` when its search ran the encoder with attention, else a run now) and the decoder's and
   * cross-attention of the tokens the search chose, all steps in one run (OnnxModel.targetAttention).
   */
  private async attend(p: PreparedSource, result: SentenceResult, opts: TranslateOptions, budget: AttentionBudget, encoded?: EncoderOutput): Promise<void> {
    // Nothing runs when even the smallest attention this sentence can have would not fit.
    if (budget.mayFit(smallestAttentionBound(this.model.manifest.dims, p.srcIds.length))) {
      const enc = encoded?.encAttn ? encoded : await this.model.encode(p.srcIds, true);
      if (opts.signal?.aborted) throw new CancelledError();
      const attention: SentenceAttention = { encoder: enc.encAttn!, ...await this.model.targetAttention(enc, result.tgtTokens.map((t) => t.id)) };
      if (opts.queriesAndKeys !== false && enc.encQ && enc.encK) Object.assign(attention, { queries: enc.encQ, keys: enc.encK });
      result.attention = budget.admit(attention);
    }
    if (!result.attention) result.attentionLeftOut = true;
  }

  /** The encoder input of one sentence (target tag, pieces, </s>) and its tokens; refuses a source too long. */
  private prepareSource(source: string, from: Lang, to: Lang): PreparedSource {
    const m = this.model.manifest;
    const enc = this.model.tokenizer.encode(source);
    const pieces = enc.ids;
    if (pieces.length > this.maxSourceTokens) {
      throw new Error(`This text has ${pieces.length} tokens; model ${m.id} reads at most ${this.maxSourceTokens} at a time. Translate it in shorter pieces.`);
    }
    const srcIds = [m.special.tags[to], ...pieces, m.special.eos];
    const srcTokens: TokenInfo[] = [
      { id: srcIds[0], piece: m.tags[to], text: m.tags[to], start: 0, end: 0 },
      ...pieces.map((id, i) => ({ id, piece: enc.pieces[i], text: source.slice(enc.offsets[i][0], enc.offsets[i][1]), start: enc.offsets[i][0], end: enc.offsets[i][1] })),
      { id: m.special.eos, piece: '</s>', text: '</s>', start: source.length, end: source.length },
    ];
    return { source, from, to, srcIds, srcTokens };
  }

  private searchOptions(p: PreparedSource, opts: TranslateOptions): BeamOptions {
    const m = this.model.manifest;
    return {
      beam: Math.max(1, opts.beam), bos: m.special.bos, eos: m.special.eos,
      maxSteps: maxTargetLength(p.srcIds.length, m.dims.maxLen), alpha: m.decoding?.lengthPenalty ?? 0.6,
      topCandidates: opts.steps ? 5 : 0, signal: opts.signal,
    };
  }

  /** A sentence's result from its best hypothesis: text, target tokens, score and (when asked) steps; no attention. */
  private sentenceResult(p: PreparedSource, best: Hypothesis, opts: TranslateOptions): SentenceResult {
    const { text, tokens } = this.detokenize(best.tokens);
    const result: SentenceResult = {
      source: p.source, sourceOffset: 0, from: p.from, to: p.to,
      text, srcTokens: p.srcTokens, tgtTokens: tokens, score: best.score, normalizedScore: best.normalized,
    };
    const tok = this.model.tokenizer;
    if (opts.steps) result.steps = best.steps.map((s): DecodeStep => ({ chosen: s.chosen, candidates: s.candidates.map((c) => ({ ...c, piece: tok.idToPiece(c.id) })) }));
    return result;
  }

  /** Output text and one TokenInfo per generated token (including </s>), with offsets into the text. */
  detokenize(ids: number[]): { text: string; tokens: TokenInfo[] } {
    const tok = this.model.tokenizer;
    const eos = this.model.manifest.special.eos;
    const body = ids[ids.length - 1] === eos ? ids.slice(0, -1) : ids;
    const text = tok.decode(body);
    const tokens: TokenInfo[] = [];
    let prefix = '';
    for (let i = 0; i < ids.length; i++) {
      const piece = ids[i] === eos ? '</s>' : tok.idToPiece(ids[i]);
      if (ids[i] === eos) {
        tokens.push({ id: ids[i], piece, text: '</s>', start: text.length, end: text.length });
        continue;
      }
      const next = tok.decode(body.slice(0, i + 1));
      // Byte pieces decode only once their character is complete: their range stays empty until then.
      const start = Math.min(prefix.length, next.length);
      const lead = next.slice(start).match(/^\s*/)?.[0].length ?? 0;
      tokens.push({ id: ids[i], piece, text: next.slice(start + lead), start: start + lead, end: next.length });
      prefix = next;
    }
    return { text, tokens };
  }
}

/**
 * Results of consecutive chunks without attention or steps (a pivot's second hop) as one: texts joined by a
 * space, target tokens shifted into the joined text with a single </s> at the end, scores summed.
 */
export function joinPlainResults(parts: SentenceResult[], eos: number, alpha: number): SentenceResult {
  if (parts.length === 1) return parts[0];
  let text = '';
  const tgtTokens: TokenInfo[] = [];
  parts.forEach((p, i) => {
    if (i > 0) text += ' ';
    const shift = text.length;
    const last = i === parts.length - 1;
    for (const t of p.tgtTokens) {
      if (t.id === eos && !last) continue;
      tgtTokens.push({ ...t, start: t.start + shift, end: t.end + shift });
    }
    text += p.text;
  });
  const score = parts.reduce((sum, p) => sum + p.score, 0);
  return {
    ...parts[parts.length - 1], source: parts.map((p) => p.source).join(' '), text, tgtTokens,
    score, normalizedScore: score / lengthPenalty(tgtTokens.length, alpha),
  };
}
