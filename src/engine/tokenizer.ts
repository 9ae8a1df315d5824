// SentencePiece unigram tokenizer in plain TypeScript: same ids as spm for our configuration, plus UTF-16 offsets.
//
// It mirrors sentencepiece (normalizer.cc, unigram_model.cc EncodeOptimized, sentencepiece_processor.cc)
// for the configuration we train (models/training/tokenizer.py): identity normalization,
// remove_extra_whitespaces, add_dummy_prefix, escape_whitespaces, user-defined tags, byte_fallback.
// Normalization: ./normalizer.ts; UTF-8 of byte pieces: ./utf8.ts; the tokenizer.json format: ./tokenizerFormat.ts.
// No Node or DOM imports: the engine runs in the webview and in Node.
import { normalize, SPACE_SYMBOL_STR } from './normalizer';
import { type Encoding, PieceType, type TokenizerJSON } from './tokenizerFormat';
import { decodeBytes, utf8Bytes, utf8Length } from './utf8';

export { type Encoding, PieceType, type TokenizerJSON };

/** What spm's decoder prints for <unk> (trainer_spec.unk_surface default). */
const UNK_SURFACE = ' \u2047 ';
/** unigram_model.h: unknown characters score min_score - 10. */
const UNK_PENALTY = 10;
/** C's FLT_MIN: spm starts max_score_ there, so with all-negative scores it stays FLT_MIN. */
const FLT_MIN = 1.1754943508222875e-38;
const fround = Math.fround;

/** Trie over code points; id >= 0 where a piece ends. */
interface TrieNode {
  id: number;
  next: Map<number, TrieNode> | null;
}

function newNode(): TrieNode {
  return { id: -1, next: null };
}

export class SentencePieceTokenizer {
  private readonly pieces: string[];
  private readonly scores: Float64Array;
  private readonly types: Uint8Array;
  /** spm's PieceToId: control/unknown/byte pieces by exact string... */
  private readonly reserved = new Map<string, number>();
  /** ...then normal/user-defined/unused pieces (the ones in the trie). */
  private readonly vocab = new Map<string, number>();
  private readonly root: TrieNode = newNode();
  /** Byte value of each <0xXX> piece, -1 for other pieces. */
  private readonly byteOf: Int16Array;
  /** Id of the <0xXX> piece for each byte value. */
  private readonly byteIds: Int32Array;
  /** Score of user-defined pieces as spm computes it (bonus so they are always chosen). */
  private readonly userScore: Float64Array;
  private readonly unkScore: number;
  private readonly cfg: TokenizerJSON;
  /**
   * Scratch buffers reused across encode() calls (grown on demand): allocating five typed arrays per
   * call cost more than the Viterbi itself for short strings. encode() is synchronous, so sharing is safe.
   */
  private scratchNorm = new Int32Array(256);
  private scratchOrig = new Int32Array(256);
  private scratchBest = new Float64Array(256);
  private scratchFrom = new Int32Array(256);
  private scratchId = new Int32Array(256);
  /** Trie lookups made by the last encode(): lets tests check linear work without timing anything. */
  lastEncodeWork = 0;

  private constructor(json: TokenizerJSON) {
    if (json.version !== 1) throw new Error(`tokenizer: unsupported tokenizer.json version ${json.version}`);
    if (json.model !== 'unigram') throw new Error(`tokenizer: unsupported model ${json.model}`);
    if (json.normalization !== 'identity') throw new Error(`tokenizer: unsupported normalization ${json.normalization}`);
    this.cfg = json;
    const n = json.pieces.length;
    this.pieces = new Array<string>(n);
    this.scores = new Float64Array(n);
    this.types = new Uint8Array(n);
    this.byteOf = new Int16Array(n).fill(-1);
    this.byteIds = new Int32Array(256).fill(-1);
    this.userScore = new Float64Array(n);

    // unigram_model.cc Model::Model: min/max over NORMAL pieces only, max starting at FLT_MIN.
    let minScore = 3.4028234663852886e38;
    let maxScore = FLT_MIN;
    for (let id = 0; id < n; id++) {
      const [piece, score, type] = json.pieces[id];
      this.pieces[id] = piece;
      this.scores[id] = fround(score); // spm scores are float32
      this.types[id] = type;
      if (type === PieceType.Normal) {
        minScore = Math.min(minScore, this.scores[id]);
        maxScore = Math.max(maxScore, this.scores[id]);
      }
      if (type === PieceType.Normal || type === PieceType.UserDefined || type === PieceType.Unused) {
        // model_interface.cc: these go into the trie; on duplicates spm keeps the first.
        if (!this.vocab.has(piece)) {
          this.vocab.set(piece, id);
          this.insert(piece, id);
        }
      } else if (!this.reserved.has(piece)) {
        this.reserved.set(piece, id);
      }
      if (type === PieceType.Byte) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (!m) throw new Error(`tokenizer: bad byte piece ${piece}`);
        const b = parseInt(m[1], 16);
        this.byteOf[id] = b;
        this.byteIds[b] = id;
      }
    }
    if (json.byteFallback) {
      for (let b = 0; b < 256; b++) {
        if (this.byteIds[b] < 0) throw new Error(`tokenizer: byte_fallback but no piece for byte ${b}`);
      }
    }
    // EncodeOptimized: `length * max_score_ - 0.1` with length in UTF-8 bytes; float product, double result.
    for (let id = 0; id < n; id++) {
      if (this.types[id] === PieceType.UserDefined) {
        this.userScore[id] = fround(utf8Length(this.pieces[id]) * maxScore) - 0.1;
      }
    }
    this.unkScore = fround(minScore - UNK_PENALTY);
  }

  static fromJSON(json: TokenizerJSON): SentencePieceTokenizer {
    return new SentencePieceTokenizer(json);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }
  get unkId(): number {
    return this.cfg.unkId;
  }
  get bosId(): number {
    return this.cfg.bosId;
  }
  get eosId(): number {
    return this.cfg.eosId;
  }
  get padId(): number {
    return this.cfg.padId;
  }

  idToPiece(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.pieces.length) throw new RangeError(`tokenizer: invalid id ${id}`);
    return this.pieces[id];
  }

  /** As spm: unknown strings map to unkId. */
  pieceToId(piece: string): number {
    return this.reserved.get(piece) ?? this.vocab.get(piece) ?? this.cfg.unkId;
  }

  isControl(id: number): boolean {
    return this.types[id] === PieceType.Control;
  }

  private grow(size: number): void {
    const cap = Math.max(size, this.scratchNorm.length * 2);
    this.scratchNorm = new Int32Array(cap);
    this.scratchOrig = new Int32Array(cap);
    this.scratchBest = new Float64Array(cap);
    this.scratchFrom = new Int32Array(cap);
    this.scratchId = new Int32Array(cap);
  }

  private insert(piece: string, id: number): void {
    let node = this.root;
    for (const ch of piece) {
      const cp = ch.codePointAt(0)!;
      if (node.next === null) node.next = new Map();
      let child = node.next.get(cp);
      if (child === undefined) {
        child = newNode();
        node.next.set(cp, child);
      }
      node = child;
    }
    node.id = id;
  }

  encode(text: string): Encoding {
    const cfg = this.cfg;
    this.lastEncodeWork = 0;                 // also for texts that return before the Viterbi (only spaces)
    // --- Normalizer::Normalize (./normalizer.ts). Typed arrays: at most one entry per code unit, + dummy + end. ---
    if (this.scratchNorm.length < text.length + 2) this.grow(text.length + 2);
    const norm = this.scratchNorm;
    const orig = this.scratchOrig;
    const n = normalize(text, cfg, norm, orig);
    if (n === 0) return { ids: [], pieces: [], offsets: [] };

    // --- unigram Model::EncodeOptimized: Viterbi, best path ending at each position. ---
    // best[e] is float32 in spm (stored via fround); candidates for trie pieces are computed in
    // double (score is `auto` of a float/double ternary) and compared before rounding; the unk
    // candidate is a float + float sum. Ties keep the earlier start (strict `>`).
    const best = this.scratchBest;
    const from = this.scratchFrom;
    const bestId = this.scratchId;
    best[0] = 0;
    from.fill(-1, 0, n + 1);
    const types = this.types;
    const scores = this.scores;
    const userScore = this.userScore;
    const unkId = cfg.unkId;
    let work = 0;
    for (let s = 0; s < n; s++) {
      const base = best[s];
      let hasSingle = false;
      let node: TrieNode | undefined = this.root;
      for (let k = s; k < n; k++) {
        const next: Map<number, TrieNode> | null = node.next;
        if (next === null) break;
        work++;
        node = next.get(norm[k]);
        if (node === undefined) break;
        const id = node.id;
        if (id < 0) continue;
        const type = types[id];
        if (type === PieceType.Unused) continue;
        const e = k + 1;
        const cand = (type === PieceType.UserDefined ? userScore[id] : scores[id]) + base;
        if (from[e] === -1 || cand > best[e]) {
          best[e] = fround(cand);
          from[e] = s;
          bestId[e] = id;
        }
        if (e === s + 1) hasSingle = true;
      }
      if (!hasSingle) {
        const e = s + 1;
        const cand = fround(this.unkScore + base);
        if (from[e] === -1 || cand > best[e]) {
          best[e] = cand;
          from[e] = s;
          bestId[e] = unkId;
        }
      }
    }
    this.lastEncodeWork = work;
    const segs: number[] = [];
    for (let e = n; e > 0; e = from[e]) segs.push(e);
    segs.reverse();

    // --- SentencePieceProcessor::PopulateSentencePieceText: byte fallback / unk merging. ---
    const ids: number[] = [];
    const pieces: string[] = [];
    const offsets: [number, number][] = [];
    const bytes: number[] = [];
    let prevUnk = false;
    let s = 0;
    for (const e of segs) {
      const id = bestId[e];
      const isUnk = id === unkId;
      if (isUnk && cfg.byteFallback) {
        // An unk segment is one character; every byte piece gets that character's range.
        for (let k = s; k < e; k++) {
          bytes.length = 0;
          utf8Bytes(norm[k], bytes);
          for (const b of bytes) {
            const bid = this.byteIds[b];
            ids.push(bid);
            pieces.push(this.pieces[bid]);
            offsets.push([orig[k], orig[k + 1]]);
          }
        }
      } else if (isUnk && prevUnk) {
        // spm merges runs of unknown characters into one <unk> whose piece is their surface.
        const last = pieces.length - 1;
        pieces[last] += String.fromCodePoint(...norm.subarray(s, e));
        offsets[last][1] = orig[e];
      } else {
        ids.push(id);
        pieces.push(isUnk ? String.fromCodePoint(...norm.subarray(s, e)) : this.pieces[id]);
        offsets.push([orig[s], orig[e]]);
      }
      prevUnk = isUnk;
      s = e;
    }
    return { ids, pieces, offsets };
  }

  /**
   * SentencePieceProcessor::Decode: control ids vanish, byte runs are UTF-8, ▁ becomes a space. Unlike spm, bytes
   * that form no UTF-8 character are dropped (never U+FFFD): an unfinished character adds nothing until its last byte.
   */
  decode(ids: number[]): string {
    const cfg = this.cfg;
    const stripBos = cfg.addDummyPrefix || cfg.removeExtraWhitespaces;
    let text = '';
    const bytes: number[] = [];
    let isBosWs = true;
    let bosWsSeen = false;
    for (const id of ids) {
      const piece = this.idToPiece(id);
      const type = this.types[id];
      if (type === PieceType.Byte) {
        bytes.push(this.byteOf[id]);
        continue;
      }
      if (bytes.length > 0) {
        text += decodeBytes(bytes);
        bytes.length = 0;
      }
      // Only the first visible piece loses its leading ▁ (the dummy prefix); with
      // remove_extra_whitespaces spm keeps stripping until some text has been produced.
      if (bosWsSeen || text.length > 0) isBosWs = false;
      bosWsSeen = false;
      if (type === PieceType.Control) continue;
      if (type === PieceType.Unknown) {
        text += piece === this.pieces[cfg.unkId] ? UNK_SURFACE : piece;
        continue;
      }
      let p = piece;
      if (isBosWs && stripBos && p.startsWith(SPACE_SYMBOL_STR)) {
        p = p.slice(1);
        bosWsSeen = !cfg.removeExtraWhitespaces;
      }
      text += p.split(SPACE_SYMBOL_STR).join(' ');
    }
    if (bytes.length > 0) text += decodeBytes(bytes);
    return text;
  }
}
