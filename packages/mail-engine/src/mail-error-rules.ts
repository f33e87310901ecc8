import { OAuthError } from '@correio/core';
import { asServerText, text, type ServerText } from '@correio/texts';
import { MailError, summaryText, type MailErrorCode, type Phase } from './errors.ts';

/**
 * The one place where whatever imapflow, our POP3 client, nodemailer, Node's socket and DNS
 * layers throw becomes a MailError with a stable code: a table of rules, tried in order, the
 * first match wins. Checks, the importers and the sender all come through here, so one failure
 * gets one code wherever it happens. Pure, so every rule is unit-tested.
 */

interface RawError {
  code?: unknown;
  /** nodemailer keeps a system error's own code here when it stamps its own (ESOCKET, ETLS, EDNS). */
  originalCode?: unknown;
  message?: unknown;
  response?: unknown;
  responseText?: unknown;
  responseCode?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  command?: unknown;
  /** Set by Correio's own clients (POP3): what happened, as a text, instead of an English message. */
  text?: unknown;
}

/** What a rule looks at, read once from the raw error. */
export interface ErrorFacts {
  /** The system's own code when a library wrapped it (ESOCKET + ECONNREFUSED → ECONNREFUSED). */
  code: string;
  message: string;
  /** The server's own words, when it said something. */
  response: string | null;
  responseCode: number | null;
  /** IMAP response code in brackets, upper-cased (`AUTHENTICATIONFAILED`, `UNAVAILABLE` …). */
  serverCode: string;
  command: string;
  authenticationFailed: boolean;
  /** message + response, for the text rules. */
  text: string;
  /** The words of an error Correio's own code raised; its message is then not a library's to echo. */
  ownText: ServerText | null;
  /** Where the caller was. */
  phase: Phase;
}

interface Rule {
  code: MailErrorCode;
  when: (f: ErrorFacts) => boolean;
  /** Where it happened; default: where the caller was. */
  phase?: Phase | ((f: ErrorFacts) => Phase);
  transient?: boolean;
  text?: (f: ErrorFacts) => ServerText;
  /** Whether the server's words may be echoed (never for a peer that has not greeted properly). */
  echo?: false;
  /** AUTH_FAILED takes the provider's hint ("use an app password"). */
  providerHint?: true;
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);
const HOST_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'NXDOMAIN']);
const TIMEOUTS = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ESOCKETTIMEDOUT']);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'EConnectionClosed', 'NoConnection', 'ECONNECTION', 'ClosedAfterConnectText', 'StateLogout']);
const AUTH_TEXT =
  /\[AUTH\]|authenticat(e|ion) failed|invalid credentials|login failed|auth(entication)? (credentials )?(invalid|rejected)|username and password not accepted|application-specific password required|web login required/i;
const isAuthFailure = (f: ErrorFacts) => f.authenticationFailed || f.code === 'EAUTH' || f.serverCode === 'AUTHENTICATIONFAILED' || f.serverCode === 'AUTHORIZATIONFAILED' || AUTH_TEXT.test(f.text);
const inSession = (p: Phase) => p === 'AUTH' || p === 'MAILBOX' || p === 'FETCH' || p === 'SEND';
const greetingPhase = (f: ErrorFacts): Phase => (f.phase === 'CONFIG' ? 'GREETING' : f.phase);
const refusedGreeting = (f: ErrorFacts) => /^[45]\d\d[ -]/.test(f.response ?? '') || (f.response ?? '').startsWith('-ERR');

export const MAIL_ERROR_RULES: readonly Rule[] = [
  // A greeting that is not the protocol's own (N5): the peer's bytes are never echoed, since the
  // "server" may be anything an admin pointed Correio at. nodemailer stamps its greeting CONN,
  // our POP3 client EGREETING.
  {
    code: 'SERVER_UNAVAILABLE',
    when: (f) => ((f.command === 'CONN' && f.code === 'EPROTOCOL') || f.code === 'EGREETING') && refusedGreeting(f),
    phase: greetingPhase,
    transient: true,
    echo: false,
    text: () => text('mail.SERVER_UNAVAILABLE.greetingRefused'),
  },
  {
    code: 'PROTOCOL_MISMATCH',
    when: (f) => (f.command === 'CONN' && f.code === 'EPROTOCOL') || f.code === 'EGREETING',
    phase: greetingPhase,
    echo: false,
    text: () => text('mail.PROTOCOL_MISMATCH.greeting'),
  },
  { code: 'HOST_NOT_FOUND', when: (f) => HOST_NOT_FOUND.has(f.code) || (f.code === 'EDNS' && /ENOTFOUND|ENODATA/.test(f.message)), phase: 'DNS' },
  { code: 'DNS_FAILED', when: (f) => f.code === 'EAI_AGAIN' || f.code === 'ESERVFAIL' || f.code === 'EDNS', phase: 'DNS' },
  { code: 'CONNECTION_REFUSED', when: (f) => f.code === 'ECONNREFUSED', phase: 'CONNECT' },
  { code: 'CONNECTION_REFUSED', when: (f) => f.code === 'EHOSTUNREACH' || f.code === 'ENETUNREACH' || f.code === 'EADDRNOTAVAIL', phase: 'CONNECT', transient: true },
  { code: 'CERT_INVALID', when: (f) => CERT_CODES.has(f.code), phase: 'TLS' },
  { code: 'STARTTLS_UNSUPPORTED', when: (f) => f.code === 'STARTTLS_UNSUPPORTED', phase: 'TLS' },
  // A TLS client hello answered in plain text.
  { code: 'TLS_MISMATCH', when: (f) => /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i.test(f.message) || f.code === 'ERR_SSL_WRONG_VERSION_NUMBER', phase: 'TLS' },
  { code: 'STARTTLS_UNSUPPORTED', when: (f) => /STARTTLS/i.test(f.message) && /support|not (offered|available)|missing/i.test(f.message), phase: 'TLS' },
  { code: 'TLS_HANDSHAKE_FAILED', when: (f) => f.code === 'ClosedAfterConnectTLS' || f.code === 'ETLS' || /^ERR_SSL|^ERR_TLS/.test(f.code) || /handshake|ssl routines|tls/i.test(`${f.code} ${f.message}`), phase: 'TLS' },
  {
    code: 'TIMEOUT',
    when: (f) => TIMEOUTS.has(f.code) || /timed? ?out/i.test(f.message),
    phase: (f) => (inSession(f.phase) ? f.phase : f.code === 'GREETING_TIMEOUT' ? 'GREETING' : 'CONNECT'),
  },
  { code: 'RATE_LIMITED', when: (f) => f.code === 'ETHROTTLE' || /throttl|too many (connections|login|simultaneous)|rate limit|\[LIMIT\]|try again later.*(limit|many)/i.test(f.text) },
  // Before the auth rules: imapflow marks every refused LOGIN as an authentication failure, even
  // `NO [UNAVAILABLE]`, and a 4xx to AUTH is the server's trouble, not a wrong password.
  { code: 'SERVER_UNAVAILABLE', when: (f) => f.serverCode === 'UNAVAILABLE' || f.serverCode === 'INUSE' || /\[(SYS\/TEMP|IN-USE|UNAVAILABLE)\]/i.test(f.text) },
  {
    code: 'SERVER_UNAVAILABLE',
    when: (f) => f.code === 'EAUTH' && f.responseCode !== null && f.responseCode >= 400 && f.responseCode < 500,
    phase: 'AUTH',
    text: (f) => text('mail.SERVER_UNAVAILABLE.loginCheck', undefined, detailOf(f)),
  },
  // POP3 has no response codes before RFC 2449: a plain -ERR to USER or PASS means the login was refused.
  { code: 'AUTH_FAILED', when: (f) => f.code === 'EPROTOCOL' && f.phase === 'AUTH' && /^(USER|PASS)\b/i.test(f.command), phase: 'AUTH', providerHint: true },
  { code: 'AUTH_MECHANISM_UNSUPPORTED', when: (f) => isAuthFailure(f) && /mechanism|not supported|unsupported auth/i.test(f.text) && !/credentials/i.test(f.text), phase: 'AUTH' },
  { code: 'AUTH_FAILED', when: isAuthFailure, phase: 'AUTH', providerHint: true },
  { code: 'FOLDER_NOT_FOUND', when: (f) => f.serverCode === 'NONEXISTENT' || /mailbox (doesn'?t|does not) exist|unknown mailbox|no such mailbox|NONEXISTENT/i.test(f.text), phase: 'MAILBOX' },
  // SMTP replies by class: 4xx may clear, 5xx will not.
  { code: 'SERVER_UNAVAILABLE', when: (f) => f.responseCode === 421 && f.phase !== 'SEND' },
  { code: 'SEND_DEFERRED', when: (f) => f.responseCode !== null && f.responseCode >= 400 && f.responseCode < 500, phase: (f) => (f.phase === 'CONFIG' ? 'SEND' : f.phase) },
  { code: 'AUTH_FAILED', when: (f) => f.responseCode === 530 || f.responseCode === 534 || f.responseCode === 535, phase: 'AUTH', providerHint: true },
  { code: 'RECIPIENT_REJECTED', when: (f) => f.responseCode !== null && f.responseCode >= 500 && (f.code === 'EENVELOPE' || /recipient|mailbox unavailable|user unknown|5\.1\./i.test(f.text)), phase: 'SEND' },
  { code: 'MESSAGE_REJECTED', when: (f) => f.responseCode !== null && f.responseCode >= 500, phase: 'SEND' },
  { code: 'CONNECTION_RESET', when: (f) => CLOSED.has(f.code) || /connection (closed|reset|lost)|socket hang up|unexpected(ly)? close|socket disconnected/i.test(f.message), phase: (f) => (f.phase === 'CONFIG' ? 'CONNECT' : f.phase) },
  { code: 'PROTOCOL_ERROR', when: (f) => f.code.startsWith('Parser') || ['UnexpectedTag', 'InvalidResponse', 'ResponseProcessingFailed', 'EPROTOCOL'].includes(f.code) },
  { code: 'UNKNOWN', when: () => true },
];

/**
 * The MailError for whatever was thrown. `phase` is where the caller was; DNS, connect and TLS
 * failures say where they happened themselves. A MailError passes through unchanged.
 */
export function toMailError(err: unknown, phase: Phase, options: { authHint?: ServerText | undefined } = {}): MailError {
  if (err instanceof MailError) return err;
  if (err instanceof OAuthError) return oauthMailError(err);
  const facts = factsOf(err, phase);
  const rule = MAIL_ERROR_RULES.find((r) => r.when(facts))!;
  const at = typeof rule.phase === 'function' ? rule.phase(facts) : (rule.phase ?? phase);
  return new MailError(rule.code, at, {
    serverResponse: rule.echo === false ? null : facts.response,
    cause: err,
    text: rule.text?.(facts) ?? ownTextFor(rule.code, facts) ?? summaryText(rule.code, detailOf(facts)),
    ...(rule.transient !== undefined ? { transient: rule.transient } : {}),
    ...(rule.providerHint && options.authHint ? { hintText: options.authHint } : {}),
  });
}

export function factsOf(err: unknown, phase: Phase): ErrorFacts {
  const e = (err ?? {}) as RawError;
  const code = typeof e.originalCode === 'string' && e.originalCode ? e.originalCode : typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const response = [e.response, e.responseText].find((c): c is string => typeof c === 'string' && !!c.trim())?.trim().slice(0, 500) ?? null;
  return {
    code,
    message,
    response,
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
    serverCode: typeof e.serverResponseCode === 'string' ? e.serverResponseCode.toUpperCase() : '',
    command: typeof e.command === 'string' ? e.command : '',
    authenticationFailed: e.authenticationFailed === true,
    text: `${message} ${response ?? ''}`,
    ownText: asServerText(e.text),
    phase,
  };
}

/** An own error's text, when it says what the rule found (a timeout worded as a timeout). */
function ownTextFor(code: MailErrorCode, f: ErrorFacts): ServerText | null {
  const own = f.ownText;
  return own && (own.code === `mail.${code}` || own.code.startsWith(`mail.${code}.`)) ? own : null;
}

/** The library's or server's own words, appended untranslated after the code's text; never Correio's own English. */
function detailOf(f: ErrorFacts): string | null {
  const extra = (f.response ?? (f.ownText ? '' : f.message)).replace(/\s+/g, ' ').trim();
  return extra ? extra.slice(0, 300) : null;
}

/**
 * What the OAuth client said went wrong, with the provider's own words (`invalid_grant: …`) after
 * it and as the server response.
 */
export function oauthMailError(err: OAuthError): MailError {
  const worded = err.providerError && !err.text.detail ? { ...err.text, detail: err.providerError } : err.text;
  return new MailError(err.code, 'OAUTH', { text: worded, serverResponse: err.providerError, transient: err.transient, cause: err });
}
