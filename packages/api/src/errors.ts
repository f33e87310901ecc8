import { renderText, type ServerText, type TextCode } from '@correio/texts';
import { GraphQLError } from 'graphql';

/**
 * The API's one table of error codes. Every error a client can see carries one of these in
 * `extensions.code`; clients switch on the code, never on message text. What each says is the
 * catalogue's `api.<CODE>`.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: 401 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  VALIDATION_FAILED: { status: 400 },
  BAD_USER_INPUT: { status: 400 },
  GRAPHQL_VALIDATION_FAILED: { status: 400 },
  INVALID_CREDENTIALS: { status: 401 },
  RATE_LIMITED: { status: 429 },
  SIGNUP_REFUSED: { status: 409 },
  SIGNUP_CLOSED: { status: 403 },
  CONFLICT: { status: 409 },
  DUPLICATE_MAILBOX: { status: 409 },
  SECRET_REQUIRED: { status: 400 },
  OAUTH_CLIENT_MISCONFIGURED: { status: 503 },
  OAUTH_CONNECTION_INVALID: { status: 400 },
  INTERNAL: { status: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** What an error of this code says when nothing more specific applies. */
export function errorText(code: ErrorCode): ServerText {
  return { code: `api.${code}` as const satisfies TextCode };
}

export interface FieldError {
  /** Path of the offending argument field, e.g. `["input", "incoming", "port"]`. */
  path: Array<string | number>;
  /** In English; the error plugin rewords it from `text` in the request's language. */
  message: string;
  text?: ServerText;
  /** A code of its own when the field's problem is more than "invalid" (e.g. SECRET_REQUIRED). */
  code?: string;
}

/** A field's problem, worded by code; `message` is its English wording. */
export function fieldError(path: Array<string | number>, text: ServerText, code?: string): FieldError {
  return { path, message: renderText(text, 'en'), text, ...(code ? { code } : {}) };
}

/**
 * An error a client may see. `extensions.text` is what it says, by code (issue 14): the error
 * plugin words the message from it in the request's language, and a client that has the
 * catalogue can word it itself. The message given to graphql-js is the English wording, for logs.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, text: ServerText = errorText(code), extra: Record<string, unknown> = {}) {
    super(renderText(text, 'en'), { extensions: { code, ...extra, text } });
  }
}

/** VALIDATION_FAILED saying what is wrong with the first field: the path is for developers, in `fields`. */
export function validationError(fields: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', fields[0]?.text ?? errorText('VALIDATION_FAILED'), { fields });
}

type NotFoundWhat = TextCode extends infer C ? (C extends `api.NOT_FOUND.${infer W}` ? W : never) : never;

export const notFound = (what: NotFoundWhat) => new AppError('NOT_FOUND', { code: `api.NOT_FOUND.${what}` });

/** What a client sees of an unexpected error: only that something went wrong, never its message. */
export function internalError(path?: ReadonlyArray<string | number>): GraphQLError {
  const text = errorText('INTERNAL');
  return new GraphQLError(renderText(text, 'en'), { path, extensions: { code: 'INTERNAL', text } });
}
