// The one string table of both webviews (the Attention panel and the paper companion), English and Korean with the
// same typed key set, and `t` with {name} placeholders. The webviews follow VS Code's display language (the host
// writes vscode.env.language into <html lang>). No DOM, no vscode. test/unit/strings.test.ts checks the texts.
import { en } from './en';
import { ko } from './ko';

export { en, ko };
export type StringKey = keyof typeof en;
/**
 * The language the webviews speak to the user (VS Code's display language): not the language of a text the model
 * translates, which is src/shared/manifest.ts's `Lang`.
 */
export type UiLang = 'en' | 'ko';

export const TABLES: Record<UiLang, Record<StringKey, string>> = { en, ko };

/** 'ko', 'ko-KR' → Korean; anything else → English. */
export function displayLang(tag: string | undefined | null): UiLang {
  return /^ko\b/i.test(tag ?? '') ? 'ko' : 'en';
}

export type Translate = (key: StringKey, args?: Record<string, string | number>) => string;

/** The string for `key` in `lang`, with {name} placeholders filled (unknown placeholders stay as they are). */
export function translator(lang: UiLang): Translate {
  const table = TABLES[lang];
  return (key, args) => {
    const s = table[key] ?? en[key] ?? key;
    return args ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in args ? String(args[name]) : m)) : s;
  };
}

/** The {name} placeholders of a string, sorted (for the tests). */
export function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
