import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startCorreio, type RunningCorreio } from '@correio/api';
import type { EngineOptions } from '@correio/mail-engine';
import { loadConfig, type CorreioConfig } from '@correio/core';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { gqlOk } from './graphql.ts';
import { testServersAllowed } from './test-servers.ts';

export interface TestApp extends RunningCorreio {
  url: string;
  dataDir: string;
  db: TestDatabase;
  /** Every log line the app wrote, for assertions (e.g. "no secret is ever logged"). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * The mail engine's timings in a TestApp (unless a test overrides them): fast, so tests do not wait
 * a minute for a poll or a backoff. Tests derive their bounded waits from these.
 */
export const TEST_ENGINE_TIMING = {
  /** Reconnection backoff of IMAP and POP3 mailboxes. */
  backoff: { minMs: 200, maxMs: 2000 },
  /** How often a POP3 mailbox is polled. */
  pop3PollMs: 500,
  /** Mailbox leases; the engine also reconciles its mailboxes with the accounts table on every heartbeat. */
  leaseTtlMs: 5000,
  heartbeatMs: 500,
} as const;

/**
 * Correio in this process on a random port, with its own data folder and database and the
 * logs captured in memory. `env` overrides configuration variables.
 */
export async function startTestApp(env: Record<string, string> = {}, engine: EngineOptions = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'correio-test-'));
  const db = await createTestDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config: CorreioConfig = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    CORREIO_DATA_DIR: dataDir,
    INBOUND_SMTP_PORT: '0',
    LOG_LEVEL: 'debug',
    CORREIO_PRIVATE_HOSTS_ALLOWED: testServersAllowed(),
    // Every test signs up workspaces from 127.0.0.1; the sign-up limit has a test of its own.
    CORREIO_SIGNUP_PER_IP_PER_HOUR: '100000',
    // Tests of the read side write tickets straight into the database (seedTicket), which no
    // list cache hears of; list-cache.test.ts turns it on and checks what invalidates it.
    CORREIO_LIST_CACHE_SECONDS: '0',
    ...env,
  });
  const logger = pino({ level: 'debug' }, sink);
  const t = TEST_ENGINE_TIMING;
  const app = await startCorreio(config, {
    database: db.handle,
    logger,
    engine: {
      ...engine,
      imap: { backoff: t.backoff, ...engine.imap },
      pop3: { pollIntervalMs: t.pop3PollMs, backoff: t.backoff, ...engine.pop3 },
      leases: { ttlMs: t.leaseTtlMs, heartbeatMs: t.heartbeatMs, ...engine.leases },
    },
  });
  return {
    ...app,
    url: app.url!,
    dataDir,
    db,
    logs,
    async stop() {
      await app.close();
      await db.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** Signs up a fresh workspace; returns its admin's token and the workspace's slug. */
export async function signUp(url: string, overrides: Partial<{ slug: string; email: string; password: string; name: string }> = {}) {
  counter += 1;
  const tag = `${process.pid}${counter}${Math.random().toString(36).slice(2, 6)}`;
  const slug = overrides.slug ?? `ws${tag}`;
  const email = overrides.email ?? `admin-${tag}@example.com`;
  const password = overrides.password ?? 'correct horse battery staple';
  const data = await gqlOk<{ signUp: { token: string; user: { id: string } } }>(
    url,
    `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
    { input: { workspaceName: `Workspace ${tag}`, workspaceSlug: slug, name: overrides.name ?? 'Admin', email, password } },
  );
  return { token: data.signUp.token, userId: data.signUp.user.id, slug, email, password };
}
