import { text } from '@correio/texts';
import { MailError } from '../errors.ts';
import type { OutgoingConnection, SmtpAuthMechanism } from '../settings/connection-settings.ts';

/**
 * Where and how one account's mail is submitted: an external account's outgoing server, or the
 * relay of SMTP_RELAY_URL for built-in addresses. OPPORTUNISTIC (STARTTLS when offered) exists
 * only for the relay URL, whose `smtp://` scheme promises nothing either way.
 */
export interface SmtpEndpoint {
  host: string;
  port: number;
  tls: 'IMPLICIT' | 'STARTTLS' | 'OPPORTUNISTIC' | 'NONE';
  auth: { user: string; password: string | null; accessToken: string | null; mechanism: SmtpAuthMechanism | null } | null;
}

export function endpointOfAccount(connection: OutgoingConnection): SmtpEndpoint {
  const tls = connection.encryption === 'SSL_TLS' ? 'IMPLICIT' : connection.encryption === 'STARTTLS' ? 'STARTTLS' : 'NONE';
  return { host: connection.host, port: connection.port, tls, auth: connection.auth };
}

const MECHANISMS: Record<string, SmtpAuthMechanism> = { PLAIN: 'PLAIN', LOGIN: 'LOGIN', 'CRAM-MD5': 'CRAM_MD5', CRAM_MD5: 'CRAM_MD5', XOAUTH2: 'XOAUTH2' };

/**
 * Reads SMTP_RELAY_URL: `smtp://user:pass@host:port` (STARTTLS when offered, port 587 by default)
 * or `smtps://…` (implicit TLS, port 465). Optional query: `starttls=required|never`,
 * `mechanism=PLAIN|LOGIN|CRAM-MD5`. User and password are percent-decoded.
 */
export function relayEndpoint(url: string | undefined): SmtpEndpoint | MailError {
  if (!url) return new MailError('RELAY_NOT_CONFIGURED', 'CONFIG');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return new MailError('RELAY_NOT_CONFIGURED', 'CONFIG', { text: text('mail.RELAY_NOT_CONFIGURED.invalidUrl'), hintText: text('mail.RELAY_NOT_CONFIGURED.urlForm.hint') });
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'smtp' && scheme !== 'smtps')
    return new MailError('RELAY_NOT_CONFIGURED', 'CONFIG', { text: text('mail.RELAY_NOT_CONFIGURED.wrongScheme', { scheme }), hintText: text('mail.RELAY_NOT_CONFIGURED.urlForm.hint') });
  const starttls = parsed.searchParams.get('starttls')?.toLowerCase();
  const tls: SmtpEndpoint['tls'] = scheme === 'smtps' ? 'IMPLICIT' : starttls === 'required' ? 'STARTTLS' : starttls === 'never' ? 'NONE' : 'OPPORTUNISTIC';
  const mechanism = MECHANISMS[(parsed.searchParams.get('mechanism') ?? '').toUpperCase()] ?? null;
  const user = decodeURIComponent(parsed.username);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : scheme === 'smtps' ? 465 : 587,
    tls,
    auth: user ? { user, password: decodeURIComponent(parsed.password), accessToken: null, mechanism } : null,
  };
}
