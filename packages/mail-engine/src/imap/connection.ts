import { ImapFlow } from 'imapflow';
import type { IncomingConnection } from '../settings/connection-settings.ts';

export interface ImapClientOptions {
  /** Milliseconds allowed for TCP connect + greeting + each command (checks use short ones). */
  timeoutMs?: number;
  tls?: { rejectUnauthorized?: boolean };
  /** Name the certificate must carry when `settings.host` is an address resolved beforehand (checks). */
  servername?: string | undefined;
}

/** One imapflow client for an account's incoming settings; the caller connects and closes it. */
export function createImapClient(settings: IncomingConnection, options: ImapClientOptions = {}): ImapFlow {
  const timeout = options.timeoutMs ?? 30_000;
  const servername = options.servername ?? (isIp(settings.host) ? undefined : settings.host);
  return new ImapFlow({
    host: settings.host,
    ...(servername ? { servername } : {}),
    port: settings.port,
    secure: settings.encryption === 'SSL_TLS',
    // STARTTLS is required when chosen (never silently plain); with NONE it is not attempted.
    doSTARTTLS: settings.encryption === 'STARTTLS' ? true : settings.encryption === 'NONE' ? false : undefined,
    // imapflow uses OAUTHBEARER when the server offers it, else XOAUTH2.
    auth: settings.accessToken ? { user: settings.username, accessToken: settings.accessToken } : { user: settings.username, pass: settings.password },
    logger: false,
    emitLogs: false,
    // Correio enters IDLE itself, right after each sync, instead of after imapflow's 15 s default.
    disableAutoIdle: true,
    maxIdleTime: 5 * 60_000,
    connectionTimeout: timeout,
    greetingTimeout: Math.min(timeout, 16_000),
    socketTimeout: Math.max(timeout, 5 * 60_000 + 30_000),
    tls: { rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, servername },
    clientInfo: { name: 'Correio', vendor: 'Correio' },
  });
}

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':');
}
