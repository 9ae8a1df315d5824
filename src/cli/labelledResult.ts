// What the CLI writes for one line to its --attention file: the translation result, and with every sentence the labels
// of its tokens by the one rule the editor's views use (engine/tokenLabels.ts), so a plot made from the file names
// tokens as the panel does (a byte piece as its character, controls escaped, no ▁).
import { tokenLabels } from '../engine/tokenLabels';
import type { SentenceResult, TranslationResult } from '../shared/results';

export interface LabelledSentence extends SentenceResult {
  /** One label per entry of srcTokens / tgtTokens. */
  labels: { source: string[]; target: string[] };
}

export function labelledResult(r: TranslationResult): TranslationResult & { sentences: LabelledSentence[] } {
  return {
    ...r,
    sentences: r.sentences.map((s) => ({
      ...s, labels: { source: tokenLabels(s.srcTokens).map((l) => l.text), target: tokenLabels(s.tgtTokens).map((l) => l.text) },
    })),
  };
}
