// Translates text sentence by sentence with the ONNX model: tokenize, encode, beam search, collect attention.
import { supportsDirection, type Lang } from '../shared/manifest';
import type { DecodeStep, SentenceAttention, SentenceResult, TokenInfo, TranslationResult } from '../shared/results';
import { beamSearch, CancelledError, maxTargetLength, type Hypothesis } from './beam';
import { detectLanguage, resolveTarget, type TargetSetting } from './language';
import type { OnnxModel, StepAttention } from './onnxModel';
import { splitSentences } from './sentences';

export interface TranslateOptions {
  to: TargetSetting;
  /** Source language; detected from the text when absent. */
  from?: Lang;
  beam: number;
  attention?: boolean;
  /** Record each step's top candidates (the step-through player). */
  steps?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export class Translator {
  constructor(readonly model: OnnxModel) {}

  async translate(text: string, opts: TranslateOptions): Promise<TranslationResult> {
    const t0 = Date.now();
    if (!text.trim()) throw new Error('There is no text to translate: select some text first.');
    const from = opts.from ?? detectLanguage(text);
    const to = resolveTarget(opts.to, from);
    const spans = splitSentences(text);
    const sentences: SentenceResult[] = [];
    let out = '';
    for (let i = 0; i < spans.length; i++) {
      if (opts.signal?.aborted) throw new CancelledError();
      opts.onProgress?.(i, spans.length);
      const s = await this.translateSentence(spans[i].text, from, to, opts);
      s.sourceOffset = spans[i].start;
      sentences.push(s);
      // Keep the input's line structure: sentences on one line are joined by a space.
      if (i > 0) out += text.slice(spans[i - 1].end, spans[i].start).includes('\n') ? '\n' : ' ';
      out += s.text;
    }
    opts.onProgress?.(spans.length, spans.length);
    return {
      text: out, from, to, backend: this.model.backend, modelId: this.model.manifest.id,
      beam: opts.beam, sentences, millis: Date.now() - t0,
    };
  }

  /** One sentence; a direction the model lacks (ko<->de) pivots through English. */
  async translateSentence(source: string, from: Lang, to: Lang, opts: TranslateOptions): Promise<SentenceResult> {
    const m = this.model.manifest;
    if (!supportsDirection(m, from, to)) {
      if (from !== 'en' && to !== 'en' && supportsDirection(m, from, 'en') && supportsDirection(m, 'en', to)) {
        const mid = await this.translateSentence(source, from, 'en', { ...opts, attention: false, steps: false });
        const last = await this.translateSentence(mid.text, 'en', to, { ...opts, attention: false, steps: false });
        // The second hop's attention looks at the English in between, not at the user's text: none is reported,
        // so source tokens and their offsets always belong to `source`.
        return { ...last, source, from, srcTokens: mid.srcTokens, pivot: mid.text };
      }
      throw new Error(`Model ${m.id} does not translate ${from} to ${to}.`);
    }
    const tok = this.model.tokenizer;
    const enc = tok.encode(source);
    const maxSrc = m.dims.maxLen - 2;
    const pieces = enc.ids.slice(0, maxSrc);
    const srcIds = [m.special.tags[to], ...pieces, m.special.eos];
    const srcTokens: TokenInfo[] = [
      { id: srcIds[0], piece: m.tags[to], text: m.tags[to], start: 0, end: 0 },
      ...pieces.map((id, i) => ({ id, piece: enc.pieces[i], text: source.slice(enc.offsets[i][0], enc.offsets[i][1]), start: enc.offsets[i][0], end: enc.offsets[i][1] })),
      { id: m.special.eos, piece: '</s>', text: '</s>', start: source.length, end: source.length },
    ];
    const withAttention = !!opts.attention;
    const encoded = await this.model.encode(srcIds, withAttention);
    const best = await beamSearch(this.model.stepDecoder(encoded, withAttention), {
      beam: Math.max(1, opts.beam), bos: m.special.bos, eos: m.special.eos,
      maxSteps: maxTargetLength(srcIds.length, m.dims.maxLen), alpha: m.decoding?.lengthPenalty ?? 0.6,
      topCandidates: opts.steps ? 5 : 0, signal: opts.signal,
    });
    const result: SentenceResult = {
      source, sourceOffset: 0, from, to,
      text: '', srcTokens, tgtTokens: [], score: best.score, normalizedScore: best.normalized,
    };
    const { text, tokens } = this.detokenize(best.tokens);
    result.text = text;
    result.tgtTokens = tokens;
    if (withAttention && encoded.encAttn) {
      result.attention = assembleAttention(encoded.encAttn, best, m.dims.decoderLayers, m.dims.heads, srcIds.length);
      if (encoded.encQ && encoded.encK) Object.assign(result.attention, { queries: encoded.encQ, keys: encoded.encK });
    }
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

/** Stacks the per-step rows of the winning hypothesis into [Ld, H, T, T] and [Ld, H, T, S] tensors. */
function assembleAttention(encoder: SentenceAttention['encoder'], best: Hypothesis, Ld: number, H: number, S: number): SentenceAttention {
  const T = best.rows.length;
  const dec = new Array<number>(Ld * H * T * T).fill(0);
  const cross = new Array<number>(Ld * H * T * S).fill(0);
  best.rows.forEach((r, t) => {
    const row = r as StepAttention;
    const k = t + 1;                                   // keys at step t: <s> and the t tokens before
    for (let l = 0; l < Ld; l++) {
      for (let h = 0; h < H; h++) {
        const lh = l * H + h;
        for (let j = 0; j < k; j++) dec[((lh * T) + t) * T + j] = row.dec[lh * k + j];
        for (let j = 0; j < S; j++) cross[((lh * T) + t) * S + j] = row.cross[lh * S + j];
      }
    }
  });
  return { encoder, decoder: { dims: [Ld, H, T, T], data: dec }, cross: { dims: [Ld, H, T, S], data: cross } };
}
