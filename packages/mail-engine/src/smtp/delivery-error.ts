import { toMailError } from '../mail-error-rules.ts';
import { renderText, type ServerText } from '@correio/texts';
import { MailError, summaryText, type MailErrorCode } from '../errors.ts';

/**
 * What to do with a message after a failed send. Kept apart from the status model on purpose:
 * "can this message go out later?" and "is this account healthy?" have different answers
 * (a refused connection is an ERROR on the accounts screen, yet the reply should simply wait
 * for the server to come back).
 */
export interface DeliveryDecision {
  /** Try the same message again later (4xx, connection refused, timeout, dropped connection). */
  retry: boolean;
  /**
   * ACCOUNT: the server or the settings are the problem — it feeds the outgoing status.
   * MESSAGE: this message or one of its recipients was refused; the server itself works.
   */
  scope: 'ACCOUNT' | 'MESSAGE';
  error: MailError;
  /** One line for the agent, with the server's own words when it gave any (English, for logs and old readers). */
  summary: string;
  /** `summary` as a text code: the error's text, with the server's words as its detail. */
  summaryText: ServerText;
}

interface RawSmtpError {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  response?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

// Failures worth waiting out: the message is fine, the way to the server is not (yet).
const RETRYABLE: ReadonlySet<MailErrorCode> = new Set([
  'SEND_DEFERRED',
  'TIMEOUT',
  'CONNECTION_RESET',
  'CONNECTION_REFUSED',
  'DNS_FAILED',
  'SERVER_UNAVAILABLE',
  'RATE_LIMITED',
  'STALLED',
  // An OAuth mailbox whose grant broke: its replies wait for "Reconnect" instead of failing.
  'OAUTH_REAUTH_REQUIRED',
  'OAUTH_UNAVAILABLE',
  'PROTOCOL_ERROR',
  'UNKNOWN',
]);
const PERMANENT_REPLY_CODES: ReadonlySet<MailErrorCode> = new Set(['RECIPIENT_REJECTED', 'MESSAGE_REJECTED', 'AUTH_FAILED', 'AUTH_MECHANISM_UNSUPPORTED']);

/**
 * Pure classification of whatever a send threw. nodemailer stamps `code`, `responseCode`,
 * `response` and `command` on its errors (and keeps a socket's own code, e.g. ECONNREFUSED, in
 * `originalCode`); Correio's own MailErrors pass through. The SMTP reply code wins over
 * everything else: 4xx is always retried and 5xx never is, even when its text says "timeout".
 */
export function classifyDelivery(err: unknown): DeliveryDecision {
  const raw = (err ?? {}) as RawSmtpError;
  const responseCode = typeof raw.responseCode === 'number' ? raw.responseCode : null;
  const command = typeof raw.command === 'string' ? raw.command.toUpperCase() : '';
  const error = err instanceof MailError ? err : toMailError(typeof raw.originalCode === 'string' ? { ...raw, code: raw.originalCode, message: raw.message } : err, 'SEND');

  // STARTTLS was required and the server refused it: never fall back to clear text; the settings must change.
  if (command === 'STARTTLS' && responseCode !== null && responseCode >= 500) {
    const refused = new MailError('STARTTLS_UNSUPPORTED', 'TLS', { text: summaryText('STARTTLS_UNSUPPORTED', oneLine(error.serverResponse)), serverResponse: error.serverResponse, cause: err });
    return decision(false, 'ACCOUNT', refused);
  }
  if (responseCode !== null && responseCode >= 500) {
    const authReply = [530, 534, 535, 538].includes(responseCode) || command.startsWith('AUTH');
    const code: MailErrorCode = authReply
      ? 'AUTH_FAILED'
      : command.startsWith('RCPT')
        ? 'RECIPIENT_REJECTED'
        : !command.startsWith('MAIL') && PERMANENT_REPLY_CODES.has(error.code)
          ? error.code
          : 'MESSAGE_REJECTED';
    const permanent = new MailError(code, authReply ? 'AUTH' : 'SEND', {
      text: summaryText(code, oneLine(error.serverResponse)),
      serverResponse: error.serverResponse,
      transient: false,
      cause: err,
    });
    // A refused sender (MAIL FROM) or login is the account's problem; a refused recipient or content is this message's.
    const scope = authReply || command.startsWith('MAIL') ? 'ACCOUNT' : 'MESSAGE';
    return decision(false, scope, permanent);
  }
  if (responseCode !== null && responseCode >= 400) {
    const deferred = RETRYABLE.has(error.code)
      ? error
      : new MailError('SEND_DEFERRED', 'SEND', { text: summaryText('SEND_DEFERRED', oneLine(error.serverResponse)), serverResponse: error.serverResponse, cause: err });
    return decision(true, 'ACCOUNT', deferred);
  }
  // No reply code: a local refusal (no recipients, unreadable attachment) or the network.
  if (raw.code === 'EENVELOPE' || raw.code === 'EMESSAGE' || raw.code === 'ESTREAM') return decision(false, 'MESSAGE', error);
  // A refused connection is marked non-transient for the status screen (the port may be wrong), yet a
  // queued reply waits for the server to come back; an error Correio itself marked final stays final.
  const retry = RETRYABLE.has(error.code) && (error.transient || error.code === 'CONNECTION_REFUSED' || error.code === 'OAUTH_REAUTH_REQUIRED');
  return decision(retry, 'ACCOUNT', error);
}

function decision(retry: boolean, scope: DeliveryDecision['scope'], error: MailError): DeliveryDecision {
  const summary = summarize(error);
  return { retry, scope, error, summary: renderText(summary, 'en').slice(0, 1000), summaryText: summary };
}

function oneLine(response: string | null): string | null {
  return response?.replace(/\s+/g, ' ').trim() || null;
}

/** The error's text with the server's words after it, said once (toMailError already puts them into its detail). */
function summarize(error: MailError): ServerText {
  const response = oneLine(error.serverResponse);
  if (!response || renderText(error.text, 'en').includes(response)) return error.text;
  return { ...error.text, detail: error.text.detail ? `${error.text.detail} (${response})` : response };
}
