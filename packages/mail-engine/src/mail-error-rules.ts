import { MailError, summaryOf, type MailErrorCode, type Phase } from './errors.ts';

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
  cause?: unknown;
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

/**
 * Turns whatever imapflow, node-pop3, nodemailer or Node's socket layer threw into a MailError
 * with a stable code. `phase` is where the caller was; DNS, connect and TLS failures say where
 * they happened themselves. Pure, so every mapping is unit-tested.
 */
export function toMailError(err: unknown, phase: Phase, options: { authHint?: string | undefined } = {}): MailError {
  if (err instanceof MailError) return err;
  const e = (err ?? {}) as RawError;
  // The system's own code says more than the library's wrapper (ESOCKET + ECONNREFUSED → refused).
  const code = typeof e.originalCode === 'string' && e.originalCode ? e.originalCode : typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const response = serverResponseOf(e);
  const make = (c: MailErrorCode, p: Phase, extra: { message?: string; transient?: boolean; hint?: string } = {}) =>
    new MailError(c, p, { serverResponse: response, cause: err, message: extra.message ?? `${summaryOf(c)}${detail(message, response)}`, ...(extra.transient !== undefined ? { transient: extra.transient } : {}), ...(extra.hint ? { hint: extra.hint } : {}) });

  // A greeting that is not the protocol's own (N5): the peer's bytes are never echoed, since the
  // "server" may be anything an admin pointed Correio at. nodemailer stamps its greeting with CONN,
  // our POP3 client with EGREETING.
  if ((e.command === 'CONN' && code === 'EPROTOCOL') || code === 'EGREETING') return greetingFailure(response, phase);
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'ENODATA' || (code === 'EDNS' && /ENOTFOUND|ENODATA/.test(message))) return make('HOST_NOT_FOUND', 'DNS');
  if (code === 'EAI_AGAIN' || code === 'ESERVFAIL' || code === 'EDNS') return make('DNS_FAILED', 'DNS');
  if (code === 'ECONNREFUSED') return make('CONNECTION_REFUSED', 'CONNECT');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return make('CONNECTION_REFUSED', 'CONNECT', { transient: true });
  if (CERT_CODES.has(code)) return make('CERT_INVALID', 'TLS');
  if (code === 'STARTTLS_UNSUPPORTED') return make('STARTTLS_UNSUPPORTED', 'TLS');
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(message) || code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return make('TLS_MISMATCH', 'TLS');
  if (/STARTTLS/i.test(message) && /support|not (offered|available)|missing/i.test(message)) return make('STARTTLS_UNSUPPORTED', 'TLS');
  if (code === 'ClosedAfterConnectTLS' || code === 'ETLS' || /^ERR_SSL|^ERR_TLS/.test(code) || /handshake|ssl routines|tls/i.test(code + ' ' + message))
    return make('TLS_HANDSHAKE_FAILED', 'TLS');
  if (['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ESOCKETTIMEDOUT'].includes(code) || /timed? ?out/i.test(message))
    return make('TIMEOUT', phase === 'AUTH' || phase === 'MAILBOX' || phase === 'FETCH' || phase === 'SEND' ? phase : code === 'GREETING_TIMEOUT' ? 'GREETING' : 'CONNECT');
  if (code === 'ETHROTTLE' || /throttl|too many (connections|login|simultaneous)|rate limit|\[LIMIT\]|try again later.*(limit|many)/i.test(`${message} ${response ?? ''}`))
    return make('RATE_LIMITED', phase);

  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const serverCode = typeof e.serverResponseCode === 'string' ? e.serverResponseCode.toUpperCase() : '';
  const text = `${message} ${response ?? ''}`;

  // Before the auth rules: imapflow marks every refused LOGIN as an authentication failure, even
  // `NO [UNAVAILABLE]`, and a 4xx to AUTH is the server's trouble, not a wrong password.
  if (serverCode === 'UNAVAILABLE' || serverCode === 'INUSE' || /\[(SYS\/TEMP|IN-USE|UNAVAILABLE)\]/i.test(text)) return make('SERVER_UNAVAILABLE', phase);
  if (code === 'EAUTH' && responseCode !== null && responseCode >= 400 && responseCode < 500)
    return make('SERVER_UNAVAILABLE', 'AUTH', { message: `The server could not check the login right now${detail(message, response)}` });
  // POP3 has no response codes before RFC 2449: a plain -ERR to USER or PASS means the login was refused.
  if (code === 'EPROTOCOL' && phase === 'AUTH' && typeof e.command === 'string' && /^(USER|PASS)\b/i.test(e.command))
    return make('AUTH_FAILED', 'AUTH', options.authHint ? { hint: options.authHint } : {});
  if (e.authenticationFailed === true || code === 'EAUTH' || serverCode === 'AUTHENTICATIONFAILED' || serverCode === 'AUTHORIZATIONFAILED' || /\[AUTH\]|authenticat(e|ion) failed|invalid credentials|login failed|auth(entication)? (credentials )?(invalid|rejected)|username and password not accepted|application-specific password required|web login required/i.test(text)) {
    if (/mechanism|not supported|unsupported auth/i.test(text) && !/credentials/i.test(text)) return make('AUTH_MECHANISM_UNSUPPORTED', 'AUTH');
    return make('AUTH_FAILED', 'AUTH', options.authHint ? { hint: options.authHint } : {});
  }
  if (serverCode === 'NONEXISTENT' || /mailbox (doesn'?t|does not) exist|unknown mailbox|no such mailbox|NONEXISTENT/i.test(text)) return make('FOLDER_NOT_FOUND', 'MAILBOX');

  if (responseCode !== null) {
    if (responseCode === 421 || responseCode === 450 || responseCode === 451 || responseCode === 452 || (responseCode >= 400 && responseCode < 500))
      return make(responseCode === 421 && phase !== 'SEND' ? 'SERVER_UNAVAILABLE' : 'SEND_DEFERRED', phase === 'CONFIG' ? 'SEND' : phase);
    if (responseCode === 530 || responseCode === 535 || responseCode === 534) return make('AUTH_FAILED', 'AUTH', options.authHint ? { hint: options.authHint } : {});
    if (responseCode >= 500) return make(code === 'EENVELOPE' || /recipient|mailbox unavailable|user unknown|5\.1\./i.test(text) ? 'RECIPIENT_REJECTED' : 'MESSAGE_REJECTED', 'SEND');
  }
  if (['ECONNRESET', 'EPIPE', 'EConnectionClosed', 'NoConnection', 'ECONNECTION', 'ClosedAfterConnectText', 'StateLogout'].includes(code) || /connection (closed|reset|lost)|socket hang up|unexpected(ly)? close/i.test(message))
    return make('CONNECTION_RESET', phase === 'CONFIG' ? 'CONNECT' : phase);
  if (code.startsWith('Parser') || ['UnexpectedTag', 'InvalidResponse', 'ResponseProcessingFailed', 'EPROTOCOL'].includes(code)) return make('PROTOCOL_ERROR', phase);
  return make('UNKNOWN', phase);
}

function greetingFailure(line: string | null, phase: Phase): MailError {
  const reply = /^([45])\d\d[ -]/.exec(line ?? '');
  if (reply || (line ?? '').startsWith('-ERR'))
    return new MailError('SERVER_UNAVAILABLE', phase === 'CONFIG' ? 'GREETING' : phase, {
      message: 'The server refused the connection in its greeting.',
      transient: reply ? reply[1] === '4' : true,
    });
  return new MailError('PROTOCOL_MISMATCH', phase === 'CONFIG' ? 'GREETING' : phase, { message: 'The server’s first words were not those of the expected mail protocol.' });
}

function serverResponseOf(e: RawError): string | null {
  const candidates = [e.response, e.responseText];
  for (const c of candidates) if (typeof c === 'string' && c.trim()) return c.trim().slice(0, 500);
  return null;
}

function detail(message: string, response: string | null): string {
  const extra = (response ?? message).replace(/\s+/g, ' ').trim();
  return extra ? `: ${extra.slice(0, 300)}` : '.';
}
