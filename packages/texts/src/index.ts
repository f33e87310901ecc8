import { CATALOG } from './catalog/index.ts';

/**
 * Every human text the server produces is a code with parameters (issue 14): stored and sent as
 * `{ code, params, detail }`, worded at the last moment in the reader's language — by the API from
 * `Accept-Language` (default pt-BR), by the web app from its own locale. Pure and dependency-free:
 * the server and the browser bundle share it.
 */
export type Locale = 'pt-BR' | 'en';
export const LOCALES: readonly Locale[] = ['pt-BR', 'en'];
export const DEFAULT_LOCALE: Locale = 'pt-BR';

type EnglishCatalog = (typeof CATALOG)['en'];
export type TextCode = keyof EnglishCatalog & string;
export type TextParamValue = string | number;
export type TextParams = Readonly<Record<string, TextParamValue>>;

/** `'Could not look up “{host}” ({reason}).'` → `'host' | 'reason'`. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
/** The parameters a code's text needs: exactly its placeholders. */
export type ParamsOf<C extends TextCode> = Record<Placeholders<EnglishCatalog[C]>, TextParamValue>;
type HasParams<C extends TextCode> = [Placeholders<EnglishCatalog[C]>] extends [never] ? false : true;

export interface ServerText {
  readonly code: string;
  readonly params?: TextParams | undefined;
  /**
   * Words that are not ours to translate — a library's or a remote server's own message —
   * appended after the text. Never a sentence of Correio's.
   */
  readonly detail?: string | null | undefined;
}

/** A text by code; the parameters are checked against the English wording's placeholders. */
export function text<C extends TextCode>(code: C, ...rest: HasParams<C> extends true ? [params: ParamsOf<C>, detail?: string | null] : [params?: undefined, detail?: string | null]): ServerText {
  const [params, detail] = rest;
  return { code, ...(params && Object.keys(params).length ? { params: params as TextParams } : {}), ...(detail ? { detail } : {}) };
}

export function isTextCode(code: string): code is TextCode {
  return Object.hasOwn(CATALOG.en, code);
}

/** The `{name}` placeholders of a template, in order of appearance. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
}

/**
 * Words a text in a locale. An unknown code (a text stored by a newer version) falls back to English, then to the code itself.
 * A placeholder named `…Text` holds another text's code, worded too, from the same parameters — a
 * sentence around another one, like `Not sent yet (attempt {attempt}): {failureText}` — and the
 * foreign detail then follows that inner sentence, whose words it explains. Only those: a value
 * from outside (a folder name, a file name) that happens to spell a code stays as it is.
 */
export function renderText(value: ServerText, locale: Locale): string {
  const template = (CATALOG[locale] as Record<string, string>)[value.code] ?? (CATALOG.en as Record<string, string>)[value.code] ?? value.code;
  const params = value.params ?? {};
  let detail = value.detail || null;
  const worded = template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(params, name)) return whole;
    const param = params[name]!;
    if (!name.endsWith('Text') || typeof param !== 'string' || !isTextCode(param)) return String(param);
    // Without its own slot, an inner text cannot name itself again: the recursion ends.
    const { [name]: _inner, ...rest } = params;
    const inner = renderText({ code: param, params: rest, detail }, locale);
    detail = null;
    return inner;
  });
  if (!detail) return worded;
  return `${worded.replace(/[.:]$/, '')}: ${detail}`;
}

/** Texts as JSON from the database or the wire, checked: anything else is not a ServerText. */
export function asServerText(value: unknown): ServerText | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { code?: unknown; params?: unknown; detail?: unknown };
  if (typeof v.code !== 'string') return null;
  const params = v.params && typeof v.params === 'object' ? Object.fromEntries(Object.entries(v.params as Record<string, unknown>).filter((e): e is [string, TextParamValue] => typeof e[1] === 'string' || typeof e[1] === 'number')) : undefined;
  return { code: v.code, ...(params && Object.keys(params).length ? { params } : {}), ...(typeof v.detail === 'string' && v.detail ? { detail: v.detail } : {}) };
}

/** The wording of every code in one locale (the completeness test and the web app read it). */
export function catalogOf(locale: Locale): Readonly<Record<TextCode, string>> {
  return CATALOG[locale] as Record<TextCode, string>;
}

/** What a provider needs before its password works (`provider.<id>.authHint`), when it needs something. */
export function providerAuthHint(providerId: string | null | undefined): ServerText | null {
  const code = `provider.${providerId}.authHint`;
  return providerId && isTextCode(code) ? { code } : null;
}
