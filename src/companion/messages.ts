// The paper companion's own messages between the host and its webview view, beside the engine protocol
// (src/shared/protocol.ts). They carry kind 'companion', which parseMessage rejects, so the EngineClient and the
// webview's RequestServer ignore them. No vscode, no DOM: both sides import this file.
import type { TranslationResult } from '../shared/results';

/** Longest text the webview may ask the host to analyse (the engine cuts sentences to the model's maxLen anyway). */
export const MAX_ANALYZE_CHARS = 4000;

/** Why the host could not give a selection; the webview words it in the display language. */
export type SelectionProblem = 'noEditor' | 'empty';

/** Webview → host. */
export type CompanionRequest =
  /** The script started (again): the host (re)attaches its engine client and loads the current model. */
  | { kind: 'companion'; type: 'hello' }
  /** The active editor's selection, please. */
  | { kind: 'companion'; type: 'selection'; id: number }
  /** Run the model on `text` (greedy, with attention) and send the result back. */
  | { kind: 'companion'; type: 'analyze'; id: number; text: string };

/** Host → webview. */
export type CompanionReply =
  | { kind: 'companion'; type: 'selection'; id: number; text: string }
  | { kind: 'companion'; type: 'selection'; id: number; problem: SelectionProblem }
  | { kind: 'companion'; type: 'analysis'; id: number; result: TranslationResult }
  | { kind: 'companion'; type: 'analysis'; id: number; error: string }
  /** The host could not load a model (no package, bad manifest, engine failure). */
  | { kind: 'companion'; type: 'modelError'; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Narrows anything the webview posts to a CompanionRequest, or undefined. */
export function parseCompanionRequest(value: unknown): CompanionRequest | undefined {
  if (!isObject(value) || value.kind !== 'companion') return undefined;
  switch (value.type) {
    case 'hello':
      return { kind: 'companion', type: 'hello' };
    case 'selection':
      return isId(value.id) ? { kind: 'companion', type: 'selection', id: value.id } : undefined;
    case 'analyze':
      if (!isId(value.id) || typeof value.text !== 'string') return undefined;
      if (value.text.trim() === '' || value.text.length > MAX_ANALYZE_CHARS) return undefined;
      return { kind: 'companion', type: 'analyze', id: value.id, text: value.text };
    default:
      return undefined;
  }
}

/** Narrows what arrives in the webview to a CompanionReply, or undefined. */
export function parseCompanionReply(value: unknown): CompanionReply | undefined {
  if (!isObject(value) || value.kind !== 'companion') return undefined;
  switch (value.type) {
    case 'selection':
      if (!isId(value.id)) return undefined;
      if (typeof value.text === 'string') return { kind: 'companion', type: 'selection', id: value.id, text: value.text };
      if (value.problem === 'noEditor' || value.problem === 'empty') return { kind: 'companion', type: 'selection', id: value.id, problem: value.problem };
      return undefined;
    case 'analysis':
      if (!isId(value.id)) return undefined;
      if (typeof value.error === 'string') return { kind: 'companion', type: 'analysis', id: value.id, error: value.error };
      if (isTranslationResult(value.result)) return { kind: 'companion', type: 'analysis', id: value.id, result: value.result };
      return undefined;
    case 'modelError':
      return typeof value.error === 'string' ? { kind: 'companion', type: 'modelError', error: value.error } : undefined;
    default:
      return undefined;
  }
}

/** Shape check of the parts the companion reads. */
function isTranslationResult(v: unknown): v is TranslationResult {
  if (!isObject(v) || typeof v.text !== 'string' || !Array.isArray(v.sentences)) return false;
  return v.sentences.every((s) => isObject(s) && typeof s.source === 'string' && Array.isArray(s.srcTokens) && Array.isArray(s.tgtTokens));
}
