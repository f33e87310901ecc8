import { GraphQLError } from 'graphql';

/**
 * The API's one table of error codes. Every error a client can see carries one of these in
 * `extensions.code`; clients switch on the code, never on message text.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, message: 'You need to log in first.' },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this. Ask an admin of the workspace.' },
  NOT_FOUND: { status: 404, message: 'Not found in this workspace.' },
  VALIDATION_FAILED: { status: 400, message: 'Some fields are invalid.' },
  BAD_USER_INPUT: { status: 400, message: 'The request could not be read (a variable of the wrong type, or a query that does not parse or is over the limits).' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, message: 'The query asks for something the schema does not have, or breaks its limits.' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong e-mail or password.' },
  RATE_LIMITED: { status: 429, message: 'Too many attempts. Wait a moment and try again.' },
  SIGNUP_REFUSED: {
    status: 409,
    message: 'This workspace address or e-mail cannot be used. Choose another workspace address, or log in if you already have an account.',
  },
  SIGNUP_CLOSED: { status: 403, message: 'Sign-up is closed on this server. Ask an admin for an invitation.' },
  CONFLICT: { status: 409, message: 'That already exists.' },
  DUPLICATE_MAILBOX: {
    status: 409,
    message: 'Another account already imports this mailbox (same host, user and folder); it would import every message twice.',
  },
  SECRET_REQUIRED: {
    status: 400,
    message: 'Type the password again: a saved password is only ever sent to the server it was saved for.',
  },
  OAUTH_CLIENT_MISCONFIGURED: { status: 503, message: 'This provider’s OAuth app is not configured on the server; the operator must set its client id and secret.' },
  OAUTH_CONNECTION_INVALID: { status: 400, message: 'That sign-in cannot be used: it expired, was already used, or belongs to someone else. Click “Connect” again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server. Try again; if it persists, check the server logs.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** Path of the offending argument field, e.g. `["input", "incoming", "port"]`. */
  path: Array<string | number>;
  message: string;
  /** A code of its own when the field's problem is more than "invalid" (e.g. SECRET_REQUIRED). */
  code?: string;
}

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message?: string, extra: Record<string, unknown> = {}) {
    super(message ?? ERROR_CODES[code].message, { extensions: { code, ...extra } });
  }
}

export function validationError(fields: FieldError[]): AppError {
  const first = fields[0];
  const message = first ? `${first.path.join('.')}: ${first.message}` : ERROR_CODES.VALIDATION_FAILED.message;
  return new AppError('VALIDATION_FAILED', message, { fields });
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found in this workspace.`);
