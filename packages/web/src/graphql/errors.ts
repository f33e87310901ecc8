import { asServerText, renderText } from '@correio/texts';
import type { CombinedError } from '@urql/core';
import en from '#i18n/en.ts';
import { i18n } from '#i18n/index.ts';
import type { ErrorCode } from './enums.ts';

/** What the UI switches on: the schema's `ErrorCode`s, plus NETWORK for "no answer at all". */
export type ClientErrorCode = ErrorCode | 'NETWORK';

/**
 * Whether the UI knows a code. The catalogue's type requires a text for every schema code (and
 * NETWORK), so the codes with a text are exactly those: read at runtime from the catalogue
 * instead of a second list.
 */
function isKnown(code: string): code is ClientErrorCode {
  return Object.hasOwn(en.errors, code);
}

export function errorCodes(error: CombinedError | null | undefined): string[] {
  if (!error) return [];
  if (error.networkError && !error.graphQLErrors.length) return ['NETWORK'];
  return error.graphQLErrors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL'));
}

/** The first error's code, mapped onto the codes the UI knows (unknown ones count as INTERNAL). */
export function errorCode(error: CombinedError | null | undefined): ClientErrorCode | null {
  const code = errorCodes(error)[0];
  if (!code) return null;
  return isKnown(code) ? code : 'INTERNAL';
}

export interface FieldErrorEntry {
  path: Array<string | number>;
  message: string;
  /** What the message says, by code: worded in the app's locale, so a language switch rewords it. */
  text?: unknown;
  /** Set when the field's problem has a code of its own (SECRET_REQUIRED): the UI words it itself. */
  code?: ErrorCode;
}

/** A server text in the app's current locale; `fallback` is the server's own wording. */
function worded(value: unknown, fallback: string): string {
  const text = asServerText(value);
  return text ? renderText(text, i18n.global.locale.value) : fallback;
}

/**
 * Field errors from `extensions.fields`, keyed by their path without the leading `input`
 * argument: `['input','incoming','port']` → `incoming.port`.
 */
export function fieldErrors(error: CombinedError | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error?.graphQLErrors ?? []) {
    const fields = e.extensions?.['fields'];
    if (!Array.isArray(fields)) continue;
    for (const f of fields as FieldErrorEntry[]) {
      const path = f.path[0] === 'input' ? f.path.slice(1) : f.path;
      const key = path.join('.');
      if (!(key in out)) out[key] = worded(f.text, f.message);
    }
  }
  return out;
}

/** Codes of field errors that carry one, keyed like `fieldErrors`. */
export function fieldErrorCodes(error: CombinedError | null | undefined): Record<string, ErrorCode> {
  const out: Record<string, ErrorCode> = {};
  for (const e of error?.graphQLErrors ?? []) {
    const fields = e.extensions?.['fields'];
    if (!Array.isArray(fields)) continue;
    for (const f of fields as FieldErrorEntry[]) if (f.code) out[(f.path[0] === 'input' ? f.path.slice(1) : f.path).join('.')] ??= f.code;
  }
  return out;
}

/**
 * What the first error says, in the app's locale (shown as detail under a localized title); none
 * when it has no text: graphql-js's own messages (BAD_USER_INPUT) are English words for developers.
 */
export function serverMessage(error: CombinedError | null | undefined): string | undefined {
  const text = asServerText(error?.graphQLErrors[0]?.extensions?.['text']);
  return text ? renderText(text, i18n.global.locale.value) : undefined;
}
