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
import { assembleTranslation, matchSourceEnding, spelledInBytes, translationUnits } from './translationUnits';

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

/** One text of a translate call: its pieces, direction, attention budget and the sentences translated so far. */
interface TextJob {
  text: string; spans: SentenceSpan[]; from: Lang; to: Lang; budget: AttentionBudget;
  results: (SentenceResult | undefined)[];
  /** How many sentences from the start the last partial result showed. */
  shown: number;
}

/**
 * After a batch: the finished part of `job` from its start, when it grew, assembled as the final text will be
 * (structure and verbatim spans kept). Batches finish sentences out of order; the partial result shows only an
 * unbroken run from the start. All of it only when `whole` (the attention is still to come after the search: the
 * whole text can be read before the maps are ready); else the result itself follows at once.
 */
function reportPartial(job: TextJob, onPartial: (p: PartialTranslation) => void, whole: boolean): void {
  let n = job.shown;
  while (n < job.spans.length && job.results[n]) n++;
  if (n === job.shown || (n === job.spans.length && !whole)) return;
  job.shown = n;
  const finished = job.results.slice(0, n).map((r) => r!.text);
  onPartial({ text: assembleTranslation(job.text.slice(0, job.spans[n - 1].end), job.spans.slice(0, n), finished, job.to !== 'ko'), done: n, total: job.spans.length });
}

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
   * The pieces of `text` translated one at a time: its translation units (prose sentences between verbatim spans),
   * cut into chunks that fit the model. The text between them stays as it is.
   */
  sourceSpans(text: string): SentenceSpan[] {
    return translationUnits(text, { spelledInBytes: this.spelledInBytes })
      .flatMap((unit) => fitTokenLimit(text, unit, this.model.tokenizer, this.maxSourceTokens));
  }

  private async translateTexts(texts: string[], opts: TranslateOptions): Promise<TranslationResult[]> {
    const t0 = Date.now();
    if (opts.signal?.aborted) throw new CancelledError();
    const jobs = texts.map((text) => this.plan(text, opts));
    const units = jobs.flatMap((job, j) => job.spans.map((span, i) => ({ job: jobs[j], index: i, span })));
    const m = this.model.manifest;
    opts.onProgress?.(0, units.length);
    // Sentences translated before (same direction, beam and text) are answered from the cache, the rest decoded.
    const cacheKeys = units.map((u) => SentenceCache.key(u.job.from, u.job.to, opts.beam, u.span.text));
    const todo = units.map((_, i) => i).filter((i) => !this.fromCache(units[i], cacheKeys[i], opts));
    let done = units.length - todo.length;
    if (done > 0 && done < units.length) opts.onProgress?.(done, units.length);
    const whole = !!opts.attention && done < units.length;
    if (done > 0 && opts.onPartial) jobs.forEach((job) => reportPartial(job, opts.onPartial!, whole));
    // Pivots (two hops) go one by one; the rest is batched by direction and input length (sentenceBatches.ts: equal
    // lengths, or similar ones when the package's graphs mask padding), with or without attention: the search is
    // the same, and the attention of each translation comes after it (attend). Except a request with attention that
    // shows its sentences as they finish (the panel): it goes sentence by sentence, so that the text grows from the
    // start and the progress counts sentences (batches finish sentences out of order).
    const prepared = todo.map((i) => (supportsDirection(m, units[i].job.from, units[i].job.to) ? this.prepareSource(units[i].span.text, units[i].job.from, units[i].job.to) : undefined));
    const padded = this.model.padsSources;
    const inOrder = !!opts.attention && !!opts.onPartial;
    const keys = prepared.map((p) => (p && !inOrder ? batchKey(`${p.from}>${p.to}`, p.srcIds.length, padded) : undefined));
    /** A sentence searched alone with attention wanted was encoded with it: its attention reuses that run. */
    const encodedAlone = new Map<number, EncoderOutput>();
    for (const batch of sentenceBatches(keys, batchCap(opts.beam))) {
      if (opts.signal?.aborted) throw new CancelledError();
      const first = units[todo[batch[0]]];
      let results: SentenceResult[];
      if (batch.length > 1) results = await this.translateBatch(batch.map((i) => prepared[i]!), opts);
      else {
        const { result, encoded } = await this.searchSentence(first.span.text, first.job.from, first.job.to, opts);
        if (encoded) encodedAlone.set(batch[0], encoded);
        results = [result];
      }
      batch.forEach((t, k) => {
        const { job, index, span } = units[todo[t]];
        results[k].sourceOffset = span.start;
        matchSourceEnding(results[k]);
        job.results[index] = results[k];
      });
      done += batch.length;
      if (done < units.length) opts.onProgress?.(done, units.length);
      if (opts.onPartial && !opts.signal?.aborted) reportPartial(first.job, opts.onPartial, whole);
    }
    // Attention in the order of the sentences (each text's budget admits them in order), then into the cache.
    for (const [t, i] of todo.entries()) {
      if (opts.signal?.aborted) throw new CancelledError();
      const { job, index } = units[i];
      const result = job.results[index]!;
      if (opts.attention && prepared[t]) await this.attend(prepared[t]!, result, opts, job.budget, encodedAlone.get(t));
      this.cache?.set(cacheKeys[i], result);
    }
    if (opts.signal?.aborted) throw new CancelledError();
    opts.onProgress?.(units.length, units.length);
    return jobs.map((job) => {
      // What lies between the pieces (structure, verbatim spans, spaces, line breaks) is copied as it is.
      const sentences = job.results as SentenceResult[];
      const result: TranslationResult = {
        text: assembleTranslation(job.text, job.spans, sentences.map((s) => s.text), job.to !== 'ko'), from: job.from, to: job.to,
        backend: this.model.backend, modelId: m.id, beam: opts.beam, sentences, millis: Date.now() - t0,
      };
      const leftOut = attentionLeftOut(job.budget, job.spans.length);
      if (leftOut) result.attentionLeftOut = leftOut;
      return result;
    });
  }

  /**
   * Fills in a sentence from the cache when it has one that answers `opts`; its attention counts against the text's
   * budget like a decoded sentence's. Whether it did.
   */
  private fromCache(unit: { job: TextJob; index: number; span: SentenceSpan }, key: string, opts: TranslateOptions): boolean {
    const wants: SentenceWants = { attention: !!opts.attention, queriesAndKeys: opts.queriesAndKeys !== false, steps: !!opts.steps };
    const hit = this.cache?.get(key, wants);
    if (!hit) return false;
    if (hit.attention) {
      const admitted = unit.job.budget.admit(hit.attention);
      if (admitted) hit.attention = admitted;
      else {
        delete hit.attention;
        hit.attentionLeftOut = true;
      }
    }
    hit.sourceOffset = unit.span.start;
    unit.job.results[unit.index] = hit;
    return true;
  }

  /** A text's pieces, its direction and its attention budget, before anything is translated. */
  private plan(text: string, opts: TranslateOptions): TextJob {
    if (!text.trim()) throw new Error('There is no text to translate: select some text first.');
    const spans = this.sourceSpans(text);
    // The language of the prose: code, URLs and front matter say nothing about it.
    const from = opts.from ?? detectLanguage(spans.length ? spans.map((s) => s.text).join('\n') : text);
    const to = resolveTarget(opts.to, from);
    return { text, spans, from, to, budget: new AttentionBudget(opts.attentionBudgetBytes), results: [], shown: 0 };
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
