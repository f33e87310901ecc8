import { renderText, text, type ServerText } from '@correio/texts';

/**
 * The mail engine's one table of error codes (nodemailer's lib/errors.js is the model): each code
 * and whether it can clear by itself. Its words — a one-sentence summary (`mail.<CODE>`) and the
 * hint an admin can act on (`mail.<CODE>.hint`) — are texts in @correio/texts, in pt-BR and
 * English. Every failure of a check, a sync or a send becomes a MailError carrying one of these
 * codes, the phase it happened in, the server's own response and whether it can clear by itself;
 * the same codes reach the API and the UI.
 */
export const MAIL_ERROR_CODES = {
  HOST_NOT_FOUND: { transient: false },
  PRIVATE_ADDRESS: { transient: false },
  DNS_FAILED: { transient: true },
  CONNECTION_REFUSED: { transient: false },
  CONNECTION_RESET: { transient: true },
  TIMEOUT: { transient: true },
  TLS_HANDSHAKE_FAILED: { transient: false },
  TLS_MISMATCH: { transient: false },
  CERT_INVALID: { transient: false },
  STARTTLS_UNSUPPORTED: { transient: false },
  AUTH_FAILED: { transient: false },
  AUTH_MECHANISM_UNSUPPORTED: { transient: false },
  FOLDER_NOT_FOUND: { transient: false },
  FOLDER_READ_ONLY: { transient: false },
  FOLDER_NOT_ALLOWED: { transient: false },
  RATE_LIMITED: { transient: true },
  SERVER_UNAVAILABLE: { transient: true },
  PROTOCOL_ERROR: { transient: true },
  PROTOCOL_MISMATCH: { transient: false },
  NOT_CONFIGURED: { transient: false },
  RELAY_NOT_CONFIGURED: { transient: false },
  STALLED: { transient: true },
  RECIPIENT_REJECTED: { transient: false },
  MESSAGE_REJECTED: { transient: false },
  SEND_DEFERRED: { transient: true },
  BOUNCED: { transient: false },
  OAUTH_REAUTH_REQUIRED: { transient: false },
  OAUTH_CLIENT_MISCONFIGURED: { transient: false },
  OAUTH_UNAVAILABLE: { transient: true },
  UNKNOWN: { transient: true },
} as const;

export type MailErrorCode = keyof typeof MAIL_ERROR_CODES;
export type Phase = 'OAUTH' | 'DNS' | 'CONNECT' | 'TLS' | 'GREETING' | 'AUTH' | 'MAILBOX' | 'FETCH' | 'SEND' | 'CONFIG';

export interface MailErrorOptions {
  /** What went wrong, when more can be said than the code's summary (default `mail.<CODE>`). */
  text?: ServerText;
  /** What to do, when it differs from the code's hint (default `mail.<CODE>.hint`). */
  hintText?: ServerText;
  serverResponse?: string | null;
  transient?: boolean;
  cause?: unknown;
}

export class MailError extends Error {
  readonly code: MailErrorCode;
  readonly phase: Phase;
  readonly transient: boolean;
  readonly serverResponse: string | null;
  /** The failure as a text code with parameters, worded in the reader's language by the API and the web app. */
  readonly text: ServerText;
  readonly hintText: ServerText;

  constructor(code: MailErrorCode, phase: Phase, options: MailErrorOptions = {}) {
    const worded = options.text ?? summaryText(code);
    // The Error's own message stays English: it is what logs and stack traces show.
    super(renderText(worded, 'en'), options.cause ? { cause: options.cause } : undefined);
    this.name = 'MailError';
    this.code = code;
    this.phase = phase;
    this.transient = options.transient ?? MAIL_ERROR_CODES[code].transient;
    this.serverResponse = capServerResponse(options.serverResponse ?? null);
    this.text = worded;
    this.hintText = options.hintText ?? hintText(code);
  }

  /** The hint in English (logs, and the API's fallback for rows stored before texts had codes). */
  get hint(): string {
    return renderText(this.hintText, 'en');
  }
}

/** A code's summary (`The TLS handshake failed.`), with a library's or server's own words after it when there are some. */
export function summaryText(code: MailErrorCode, detail?: string | null): ServerText {
  return text(`mail.${code}`, undefined, detail);
}

export function hintText(code: MailErrorCode): ServerText {
  return text(`mail.${code}.hint`);
}

export function isMailError(err: unknown): err is MailError {
  return err instanceof MailError;
}

/** Servers' own words reach people, so each echoed line is bounded (and so is their number). */
export const SERVER_LINE_MAX = 300;

export function capServerResponse(response: string | null): string | null {
  if (response === null) return null;
  const lines = response.split(/\r?\n/).slice(0, 20);
  return lines.map((l) => (l.length > SERVER_LINE_MAX ? `${l.slice(0, SERVER_LINE_MAX)}…` : l)).join('\n');
}

