import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { isIpLiteral } from '@correio/core';
import { text } from '@correio/texts';
import { MailError } from '../errors.ts';
import type { Destination, Destinations } from '../net/destinations.ts';
import type { SmtpEndpoint } from './endpoint.ts';

export interface SmtpTransportOptions {
  /** Parallel SMTP connections per account (providers throttle more than a few). */
  maxConnections: number;
  /** Messages per connection before it is recycled. */
  maxMessages: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  /** A pool not used for this long is closed (its connections would idle out at the server anyway). */
  idleCloseMs: number;
  /** Extra trust (a private CA) or, never in production, no verification. */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; rejectUnauthorized?: boolean };
}

export const DEFAULT_SMTP_TRANSPORT_OPTIONS: SmtpTransportOptions = {
  maxConnections: 3,
  maxMessages: 100,
  connectionTimeoutMs: 30_000,
  greetingTimeoutMs: 30_000,
  socketTimeoutMs: 120_000,
  idleCloseMs: 5 * 60_000,
};

export interface SentInfo {
  /** The server's reply to the end of DATA, e.g. `250 2.0.0 Ok: queued as 4F2…`. */
  response: string;
  accepted: string[];
  /** Recipients refused while others were accepted: the message went out without them. */
  rejected: Array<{ address: string; response: string | null }>;
}

const AUTH_METHOD: Record<string, string> = { PLAIN: 'PLAIN', LOGIN: 'LOGIN', CRAM_MD5: 'CRAM-MD5' };

/**
 * nodemailer pool options for an endpoint, or why there cannot be any (missing credential).
 * `address` is the checked address `endpoint.host` resolved to: nodemailer connects there and
 * checks the certificate against the name, so it never resolves the name again itself.
 */
export function poolOptionsFor(endpoint: SmtpEndpoint, options: SmtpTransportOptions, address: string): SMTPPool.Options | MailError {
  const isIp = isIpLiteral(endpoint.host);
  const base: SMTPPool.Options = {
    pool: true,
    host: address,
    port: endpoint.port,
    secure: endpoint.tls === 'IMPLICIT',
    // STARTTLS chosen means STARTTLS or nothing: never fall back to sending credentials in clear.
    requireTLS: endpoint.tls === 'STARTTLS',
    ignoreTLS: endpoint.tls === 'NONE',
    maxConnections: options.maxConnections,
    maxMessages: options.maxMessages,
    connectionTimeout: options.connectionTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    tls: {
      rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
      ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
      ...(isIp ? {} : { servername: endpoint.host }),
    },
    logger: false,
    debug: false,
  };
  const auth = endpoint.auth;
  if (!auth) return base;
  if (auth.mechanism === 'XOAUTH2') {
    if (!auth.accessToken)
      return new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('mail.NOT_CONFIGURED.noAccessToken'), hintText: text('mail.NOT_CONFIGURED.noAccessToken.hint') });
    return { ...base, auth: { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken } };
  }
  if (auth.password === null)
    return new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('mail.NOT_CONFIGURED.noSmtpPassword'), hintText: text('mail.NOT_CONFIGURED.noSmtpPassword.hint') });
  return { ...base, auth: { user: auth.user, pass: auth.password }, ...(auth.mechanism ? { authMethod: AUTH_METHOD[auth.mechanism] } : {}) };
}

interface PoolEntry {
  fingerprint: string;
  /** The endpoint object it was made for: the same object again skips re-hashing the settings. */
  endpoint: SmtpEndpoint;
  address: string;
  transporter: Transporter<SMTPPool.SentMessageInfo>;
  inFlight: number;
  lastUsedAt: number;
  retiring: boolean;
}

/**
 * One pooled nodemailer transport per account, created on first use and replaced when the
 * account's outgoing settings change (the old pool finishes what it is sending, then closes).
 */
// A name is resolved (and its addresses checked) at most this often per host, not once per message.
const RESOLVE_TTL_MS = 60_000;

export class SmtpTransports {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly retired = new Set<PoolEntry>();
  private readonly resolved = new Map<string, { at: number; destination: Promise<Destination> }>();

  constructor(
    private readonly destinations: Destinations,
    private readonly options: SmtpTransportOptions = DEFAULT_SMTP_TRANSPORT_OPTIONS,
  ) {}

  /** Sends one composed message through the account's pool. */
  async send(accountId: string, endpoint: SmtpEndpoint, message: { raw: Buffer; envelope: { from: string; to: string[] } }): Promise<SentInfo> {
    const destination = await this.resolve(endpoint);
    const entry = this.entryFor(accountId, endpoint, destination.addresses[0]!);
    if (entry instanceof MailError) throw entry;
    entry.inFlight += 1;
    entry.lastUsedAt = Date.now();
    try {
      const info = await entry.transporter.sendMail({ envelope: message.envelope, raw: message.raw });
      const rejectedErrors = ((info as { rejectedErrors?: Array<{ recipient?: string; response?: string }> }).rejectedErrors ?? []);
      return {
        response: String(info.response ?? ''),
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map((address) => ({
          address: String(address),
          response: rejectedErrors.find((e) => e.recipient === String(address))?.response ?? null,
        })),
      };
    } finally {
      entry.inFlight -= 1;
      entry.lastUsedAt = Date.now();
      if (entry.retiring && entry.inFlight === 0) this.close(entry);
    }
  }

  /** Closes pools nobody used for `idleCloseMs`. */
  closeIdle(now = Date.now()): void {
    for (const [accountId, entry] of this.pools) {
      if (entry.inFlight === 0 && now - entry.lastUsedAt > this.options.idleCloseMs) {
        this.pools.delete(accountId);
        this.close(entry);
      }
    }
  }

  closeAll(): void {
    for (const entry of [...this.pools.values(), ...this.retired]) this.close(entry);
    this.pools.clear();
  }

  private resolve(endpoint: SmtpEndpoint): Promise<Destination> {
    const key = `${endpoint.host}:${endpoint.port}`;
    const cached = this.resolved.get(key);
    if (cached && Date.now() - cached.at < RESOLVE_TTL_MS) return cached.destination;
    const destination = this.destinations.resolve(endpoint.host, endpoint.port);
    this.resolved.set(key, { at: Date.now(), destination });
    // A failed lookup is asked again next time, not remembered for a minute.
    destination.catch(() => this.resolved.get(key)?.destination === destination && this.resolved.delete(key));
    return destination;
  }

  private entryFor(accountId: string, endpoint: SmtpEndpoint, address: string): PoolEntry | MailError {
    // The fingerprint includes the credential, hashed: a changed password gets a fresh login.
    const existing = this.pools.get(accountId);
    if (existing?.endpoint === endpoint && existing.address === address) return existing;
    const fingerprint = createHash('sha256').update(JSON.stringify({ endpoint, address })).digest('base64url');
    if (existing?.fingerprint === fingerprint) {
      existing.endpoint = endpoint;
      return existing;
    }
    const options = poolOptionsFor(endpoint, this.options, address);
    if (options instanceof MailError) return options;
    if (existing) this.retire(existing);
    const entry: PoolEntry = { fingerprint, endpoint, address, transporter: nodemailer.createTransport(options), inFlight: 0, lastUsedAt: Date.now(), retiring: false };
    // A pool reports connection trouble on the transporter too; each send's callback gets it as well.
    entry.transporter.on('error', () => undefined);
    this.pools.set(accountId, entry);
    return entry;
  }

  private retire(entry: PoolEntry): void {
    if (entry.inFlight === 0) return this.close(entry);
    entry.retiring = true;
    this.retired.add(entry);
  }

  private close(entry: PoolEntry): void {
    this.retired.delete(entry);
    entry.transporter.close();
  }
}
