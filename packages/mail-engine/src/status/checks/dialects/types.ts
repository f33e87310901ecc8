import type { ServerPreset } from '@correio/mail-settings';
import type { ServerText } from '@correio/texts';
import type { MailError } from '../../../errors.ts';
import type { CheckRun } from '../check-run.ts';
import type { LineSocket } from '../line-socket.ts';

export type ProbeProtocol = ServerPreset['protocol'];

/** What the greeting (and, for SMTP, EHLO) told about the server. */
export interface Greeting {
  /** Capabilities seen last (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO keywords), upper-cased. */
  capabilities: Set<string>;
  smtp: { authMechanisms: string[]; sizeLimit: number | null } | null;
}

/**
 * The few words of one protocol a check speaks itself, on the probe's own connection: the
 * greeting, STARTTLS and goodbye. Everything after (login, mailbox) is the client library's,
 * in the dialect's session check.
 */
export interface Dialect {
  protocol: ProbeProtocol;
  /** Reads the greeting; a refusal or another protocol's greeting throws a MailError without the peer's bytes. */
  greet(lines: LineSocket, port: number): Promise<{ value: Greeting; detail: ServerText }>;
  /** Asks for STARTTLS; resolves whether the server offered and accepted it. */
  requestStartTls(lines: LineSocket, greeting: Greeting): Promise<boolean>;
  /** What to learn again once encrypted (SMTP: EHLO, whose answer before STARTTLS cannot be trusted). */
  afterStartTls?(lines: LineSocket): Promise<Greeting>;
  /** What the server offers once encrypted, as its own keywords (`AUTH PLAIN LOGIN`); null when there is nothing to say. */
  describe(greeting: Greeting): string | null;
  goodbye: string;
}

export type { CheckRun, MailError };
