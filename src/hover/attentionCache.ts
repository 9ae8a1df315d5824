// Remembers translated ranges with their attention, per document version; any edit drops that document's entries.
import * as vscode from 'vscode';
import type { SentenceResult, TranslationResult } from '../shared/results';

export interface CachedRange { start: number; end: number; result: TranslationResult }

export interface TokenHit { entry: CachedRange; sentence: SentenceResult; tokenIndex: number }

export class AttentionCache implements vscode.Disposable {
  private readonly byDoc = new Map<string, { version: number; ranges: CachedRange[] }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && this.byDoc.delete(e.document.uri.toString())) this.changed.fire(e.document.uri);
    });
  }

  add(document: vscode.TextDocument, range: vscode.Range, version: number, result: TranslationResult): void {
    if (!result.sentences.some((s) => s.attention)) return;
    if (document.version !== version) return;                 // edited while translating: offsets are stale
    const key = document.uri.toString();
    const start = document.offsetAt(range.start);
    const end = document.offsetAt(range.end);
    const doc = this.byDoc.get(key);
    const keep = doc && doc.version === version ? doc.ranges.filter((r) => r.end <= start || r.start >= end) : [];
    this.byDoc.set(key, { version, ranges: [...keep, { start, end, result }] });
    this.changed.fire(document.uri);
  }

  ranges(document: vscode.TextDocument): CachedRange[] {
    const doc = this.byDoc.get(document.uri.toString());
    return doc && doc.version === document.version ? doc.ranges : [];
  }

  /** The source token under `offset`, if a cached translation covers it. */
  tokenAt(document: vscode.TextDocument, offset: number): TokenHit | undefined {
    for (const entry of this.ranges(document)) {
      if (offset < entry.start || offset >= entry.end) continue;
      for (const sentence of entry.result.sentences) {
        if (!sentence.attention) continue;
        const local = offset - entry.start - sentence.sourceOffset;
        const tokenIndex = sentence.srcTokens.findIndex((t, i) => i > 0 && t.end > t.start && local >= t.start && local < t.end);
        if (tokenIndex > 0) return { entry, sentence, tokenIndex };
      }
    }
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
