import { imapDialect } from './imap.ts';
import { pop3Dialect } from './pop3.ts';
import { smtpDialect } from './smtp.ts';
import type { Dialect, ProbeProtocol } from './types.ts';

/** The protocols a check speaks, one file each (as imapflow keeps one file per command). */
export const DIALECTS: Readonly<Record<ProbeProtocol, Dialect>> = { IMAP: imapDialect, POP3: pop3Dialect, SMTP: smtpDialect };
