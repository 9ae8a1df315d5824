// SentencePiece unigram tokenizer in plain TypeScript: same ids as spm for our configuration, plus UTF-16 offsets.
//
// It mirrors sentencepiece (normalizer.cc, unigram_model.cc EncodeOptimized, sentencepiece_processor.cc)
// for the configuration we train (models/training/tokenizer.py): identity normalization,
// remove_extra_whitespaces, add_dummy_prefix, escape_whitespaces, user-defined tags, byte_fallback.
// No Node or DOM imports: the engine runs in the webview and in Node.

/** Piece types, as in sentencepiece_model.proto. */
export const PieceType = {
  Normal: 1,
  Unknown: 2,
  Control: 3,
  UserDefined: 4,
  Unused: 5,
  Byte: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** tokenizer.json, written by `python3 -m models.training.tokenizer json`. */
export interface TokenizerJSON {
  version: number;
  model: string;
  /** [piece, score, type] in id order. */
  pieces: [string, number, number][];
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  byteFallback: boolean;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  normalization: string;
}

export interface Encoding {
  ids: number[];
  pieces: string[];
  /** [start, end) UTF-16 offsets into the string given to encode(), one per piece. */
  offsets: [number, number][];
}

/** U+2581, the escaped whitespace. */
const SPACE_SYMBOL = 0x2581;
const SPACE_SYMBOL_STR = '\u2581';
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

/** UTF-8 bytes of one code point. */
function utf8Bytes(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Decodes a run of byte pieces as UTF-8, reading sequences the way spm's decoder does (util.cc DecodeUTF8:
 * well-formed, shortest-form, non-surrogate), except that a byte that starts no such sequence is dropped where
 * spm writes U+FFFD. The model does emit byte runs that form no character (for emoji and bidi controls it has
 * rarely seen); shown as U+FFFD they made most of such a translation unreadable, and they carry no text.
 */
function decodeBytes(b: number[]): string {
  let s = '';
  let i = 0;
  const n = b.length;
  const trail = (k: number) => k < n && (b[k] & 0xc0) === 0x80;
  while (i < n) {
    const c = b[i];
    let cp = -1;
    let len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) === 0xc0 && trail(i + 1)) {
      const v = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      if (v >= 0x80) { cp = v; len = 2; }
    } else if ((c & 0xf0) === 0xe0 && trail(i + 1) && trail(i + 2)) {
      const v = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) { cp = v; len = 3; }
    } else if ((c & 0xf8) === 0xf0 && trail(i + 1) && trail(i + 2) && trail(i + 3)) {
      const v = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      if (v >= 0x10000 && v <= 0x10ffff) { cp = v; len = 4; }
    }
    if (cp < 0) {
      i += 1;
    } else {
      s += String.fromCodePoint(cp);
      i += len;
    }
  }
  return s;
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
    // --- Normalizer::Normalize (identity rule: every character maps to itself). ---
    // norm: normalized code points; orig: UTF-16 offset in `text` of each one (spm's norm_to_orig),
    // plus one final entry for the end. Typed arrays: at most one entry per code unit, + dummy + end.
    const len = text.length;
    if (this.scratchNorm.length < len + 2) this.grow(len + 2);
    const norm = this.scratchNorm;
    const orig = this.scratchOrig;
    let n = 0;
    let i = 0;
    // Only U+0020 counts as whitespace here: the identity rule does not map tabs, NBSP, U+3000...
    // to ' ', and spm's whitespace handling looks for ' ' alone.
    if (cfg.removeExtraWhitespaces) while (i < len && text.charCodeAt(i) === 0x20) i++;
    if (i === len) return { ids: [], pieces: [], offsets: [] };
    const spaceCp = cfg.escapeWhitespaces ? SPACE_SYMBOL : 0x20;
    if (cfg.addDummyPrefix) {
      norm[n] = spaceCp;
      orig[n++] = i;
    }
    let prevSpace = cfg.removeExtraWhitespaces;
    while (i < len) {
      let cp = text.charCodeAt(i);
      let w = 1;
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const lo = i + 1 < len ? text.charCodeAt(i + 1) : 0;
        if (cp <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          w = 2;
        } else {
          cp = 0xfffd; // a lone surrogate has no UTF-8 form; TextEncoder (and spm on bad bytes) use U+FFFD
        }
      }
      if (cp === 0x20) {
        if (!prevSpace) {
          norm[n] = spaceCp;
          orig[n++] = i;
        }
        prevSpace = cfg.removeExtraWhitespaces;
      } else {
        norm[n] = cp;
        orig[n++] = i;
        prevSpace = false;
      }
      i += w;
    }
    let consumed = len;
    if (cfg.removeExtraWhitespaces) {
      // spm strips trailing U+2581 from the normalized string, including ones typed literally.
      while (n > 0 && norm[n - 1] === spaceCp) consumed = orig[--n];
    }
    if (n === 0) return { ids: [], pieces: [], offsets: [] };
    orig[n] = consumed;

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
