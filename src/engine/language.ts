// Detects the language of a selection among the model's languages and resolves the `auto` target.
import type { Lang, TargetSetting } from '../shared/manifest';

export type { TargetSetting };

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/g;
const LATIN = /\p{Script=Latin}/gu;
// Frequent German function words and letters; English has none of ä ö ü ß.
const GERMAN_WORDS = /\b(der|die|das|und|ist|nicht|ein|eine|mit|für|auf|den|dem|zu|von|sich|auch|wird|werden|sind|wir|ich|Sie)\b/g;
const ENGLISH_WORDS = /\b(the|and|is|of|to|in|that|it|for|with|as|are|this|be|on|by|we|an|which|can)\b/gi;

export function detectLanguage(text: string): Lang {
  const hangul = (text.match(HANGUL) ?? []).length;
  const latin = (text.match(LATIN) ?? []).length;
  if (hangul > 0 && hangul >= latin * 0.3) return 'ko';
  const umlauts = (text.match(/[äöüÄÖÜß]/g) ?? []).length;
  const german = (text.match(GERMAN_WORDS) ?? []).length + 2 * umlauts;
  const english = (text.match(ENGLISH_WORDS) ?? []).length;
  return german > english ? 'de' : 'en';
}

/** `auto`: Korean goes to English, English to Korean, German to English. An explicit target equal to the
 * source falls back the same way (translating English into English is never what the user meant). */
export function resolveTarget(setting: TargetSetting, source: Lang): Lang {
  if (setting === 'auto' || setting === source) return source === 'en' ? 'ko' : 'en';
  return setting;
}
