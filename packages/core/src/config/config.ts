import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultLogFormat, type LogFormat } from '../logging/logger.ts';
import { parsePrivateHostsAllowed, type PrivateHostsPolicy } from '../net/private-network.ts';

const port = z.coerce.number().int().min(0).max(65_535);

const envSchema = z.object({
  PORT: port.default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  CORREIO_DATA_DIR: z.string().default('./data'),
  CORREIO_SECRET_KEY: z.string().min(16, 'CORREIO_SECRET_KEY must be at least 16 characters (use 32 random bytes, base64)').optional(),
  REDIS_URL: z.string().url().optional(),
  INBOUND_DOMAIN: z.string().min(1).default('correio.localhost'),
  INBOUND_SMTP_PORT: port.default(2525),
  INBOUND_SMTP_HOST: z.string().default('0.0.0.0'),
  INBOUND_MAX_MESSAGE_MB: z.coerce.number().positive().default(35),
  INBOUND_SMTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(200),
  INBOUND_SMTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(10),
  CORREIO_PRIVATE_HOSTS_ALLOWED: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parsePrivateHostsAllowed(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  CORREIO_DNS_SERVERS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      for (const s of dnsServers(value)) if (!/^(\[[0-9a-f:]+\]|[0-9.]+|[0-9a-f:]+)(:\d+)?$/i.test(s)) ctx.addIssue({ code: 'custom', message: `“${s}” is not a DNS server address such as 1.1.1.1 or 127.0.0.1:5353` });
    }),
  CORREIO_SENDER_VERIFICATION: z.enum(['on', 'off']).default('on'),
  CORREIO_CORS_ORIGINS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      for (const origin of corsOrigins(value)) if (!/^https?:\/\/[^/\s]+$/.test(origin)) ctx.addIssue({ code: 'custom', message: `“${origin}” is not an origin such as https://help.example.com` });
    }),
  SMTP_RELAY_URL: z.string().url().optional(),
  CORREIO_ROLE: z.enum(['all', 'api', 'engine']).default('all'),
  CORREIO_SIGNUP: z.enum(['open', 'closed']).default('open'),
  CORREIO_SIGNUP_PER_IP_PER_HOUR: z.coerce.number().int().positive().default(10),
  CORREIO_TOKEN_TTL_HOURS: z.coerce.number().positive().default(12),
  CORREIO_LIST_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  CORREIO_PUBLIC_URL: z.string().url().optional(),
  // Issue 13: the OAuth 2.0 apps an operator registered at each provider.
  CORREIO_GOOGLE_CLIENT_ID: z.string().optional(),
  CORREIO_GOOGLE_CLIENT_SECRET: z.string().optional(),
  CORREIO_MICROSOFT_CLIENT_ID: z.string().optional(),
  CORREIO_MICROSOFT_CLIENT_SECRET: z.string().optional(),
  CORREIO_MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'CORREIO_MICROSOFT_TENANT is a tenant id, a domain such as acme.onmicrosoft.com, or organizations / common')
    .default('organizations'),
  CORREIO_OAUTH_GOOGLE_ISSUER: z.string().url().optional(),
  CORREIO_OAUTH_MICROSOFT_ISSUER: z.string().url().optional(),
  CORREIO_POP3_POLL_SECONDS: z.coerce.number().positive().default(60),
  CORREIO_IMAP_POLL_SECONDS: z.coerce.number().positive().default(60),
  CORREIO_STATUS_WINDOW_MINUTES: z.coerce.number().positive().default(30),
  CORREIO_WATCHDOG_SECONDS: z.coerce.number().positive().default(600),
  CORREIO_LEASE_TTL_SECONDS: z.coerce.number().positive().default(10),
  CORREIO_CONNECT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  CORREIO_CONNECT_JITTER_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  CORREIO_CHECK_TIMEOUT_SECONDS: z.coerce.number().positive().default(15),
  CORREIO_SEND_RETRY_MIN_SECONDS: z.coerce.number().positive().default(30),
  CORREIO_SEND_RETRY_MAX_MINUTES: z.coerce.number().positive().default(30),
  CORREIO_SEND_GIVE_UP_HOURS: z.coerce.number().positive().default(24),
  NODE_ENV: z.string().default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  CORREIO_METRICS_TOKEN: z.string().min(16, 'CORREIO_METRICS_TOKEN must be at least 16 characters').optional(),
  CORREIO_METRICS_PORT: port.optional(),
});

export interface CorreioConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  secretKey: string | undefined;
  redisUrl: string | undefined;
  inboundDomain: string;
  inboundSmtpPort: number;
  inboundSmtpHost: string;
  inboundMaxMessageBytes: number;
  /** Bounds of Correio's SMTP receiver: connections at once, in total and from one IP. */
  inboundSmtpMaxConnections: number;
  inboundSmtpMaxConnectionsPerIp: number;
  /** Private-network destinations the engine may connect to anyway (N5). */
  privateHosts: PrivateHostsPolicy;
  /** DNS servers sender verification asks (SPF, DKIM, DMARC); empty → the system's. */
  dnsServers: string[];
  /** W9: SPF/DKIM/DMARC/ARC on inbound mail (off: an install without outside DNS, or a benchmark's baseline). */
  senderVerification: boolean;
  /** Browser origins allowed to call the API cross-origin; empty → same origin only. */
  corsOrigins: string[];
  smtpRelayUrl: string | undefined;
  role: 'all' | 'api' | 'engine';
  signup: 'open' | 'closed';
  /** Sign-ups one client IP may attempt per hour. */
  signupPerIpPerHour: number;
  tokenTtlHours: number;
  /**
   * How long a ticket list answer may be reused when no change in its workspace was heard of
   * (issue 15); any ticket event or mutation in the workspace ends it sooner. 0 turns it off.
   */
  listCacheSeconds: number;
  /** The URL people reach Correio at (OAuth redirect URI); default http://localhost:PORT. */
  publicUrl: string;
  /** OAuth 2.0 apps per provider (issue 13); an unset client id leaves that provider's button off. */
  oauth: {
    google: { clientId: string | undefined; clientSecret: string | undefined; issuer: string | undefined };
    microsoft: { clientId: string | undefined; clientSecret: string | undefined; tenant: string; issuer: string | undefined };
  };
  engine: {
    pop3PollMs: number;
    imapPollMs: number;
    statusWindowMs: number;
    watchdogMs: number;
    leaseTtlMs: number;
    /** Logins one engine runs at once (issue 17), and the spread of a start's first logins. */
    connectConcurrency: number;
    connectJitterMs: number;
    checkTimeoutMs: number;
    sendRetry: { minMs: number; maxMs: number; maxAgeMs: number };
  };
  development: boolean;
  logLevel: string;
  /** json (default) or pretty (LOG_FORMAT=pretty, or a terminal on stdout). */
  logFormat: LogFormat;
  /** /metrics needs `Authorization: Bearer <token>` when set. */
  metricsToken: string | undefined;
  /** /metrics on its own port instead of the public one. */
  metricsPort: number | undefined;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Reads Correio's settings from the environment; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CorreioConfig {
  // Empty variables count as unset, so `DATABASE_URL= npm start` means "embedded".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.CORREIO_DATA_DIR),
    secretKey: e.CORREIO_SECRET_KEY,
    redisUrl: e.REDIS_URL,
    inboundDomain: e.INBOUND_DOMAIN.toLowerCase(),
    inboundSmtpPort: e.INBOUND_SMTP_PORT,
    inboundSmtpHost: e.INBOUND_SMTP_HOST,
    inboundMaxMessageBytes: Math.round(e.INBOUND_MAX_MESSAGE_MB * 1024 * 1024),
    inboundSmtpMaxConnections: e.INBOUND_SMTP_MAX_CONNECTIONS,
    inboundSmtpMaxConnectionsPerIp: e.INBOUND_SMTP_MAX_CONNECTIONS_PER_IP,
    privateHosts: parsePrivateHostsAllowed(e.CORREIO_PRIVATE_HOSTS_ALLOWED),
    corsOrigins: corsOrigins(e.CORREIO_CORS_ORIGINS),
    dnsServers: dnsServers(e.CORREIO_DNS_SERVERS),
    senderVerification: e.CORREIO_SENDER_VERIFICATION === 'on',
    smtpRelayUrl: e.SMTP_RELAY_URL,
    role: e.CORREIO_ROLE,
    signup: e.CORREIO_SIGNUP,
    signupPerIpPerHour: e.CORREIO_SIGNUP_PER_IP_PER_HOUR,
    tokenTtlHours: e.CORREIO_TOKEN_TTL_HOURS,
    listCacheSeconds: e.CORREIO_LIST_CACHE_SECONDS,
    publicUrl: (e.CORREIO_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    oauth: {
      google: { clientId: e.CORREIO_GOOGLE_CLIENT_ID, clientSecret: e.CORREIO_GOOGLE_CLIENT_SECRET, issuer: e.CORREIO_OAUTH_GOOGLE_ISSUER },
      microsoft: { clientId: e.CORREIO_MICROSOFT_CLIENT_ID, clientSecret: e.CORREIO_MICROSOFT_CLIENT_SECRET, tenant: e.CORREIO_MICROSOFT_TENANT, issuer: e.CORREIO_OAUTH_MICROSOFT_ISSUER },
    },
    engine: {
      pop3PollMs: e.CORREIO_POP3_POLL_SECONDS * 1000,
      imapPollMs: e.CORREIO_IMAP_POLL_SECONDS * 1000,
      statusWindowMs: e.CORREIO_STATUS_WINDOW_MINUTES * 60_000,
      watchdogMs: e.CORREIO_WATCHDOG_SECONDS * 1000,
      leaseTtlMs: e.CORREIO_LEASE_TTL_SECONDS * 1000,
      connectConcurrency: e.CORREIO_CONNECT_CONCURRENCY,
      connectJitterMs: e.CORREIO_CONNECT_JITTER_MS,
      checkTimeoutMs: e.CORREIO_CHECK_TIMEOUT_SECONDS * 1000,
      sendRetry: { minMs: e.CORREIO_SEND_RETRY_MIN_SECONDS * 1000, maxMs: e.CORREIO_SEND_RETRY_MAX_MINUTES * 60_000, maxAgeMs: e.CORREIO_SEND_GIVE_UP_HOURS * 3600_000 },
    },
    development: e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
    logFormat: defaultLogFormat(env),
    metricsToken: e.CORREIO_METRICS_TOKEN,
    metricsPort: e.CORREIO_METRICS_PORT,
  };
}

function dnsServers(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function corsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
}
