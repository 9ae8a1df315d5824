// Remembers translated ranges with their attention, per document: the text a translation came from (source side),
// and the translation itself where `output` wrote it into the document (target side). Edits move the ranges after
// them; only a range an edit touches is dropped, since its tokens' offsets no longer match its text. No vscode
// import: the editor's change events come in through the constructor, so unit tests drive it with a fake document.
import type { SentenceResult, TranslationResult } from '../shared/results';

/** Which text of the translation a range holds: the source the user selected, or the translation written in. */
export type Side = 'source' | 'target';

export interface CachedRange {
  start: number;
  end: number;
  result: TranslationResult;
  side: Side;
  /** Target side: where each sentence's translation starts in `result.text` (-1: not found there). */
  sentenceStarts?: number[];
  /** Target side: the text was written with CRLF line ends (each `\n` of `result.text` is two characters there). */
  crlf?: boolean;
}

/** The token under an offset, with its range in the document. */
export interface TokenHit { entry: CachedRange; sentence: SentenceResult; tokenIndex: number; side: Side; start: number; end: number }

/** What the cache reads of a document (a vscode.TextDocument is one). */
export interface CacheDocument {
  readonly uri: { toString(): string };
  readonly version: number;
  /** 1: LF, 2: CRLF (vscode.EndOfLine). */
  readonly eol: number;
  getText(): string;
}

/** One edit of a change event (vscode.TextDocumentContentChangeEvent): offsets into the text before it. */
export interface TextChange { readonly rangeOffset: number; readonly rangeLength: number; readonly text: string }

export interface DocumentChange { readonly document: CacheDocument; readonly contentChanges: readonly TextChange[] }

export interface Disposable { dispose(): void }

/**
 * Where `range` is after `change`: shifted when the edit lies before it (or ends where it starts), unchanged when
 * it lies after it (or starts where it ends), undefined when the edit touches a character of it or inserts inside it.
 */
export function moveRange(range: { start: number; end: number }, change: TextChange): { start: number; end: number } | undefined {
  const a = change.rangeOffset;
  const b = a + change.rangeLength;
  if (b <= range.start) {
    const delta = change.text.length - change.rangeLength;
    return { start: range.start + delta, end: range.end + delta };
  }
  if (a >= range.end) return range;
  return undefined;
}

/** Where each sentence's translation starts in `text`, found in order (-1 when a sentence's text is not there). */
export function sentenceStarts(result: TranslationResult): number[] {
  let pos = 0;
  return result.sentences.map((s) => {
    if (!s.text) return -1;
    const at = result.text.indexOf(s.text, pos);
    if (at < 0) return -1;
    pos = at + s.text.length;
    return at;
  });
}

/** `offset` in `text` as an offset in the same text written with CRLF line ends. */
function crlfOffset(text: string, offset: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) lines++;
  return offset + lines;
}

export class AttentionCache implements Disposable {
  private readonly byDoc = new Map<string, { version: number; ranges: CachedRange[] }>();
  private readonly listeners = new Set<(uri: CacheDocument['uri']) => void>();
  private readonly subscription: Disposable;

  /** `onDidChangeTextDocument`: vscode.workspace.onDidChangeTextDocument, or a test's fake. */
  constructor(onDidChangeTextDocument: (listener: (e: DocumentChange) => void) => Disposable) {
    this.subscription = onDidChangeTextDocument((e) => this.documentChanged(e));
  }

  /** Fires with a document's URI when its ranges were added, moved or dropped. */
  onDidChange(listener: (uri: CacheDocument['uri']) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * The source range [start, end) of `document` was translated from its text at `version`. Ignored when the
   * document changed meanwhile (its offsets are stale) or the result carries no attention.
   */
  add(document: CacheDocument, start: number, end: number, version: number, result: TranslationResult): void {
    if (document.version !== version) return;
    this.put(document, { start, end, result, side: 'source' });
  }

  /**
   * The translation `result.text` was just written into `document` at `start` (output insertBelow or replace).
   * Checked against the document's text, so a write that landed elsewhere or differently gets no hover.
   */
  addWritten(document: CacheDocument, start: number, result: TranslationResult): boolean {
    const crlf = document.eol === 2;
    const written = crlf ? result.text.replace(/\r?\n/g, '\r\n') : result.text;
    if (document.getText().slice(start, start + written.length) !== written) return false;
    return this.put(document, { start, end: start + written.length, result, side: 'target', sentenceStarts: sentenceStarts(result), crlf });
  }

  private put(document: CacheDocument, entry: CachedRange): boolean {
    if (!entry.result.sentences.some((s) => s.attention) || entry.end <= entry.start) return false;
    const key = document.uri.toString();
    const doc = this.byDoc.get(key);
    const keep = doc && doc.version === document.version ? doc.ranges.filter((r) => r.end <= entry.start || r.start >= entry.end) : [];
    this.byDoc.set(key, { version: document.version, ranges: [...keep, entry] });
    this.fire(document.uri);
    return true;
  }

  private documentChanged(e: DocumentChange): void {
    const key = e.document.uri.toString();
    const doc = this.byDoc.get(key);
    if (!doc || e.contentChanges.length === 0) return;
    let ranges = doc.ranges;
    // The changes of one event apply one after the other, each to the text the previous ones left.
    for (const change of e.contentChanges) {
      ranges = ranges.flatMap((r) => {
        const moved = moveRange(r, change);
        return moved ? [moved === r ? r : { ...r, ...moved }] : [];
      });
    }
    if (ranges.length === 0) this.byDoc.delete(key);
    else this.byDoc.set(key, { version: e.document.version, ranges });
    this.fire(e.document.uri);
  }

  private fire(uri: CacheDocument['uri']): void {
    for (const l of this.listeners) l(uri);
  }

  /** The ranges of `document` that match its current text. */
  ranges(document: CacheDocument): CachedRange[] {
    const doc = this.byDoc.get(document.uri.toString());
    return doc && doc.version === document.version ? doc.ranges : [];
  }

  /** The token under `offset` (UTF-16, in the document), if a cached translation covers it. */
  tokenAt(document: CacheDocument, offset: number): TokenHit | undefined {
    for (const entry of this.ranges(document)) {
      if (offset < entry.start || offset >= entry.end) continue;
      const hit = entry.side === 'source' ? sourceToken(entry, offset) : targetToken(entry, offset);
      if (hit) return hit;
    }
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
  }
}

/** A source token: the tag (index 0) and </s> (empty) are never under the mouse. */
function sourceToken(entry: CachedRange, offset: number): TokenHit | undefined {
  for (const sentence of entry.result.sentences) {
    if (!sentence.attention) continue;
    const local = offset - entry.start - sentence.sourceOffset;
    const tokenIndex = sentence.srcTokens.findIndex((t, i) => i > 0 && t.end > t.start && local >= t.start && local < t.end);
    if (tokenIndex > 0) {
      const t = sentence.srcTokens[tokenIndex];
      const base = entry.start + sentence.sourceOffset;
      return { entry, sentence, tokenIndex, side: 'source', start: base + t.start, end: base + t.end };
    }
  }
  return undefined;
}

/** A generated token of the written translation (</s> is empty and never under the mouse). */
function targetToken(entry: CachedRange, offset: number): TokenHit | undefined {
  const text = entry.result.text;
  const at = (o: number) => entry.start + (entry.crlf ? crlfOffset(text, o) : o);
  const starts = entry.sentenceStarts ?? [];
  for (const [i, sentence] of entry.result.sentences.entries()) {
    const s0 = starts[i] ?? -1;
    if (!sentence.attention || s0 < 0) continue;
    const tokenIndex = sentence.tgtTokens.findIndex((t) => t.end > t.start && offset >= at(s0 + t.start) && offset < at(s0 + t.end));
    if (tokenIndex >= 0) {
      const t = sentence.tgtTokens[tokenIndex];
      return { entry, sentence, tokenIndex, side: 'target', start: at(s0 + t.start), end: at(s0 + t.end) };
    }
  }
  return undefined;
}
