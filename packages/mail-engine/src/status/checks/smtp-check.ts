import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { MailError } from '../../errors.ts';
import type { SmtpEndpoint } from '../../smtp/endpoint.ts';
import { DEFAULT_SMTP_TRANSPORT_OPTIONS, poolOptionsFor } from '../../smtp/transport.ts';
import type { Destinations } from '../../net/destinations.ts';
import type { CheckRun } from './check-run.ts';
import { probeServer } from './probe.ts';

const WIRE_MECHANISM = { PLAIN: 'PLAIN', LOGIN: 'LOGIN', CRAM_MD5: 'CRAM-MD5', XOAUTH2: 'XOAUTH2' } as const;

/**
 * SMTP: the transport probe (which also reads EHLO), then nodemailer with the sender's own
 * transport options connects and authenticates with `verify()` — EHLO, STARTTLS, AUTH, QUIT.
 * No mail is sent.
 */
export async function checkSmtp(run: CheckRun, endpoint: SmtpEndpoint, destinations: Destinations): Promise<void> {
  const encryption = endpoint.tls === 'IMPLICIT' ? 'SSL_TLS' : endpoint.tls === 'STARTTLS' ? 'STARTTLS' : 'NONE';
  const probe = await probeServer(run, { protocol: 'SMTP', host: endpoint.host, port: endpoint.port, encryption, opportunisticTls: endpoint.tls === 'OPPORTUNISTIC' }, destinations);

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
        if (options instanceof MailError) throw new MailError(options.code, 'AUTH', { message: options.message, hint: options.hint });
        if (wanted && !offered.includes(wanted))
          throw new MailError('AUTH_MECHANISM_UNSUPPORTED', 'AUTH', {
            message: offered.length ? `The server does not offer AUTH ${wanted}; it offers ${offered.join(', ')}.` : 'The server offers no authentication on this connection.',
            hint: offered.length ? `Choose ${offered.includes('PLAIN') ? 'PLAIN' : offered[0]} as the mechanism.` : 'Many servers accept logins only after STARTTLS, or only on the submission port 587.',
          });
        // Same options as the sender, but one plain connection to the address the probe resolved and checked.
        const single: SMTPTransport.Options = { ...options, pool: false } as SMTPTransport.Options;
        transport = nodemailer.createTransport(single);
        await transport.verify();
        return {
          value: null,
          detail: auth ? `Logged in as ${auth.user}${wanted ? ` with ${wanted}` : ''}; ready to send (no message was sent).` : 'Accepted without authentication; ready to send (no message was sent).',
        };
      },
      { abort: () => transport?.close() },
    );
  } finally {
    (transport as ReturnType<typeof nodemailer.createTransport> | null)?.close();
  }
}
