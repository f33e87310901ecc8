import { asServerText, isTextCode, text, type ServerText } from '@correio/texts';

/** A library's or database's words beyond this say nothing more to an admin. */
const DETAIL_MAX = 1000;

/**
 * Why a message could not be prepared: a ParseError carries its own text; anything else (the
 * blob store, a library's bug) is reported in that library's own words. Plain data, so the
 * reason crosses from a parser thread intact.
 */
export function failureTextOf(err: unknown): ServerText {
  const own = asServerText((err as { text?: unknown } | null)?.text);
  if (own && isTextCode(own.code)) return own;
  return text('import.readFailed', undefined, messageOf(err).slice(0, DETAIL_MAX));
}

/**
 * Why a prepared message could not be stored, from the innermost cause: drizzle wraps database
 * errors as "Failed query: <sql> params: <values>", and those values are message content, which
 * must not reach logs or the UI.
 */
export function storeFailureTextOf(err: unknown): ServerText {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = messageOf(current);
  if (message.startsWith('Failed query:')) return text('import.databaseRefused');
  return text('import.storeFailed', undefined, message.slice(0, DETAIL_MAX));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err ?? '');
}
