import type { CombinedError } from '@urql/core';

/** The API's error codes (packages/api/src/errors.ts) plus NETWORK for "no answer at all". */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'BAD_USER_INPUT'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'SIGNUP_CLOSED'
  | 'SIGNUP_REFUSED'
  | 'CONFLICT'
  | 'DUPLICATE_MAILBOX'
  | 'SECRET_REQUIRED'
  | 'INTERNAL'
  | 'NETWORK';

const KNOWN = new Set<string>(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED', 'BAD_USER_INPUT', 'INVALID_CREDENTIALS', 'RATE_LIMITED', 'SIGNUP_CLOSED', 'SIGNUP_REFUSED', 'CONFLICT', 'DUPLICATE_MAILBOX', 'SECRET_REQUIRED', 'INTERNAL']);

export function errorCodes(error: CombinedError | null | undefined): string[] {
  if (!error) return [];
  if (error.networkError && !error.graphQLErrors.length) return ['NETWORK'];
  return error.graphQLErrors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL'));
}

/** The first error's code, mapped onto the codes the UI knows (unknown ones count as INTERNAL). */
export function errorCode(error: CombinedError | null | undefined): ErrorCode | null {
  const code = errorCodes(error)[0];
  if (!code) return null;
  if (code === 'NETWORK') return 'NETWORK';
  return (KNOWN.has(code) ? code : 'INTERNAL') as ErrorCode;
}

export interface FieldErrorEntry {
  path: Array<string | number>;
  message: string;
  /** Set when the field's problem has a code of its own (SECRET_REQUIRED): the UI words it itself. */
  code?: string;
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
      if (!(key in out)) out[key] = f.message;
    }
  }
  return out;
}

/** Codes of field errors that carry one, keyed like `fieldErrors`. */
export function fieldErrorCodes(error: CombinedError | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error?.graphQLErrors ?? []) {
    const fields = e.extensions?.['fields'];
    if (!Array.isArray(fields)) continue;
    for (const f of fields as FieldErrorEntry[]) if (f.code) out[(f.path[0] === 'input' ? f.path.slice(1) : f.path).join('.')] ??= f.code;
  }
  return out;
}

/** The server's own words for the first error (shown as detail under a localized title). */
export function serverMessage(error: CombinedError | null | undefined): string | undefined {
  return error?.graphQLErrors[0]?.message;
}
