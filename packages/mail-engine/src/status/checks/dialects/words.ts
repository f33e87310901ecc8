import { toMailError } from '../../../mail-error-rules.ts';
import { MailError } from '../../../errors.ts';
import type { ProbeProtocol } from './types.ts';

/**
 * A greeting that refuses us (`* BYE`, `-ERR`, a 4xx/5xx SMTP reply). Its words are not echoed:
 * until the server has said `* OK`, `+OK` or `220` nothing says it is a mail server (N5); they
 * still pick the code (the one rule table decides throttling).
 */
export function greetingRefusal(line: string, replyCode?: number): MailError {
  const classified = toMailError({ message: line, ...(replyCode ? { responseCode: replyCode } : {}) }, 'GREETING');
  const reply = replyCode ? ` (reply ${replyCode})` : '';
  if (classified.code === 'RATE_LIMITED') return new MailError('RATE_LIMITED', 'GREETING', { message: `The server is throttling connections${reply}.` });
  if (replyCode && replyCode >= 500)
    return new MailError('SERVER_UNAVAILABLE', 'GREETING', {
      message: `The server refuses connections from Correio${reply}.`,
      transient: false,
      hint: 'The server rejects this network address (a block list or a policy). Ask the provider to allow it.',
    });
  return new MailError('SERVER_UNAVAILABLE', 'GREETING', { message: replyCode ? `The server is temporarily not accepting connections${reply}.` : 'The server refused the connection in its greeting.' });
}

/** A greeting from another kind of server says which port the admin probably meant; its bytes stay out. */
export function wrongProtocol(line: string, expected: ProbeProtocol, port: number): MailError {
  const seen = /^\* (OK|PREAUTH|BYE)/i.test(line)
    ? 'an IMAP server'
    : /^[+-](OK|ERR)/.test(line)
      ? 'a POP3 server'
      : /^\d{3}[ -]/.test(line)
        ? 'an SMTP server'
        : /^HTTP\/|^</i.test(line)
          ? 'a web server'
          : /^SSH-/.test(line)
            ? 'an SSH server'
            : null;
  return new MailError('PROTOCOL_MISMATCH', 'GREETING', { message: `Port ${port} does not speak ${expected}${seen ? `: it answers like ${seen}` : ''}.` });
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
