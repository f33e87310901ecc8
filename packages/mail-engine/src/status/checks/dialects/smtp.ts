import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { text, type ServerText } from '@correio/texts';
import { MailError } from '../../../errors.ts';
import type { SmtpEndpoint } from '../../../smtp/endpoint.ts';
import { DEFAULT_SMTP_TRANSPORT_OPTIONS, poolOptionsFor } from '../../../smtp/transport.ts';
import type { CheckRun } from '../check-run.ts';
import type { LineSocket } from '../line-socket.ts';
import type { ProbeResult } from '../probe.ts';
import { clip, greetingRefusal, wrongProtocol } from './words.ts';
import type { Dialect, Greeting } from './types.ts';

export const smtpDialect: Dialect = {
  protocol: 'SMTP',
  goodbye: 'QUIT',
  async greet(lines, port) {
    const reply = await readReply(lines);
    if (Number.isNaN(reply.code)) throw wrongProtocol(reply.lines[0] ?? '', 'SMTP', port);
    if (reply.code !== 220) throw greetingRefusal(reply.text, reply.code);
    const ehlo = await sendEhlo(lines);
    return { value: ehlo, detail: greetingText(clip(reply.text), ehlo) };
  },
  async requestStartTls(lines, greeting) {
    if (!greeting.capabilities.has('STARTTLS')) return false;
    lines.write('STARTTLS');
    return (await readReply(lines)).code === 220;
  },
  // Capabilities before STARTTLS cannot be trusted (RFC 3207 §4.2); AUTH often appears only now.
  afterStartTls: (lines) => sendEhlo(lines),
  describe,
};

interface SmtpReply {
  code: number;
  text: string;
  lines: string[];
}

async function readReply(lines: LineSocket): Promise<SmtpReply> {
  const all = await lines.readUntil((l) => !/^\d{3}-/.test(l));
  const last = all.at(-1)!;
  const code = /^\d{3}(?= |$)/.test(last) ? Number(last.slice(0, 3)) : NaN;
  return { code, text: all.map((l) => l.slice(4)).join(' ').trim(), lines: all };
}

async function sendEhlo(lines: LineSocket): Promise<Greeting> {
  const local = lines.socket.localAddress ?? '127.0.0.1';
  // An address literal is always a valid EHLO argument; a made-up name may be refused.
  lines.write(`EHLO ${isIP(local) === 6 ? `[IPv6:${local}]` : `[${local.replace(/^::ffff:/, '')}]`}`);
  const reply = await readReply(lines);
  if (reply.code !== 250) {
    const transient = reply.code >= 400 && reply.code < 500;
    const said = clip(reply.lines.join(' '));
    throw new MailError(transient ? 'SERVER_UNAVAILABLE' : 'PROTOCOL_ERROR', 'GREETING', {
      text: transient ? text('mail.SERVER_UNAVAILABLE.ehloRefused', undefined, said) : text('mail.PROTOCOL_ERROR.ehloRefused', undefined, said),
      serverResponse: reply.lines.join('\n'),
      transient,
    });
  }
  const keywords = reply.lines.slice(1).map((l) => l.slice(4).trim());
  const auth = keywords.find((k) => /^AUTH[ =]/i.test(k));
  const size = keywords.find((k) => /^SIZE\b/i.test(k));
  const limit = size ? Number(size.split(/\s+/)[1]) : NaN;
  return {
    capabilities: new Set(keywords.map((k) => k.split(/[ =]/)[0]!.toUpperCase())),
    smtp: { authMechanisms: auth ? auth.slice(5).trim().toUpperCase().split(/\s+/).filter(Boolean) : [], sizeLimit: Number.isFinite(limit) && limit > 0 ? limit : null },
  };
}

/** The extensions a check cares about, in the server's own keywords: `STARTTLS, AUTH PLAIN LOGIN`. */
function describe({ capabilities, smtp }: Greeting): string | null {
  const parts: string[] = [];
  if (capabilities.has('STARTTLS')) parts.push('STARTTLS');
  if (smtp?.authMechanisms.length) parts.push(`AUTH ${smtp.authMechanisms.join(' ')}`);
  return parts.length ? parts.join(', ') : null;
}

function greetingText(banner: string, greeting: Greeting): ServerText {
  const extensions = describe(greeting);
  const size = greeting.smtp?.sizeLimit;
  if (!size) return extensions ? text('check.greeting.smtp', { banner, extensions }) : text('check.greeting.smtpNoExtensions', { banner });
  const megabytes = Math.round(size / 1024 / 1024);
  return extensions ? text('check.greeting.smtpSize', { banner, extensions, megabytes }) : text('check.greeting.smtpSizeOnly', { banner, megabytes });
}

const WIRE_MECHANISM = { PLAIN: 'PLAIN', LOGIN: 'LOGIN', CRAM_MD5: 'CRAM-MD5', XOAUTH2: 'XOAUTH2' } as const;

/**
 * The session half: nodemailer with the sender's own transport options connects and
 * authenticates with `verify()` — EHLO, STARTTLS, AUTH, QUIT — to the address the probe checked.
 * No mail is sent.
 */
export async function checkSmtpSession(run: CheckRun, endpoint: SmtpEndpoint, probe: ProbeResult): Promise<void> {
  const remaining = run.remaining();
  const auth = endpoint.auth;
  const wanted = auth?.mechanism ? WIRE_MECHANISM[auth.mechanism] : null;
  const offered = probe.smtp?.authMechanisms ?? [];
  let transport: ReturnType<typeof nodemailer.createTransport> | null = null;
  try {
    await run.phase(
      'AUTH',
      async () => {
        const options = poolOptionsFor(endpoint, { ...DEFAULT_SMTP_TRANSPORT_OPTIONS, connectionTimeoutMs: remaining, greetingTimeoutMs: remaining, socketTimeoutMs: remaining }, probe.address);
        if (options instanceof MailError) throw new MailError(options.code, 'AUTH', { text: options.text, hintText: options.hintText });
        if (wanted && !offered.includes(wanted))
          throw new MailError(
            'AUTH_MECHANISM_UNSUPPORTED',
            'AUTH',
            offered.length
              ? {
                  text: text('mail.AUTH_MECHANISM_UNSUPPORTED.notOffered', { mechanism: wanted, offered: offered.join(', ') }),
                  hintText: text('mail.AUTH_MECHANISM_UNSUPPORTED.notOffered.hint', { mechanism: offered.includes('PLAIN') ? 'PLAIN' : offered[0]! }),
                }
              : { text: text('mail.AUTH_MECHANISM_UNSUPPORTED.noAuth'), hintText: text('mail.AUTH_MECHANISM_UNSUPPORTED.noAuth.hint') },
          );
        transport = nodemailer.createTransport({ ...options, pool: false } as SMTPTransport.Options);
        await transport.verify();
        return {
          value: null,
          detail: !auth ? text('check.auth.smtpAnonymous') : wanted ? text('check.auth.smtpWith', { user: auth.user, mechanism: wanted }) : text('check.auth.smtp', { user: auth.user }),
        };
      },
      { abort: () => transport?.close() },
    );
  } finally {
    (transport as ReturnType<typeof nodemailer.createTransport> | null)?.close();
  }
}
