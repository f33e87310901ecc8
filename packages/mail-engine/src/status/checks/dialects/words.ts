import { toMailError } from '../../../mail-error-rules.ts';
import { text, type ServerText } from '@correio/texts';
import { MailError } from '../../../errors.ts';
import type { ProbeProtocol } from './types.ts';

/**
 * A greeting that refuses us (`* BYE`, `-ERR`, a 4xx/5xx SMTP reply). Its words are not echoed:
 * until the server has said `* OK`, `+OK` or `220` nothing says it is a mail server (N5); they
 * still pick the code (the one rule table decides throttling).
 */
export function greetingRefusal(line: string, replyCode?: number): MailError {
  const classified = toMailError({ message: line, ...(replyCode ? { responseCode: replyCode } : {}) }, 'GREETING');
  if (classified.code === 'RATE_LIMITED')
    return new MailError('RATE_LIMITED', 'GREETING', { text: replyCode ? text('mail.RATE_LIMITED.greetingReply', { reply: replyCode }) : text('mail.RATE_LIMITED.greeting') });
  if (replyCode && replyCode >= 500)
    return new MailError('SERVER_UNAVAILABLE', 'GREETING', { text: text('mail.SERVER_UNAVAILABLE.blocked', { reply: replyCode }), transient: false, hintText: text('mail.SERVER_UNAVAILABLE.blocked.hint') });
  return new MailError('SERVER_UNAVAILABLE', 'GREETING', { text: replyCode ? text('mail.SERVER_UNAVAILABLE.busy', { reply: replyCode }) : text('mail.SERVER_UNAVAILABLE.greetingRefused') });
}

/** A greeting from another kind of server says which port the admin probably meant; its bytes stay out. */
export function wrongProtocol(line: string, expected: ProbeProtocol, port: number): MailError {
  const seen = /^\* (OK|PREAUTH|BYE)/i.test(line)
    ? 'Imap'
    : /^[+-](OK|ERR)/.test(line)
      ? 'Pop3'
      : /^\d{3}[ -]/.test(line)
        ? 'Smtp'
        : /^HTTP\/|^</i.test(line)
          ? 'Web'
          : /^SSH-/.test(line)
            ? 'Ssh'
            : null;
  const params = { port, protocol: expected };
  return new MailError('PROTOCOL_MISMATCH', 'GREETING', { text: seen ? text(`mail.PROTOCOL_MISMATCH.looksLike${seen}`, params) : text('mail.PROTOCOL_MISMATCH.port', params) });
}

export function capabilitySet(list: string | undefined): Set<string> {
  return new Set((list ?? '').split(/\s+/).filter(Boolean).map((c) => c.toUpperCase()));
}

export function clip(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The AUTH phase of an incoming check: who logged in, and whether with an OAuth token. */
export function loggedIn(settings: { username: string; accessToken?: string | null | undefined }): ServerText {
  return settings.accessToken ? text('check.auth.loggedInOAuth', { user: settings.username }) : text('check.auth.loggedIn', { user: settings.username });
}
