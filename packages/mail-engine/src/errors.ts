/**
 * The mail engine's one table of error codes (nodemailer's lib/errors.js is the model): each code
 * with its one-sentence summary — the default message, and the prefix of messages built from a
 * library's error — whether it can clear by itself, and the hint an admin can act on. Every failure of a check, a sync or a send becomes
 * a MailError carrying one of these codes, the phase it happened in, the server's own response
 * and whether it can clear by itself; the same codes reach the API and the UI.
 */
export const MAIL_ERROR_CODES = {
  HOST_NOT_FOUND: { transient: false, summary: 'The server name does not resolve.', hint: 'Check the host name for typos; it should look like imap.example.com.' },
  PRIVATE_ADDRESS: {
    transient: false,
    summary: 'The server is on a private or local network address, which Correio does not connect to.',
    hint: 'Use the mail server’s public host name. If it really is on your own network, the operator of this Correio server can allow it with CORREIO_PRIVATE_HOSTS_ALLOWED (e.g. mail.lan, 10.0.0.5:993 or 10.0.0.0/8).',
  },
  DNS_FAILED: { transient: true, summary: 'The DNS lookup failed.', hint: 'The DNS resolver did not answer; this usually clears by itself. If it persists, check the server’s DNS settings.' },
  CONNECTION_REFUSED: { transient: false, summary: 'The server refused the connection on this port.', hint: 'Check the port and encryption: IMAP uses 993 (SSL/TLS) or 143 (STARTTLS), POP3 995 or 110, SMTP 465, 587 or 25.' },
  CONNECTION_RESET: { transient: true, summary: 'The connection was closed unexpectedly.', hint: 'The server or a firewall dropped the connection; Correio reconnects by itself.' },
  TIMEOUT: { transient: true, summary: 'The server did not answer in time.', hint: 'The server may be overloaded or a firewall may drop the traffic. Correio retries; if it lasts, check that the port is open.' },
  TLS_HANDSHAKE_FAILED: { transient: false, summary: 'The TLS handshake failed.', hint: 'The encryption setting probably does not match the port: use SSL/TLS on 993/995/465 and STARTTLS on 143/110/587.' },
  TLS_MISMATCH: { transient: false, summary: 'The server does not speak TLS on this port.', hint: 'Choose STARTTLS (or none) for this port, or use the SSL/TLS port (993, 995, 465).' },
  CERT_INVALID: { transient: false, summary: 'The server’s TLS certificate is not trusted.', hint: 'The certificate is self-signed, expired or issued for another name. Use the host name the certificate was issued for, or ask the provider to fix it.' },
  STARTTLS_UNSUPPORTED: { transient: false, summary: 'The server does not offer STARTTLS.', hint: 'Choose SSL/TLS with the implicit-TLS port, or “none” only on a trusted network.' },
  AUTH_FAILED: { transient: false, summary: 'The server rejected the user name or password.', hint: 'Check the user name (often the full address) and password. Many providers need an app password or OAuth instead of the normal password.' },
  AUTH_MECHANISM_UNSUPPORTED: { transient: false, summary: 'The server does not support the chosen authentication mechanism.', hint: 'Choose another mechanism (PLAIN or LOGIN work almost everywhere).' },
  FOLDER_NOT_FOUND: { transient: false, summary: 'The folder does not exist in this mailbox.', hint: 'Check the folder name (INBOX by default; names are case-sensitive on some servers).' },
  FOLDER_READ_ONLY: { transient: false, summary: 'The folder can only be opened read-only.', hint: 'Correio needs write access to mark or delete imported messages; check the mailbox permissions.' },
  FOLDER_NOT_ALLOWED: { transient: false, summary: 'Correio never imports the Sent, Drafts, Trash or Junk folders.', hint: 'Choose the folder customers’ mail arrives in, usually INBOX.' },
  RATE_LIMITED: { transient: true, summary: 'The provider is throttling or temporarily blocking access.', hint: 'Too many connections or logins in a short time; it clears by itself. Make sure no other program polls this mailbox aggressively.' },
  SERVER_UNAVAILABLE: { transient: true, summary: 'The server is temporarily unavailable.', hint: 'The provider reported a temporary problem; Correio keeps retrying.' },
  PROTOCOL_ERROR: { transient: true, summary: 'The server answered something unexpected.', hint: 'Check that the host and port belong to the right kind of server (IMAP, POP3 or SMTP).' },
  PROTOCOL_MISMATCH: { transient: false, summary: 'This port does not speak the expected mail protocol.', hint: 'Check the host and port: IMAP uses 993 (SSL/TLS) or 143, POP3 995 or 110, SMTP 465, 587 or 25.' },
  NOT_CONFIGURED: { transient: false, summary: 'This direction is not configured.', hint: 'Fill in the server settings of the account.' },
  RELAY_NOT_CONFIGURED: { transient: false, summary: 'Built-in addresses send through a relay, and none is configured.', hint: 'Set SMTP_RELAY_URL (smtp://user:pass@host:port) on the server so built-in addresses can send replies.' },
  STALLED: { transient: true, summary: 'The connection has not proved itself alive for too long.', hint: 'No error was reported, but no sync or keep-alive succeeded recently. Correio reconnects by itself; if it lasts, test the account.' },
  RECIPIENT_REJECTED: { transient: false, summary: 'The server refused a recipient.', hint: 'Check the recipient address.' },
  MESSAGE_REJECTED: { transient: false, summary: 'The server refused the message.', hint: 'The server’s response says why (size, policy, spam filtering).' },
  SEND_DEFERRED: { transient: true, summary: 'The server deferred the message (4xx).', hint: 'Correio retries with increasing delays.' },
  BOUNCED: { transient: false, summary: 'The message bounced after it was sent.', hint: 'The bounce report says why; check the recipient address.' },
  OAUTH_REAUTH_REQUIRED: {
    transient: false,
    summary: 'The provider no longer accepts this mailbox’s sign-in.',
    hint: 'The grant was revoked, the password changed, consent was withdrawn or the app’s secret expired. Click “Reconnect” and sign in again; mail that arrived meanwhile is imported then.',
  },
  OAUTH_CLIENT_MISCONFIGURED: {
    transient: false,
    summary: 'Correio’s OAuth app for this provider is not configured correctly.',
    hint: 'The operator of this Correio server must set the app’s client id and secret (see the README’s OAuth section) and restart.',
  },
  OAUTH_UNAVAILABLE: { transient: true, summary: 'The sign-in provider could not be reached.', hint: 'Refreshing the mailbox’s access token failed for a moment; Correio retries by itself.' },
  UNKNOWN: { transient: true, summary: 'An unexpected error.', hint: 'See the server response; if it persists, check the server logs.' },
} as const;

export type MailErrorCode = keyof typeof MAIL_ERROR_CODES;
export type Phase = 'OAUTH' | 'DNS' | 'CONNECT' | 'TLS' | 'GREETING' | 'AUTH' | 'MAILBOX' | 'FETCH' | 'SEND' | 'CONFIG';

export class MailError extends Error {
  readonly code: MailErrorCode;
  readonly phase: Phase;
  readonly transient: boolean;
  readonly serverResponse: string | null;
  readonly hint: string;

  constructor(code: MailErrorCode, phase: Phase, options: { message?: string; serverResponse?: string | null; hint?: string; transient?: boolean; cause?: unknown } = {}) {
    const entry = MAIL_ERROR_CODES[code];
    super(options.message ?? entry.summary, options.cause ? { cause: options.cause } : undefined);
    this.name = 'MailError';
    this.code = code;
    this.phase = phase;
    this.transient = options.transient ?? entry.transient;
    this.serverResponse = capServerResponse(options.serverResponse ?? null);
    this.hint = options.hint ?? entry.hint;
  }
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

/** A code's summary as the start of a longer message ("The TLS handshake failed: …"). */
export function summaryOf(code: MailErrorCode): string {
  return MAIL_ERROR_CODES[code].summary.replace(/\.$/, '');
}
