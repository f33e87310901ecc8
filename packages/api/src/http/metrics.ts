import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { schema, type Runtime } from '@correio/core';
import { count, min, sql, inArray } from 'drizzle-orm';
import type { StatusService } from '../services/status-service.ts';
import type { SubscriptionCount } from './subscription-count.ts';
import type { MailEngine } from '@correio/mail-engine';

const { emailAccounts, outbox, mailboxLeases, engineNodes } = schema;

/**
 * The install's state as Prometheus gauges, read from the database when scraped (issue 14):
 * mailboxes by direction and state (the same state the accounts screen shows), outbox depth and
 * its oldest message's age, and mailbox leases per engine. Every process reports the same values.
 */
export function registerInstallMetrics(runtime: Runtime, status: StatusService | null, subscriptions: SubscriptionCount | null): void {
  const { metrics } = runtime;
  const db = runtime.database.db;
  if (status)
    metrics.gauge('correio_mailboxes', 'Mailboxes by direction and connection state (OK, INTERMITTENT, ERROR, CHECKING, DISABLED, UNKNOWN).', ['direction', 'state'], async (set) => {
      const counts = new Map<string, number>();
      for (const account of await db.select().from(emailAccounts)) {
        const view = await status.statusOf(account);
        for (const [direction, side] of [['INCOMING', view.incoming], ['OUTGOING', view.outgoing]] as const) counts.set(`${direction}|${side.state}`, (counts.get(`${direction}|${side.state}`) ?? 0) + 1);
      }
      for (const [key, value] of counts) {
        const [direction, state] = key.split('|') as [string, string];
        set({ direction, state }, value);
      }
    });
  metrics.gauge('correio_outbox_depth', 'Replies waiting to be sent (queued or being sent).', [], async (set) => {
    const [row] = await db.select({ n: count() }).from(outbox).where(inArray(outbox.state, ['QUEUED', 'SENDING']));
    set({}, Number(row?.n ?? 0));
  });
  metrics.gauge('correio_outbox_oldest_age_seconds', 'Age of the oldest reply still waiting to be sent (0 when none).', [], async (set) => {
    const [row] = await db.select({ oldest: min(outbox.createdAt) }).from(outbox).where(inArray(outbox.state, ['QUEUED', 'SENDING']));
    const oldest = row?.oldest ? new Date(row.oldest as unknown as string | Date) : null;
    set({}, oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
  });
  metrics.gauge('correio_mailbox_leases', 'Live mailbox leases held, by engine.', ['engine'], async (set) => {
    const rows = await db
      .select({ owner: mailboxLeases.owner, n: count() })
      .from(mailboxLeases)
      .innerJoin(engineNodes, sql`${engineNodes.id} = ${mailboxLeases.owner} and ${engineNodes.expiresAt} > now()`)
      .groupBy(mailboxLeases.owner);
    for (const row of rows) set({ engine: row.owner }, Number(row.n));
  });
  if (subscriptions)
    metrics.gauge('correio_graphql_subscriptions_open', 'graphql-ws subscriptions open in this process.', [], async (set) => {
      set({}, subscriptions.open);
    });
}

/**
 * This engine process's own figures (issue 17), read from memory: its mailboxes by what they
 * are doing, and its login pacing (in flight, queued, the most at once, the limit).
 */
export function registerEngineMetrics(runtime: Runtime, engine: MailEngine): void {
  const { metrics } = runtime;
  metrics.gauge('correio_engine_mailboxes', 'Mailboxes this engine owns, by state (idle = in IMAP IDLE or between POP3 polls).', ['state'], async (set) => {
    for (const [state, n] of Object.entries(engine.stats().mailboxes)) set({ state }, n);
  });
  metrics.gauge('correio_engine_logins_in_flight', 'Logins this engine is running now.', [], async (set) => set({}, engine.stats().loginsInFlight));
  metrics.gauge('correio_engine_logins_queued', 'Mailboxes waiting for a login slot.', [], async (set) => set({}, engine.stats().loginsQueued));
  metrics.gauge('correio_engine_logins_peak', 'The most logins this engine ran at once since it started.', [], async (set) => set({}, engine.stats().loginsPeak));
  if (runtime.database.kind === 'postgres')
    metrics.gauge('correio_engine_db_statements', 'Statements this process has sent to PostgreSQL since it started (BEGIN and COMMIT included).', [], async (set) => set({}, runtime.database.statementsSent()));
  metrics.gauge('correio_engine_connect_limit', 'Concurrent logins allowed per engine (CORREIO_CONNECT_CONCURRENCY).', [], async (set) => set({}, engine.stats().connectLimit));
}

/** `GET /metrics`: Prometheus text format, behind CORREIO_METRICS_TOKEN (Bearer) when it is set. */
export async function serveMetrics(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = runtime.config.metricsToken;
  if (token) {
    const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="metrics"' });
      res.end('Metrics need the token set in CORREIO_METRICS_TOKEN (Authorization: Bearer …).\n');
      return;
    }
  }
  const body = await runtime.metrics.registry.metrics();
  res.writeHead(200, { 'Content-Type': runtime.metrics.registry.contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** CORREIO_METRICS_PORT: /metrics on a port of its own (any role, an engine-only process too). */
export async function startMetricsServer(runtime: Runtime): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/metrics' && req.method === 'GET') {
      return void serveMetrics(runtime, req, res).catch((err: Error) => {
        runtime.logger.error({ err: { message: err.message } }, 'metrics scrape failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Only /metrics here.\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(runtime.config.metricsPort, runtime.config.host, () => resolve());
  });
  return server;
}
