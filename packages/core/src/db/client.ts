import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type the rest of Correio sees, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Functions that work inside or outside a transaction take this. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  /**
   * The same database through sessions that plan every prepared statement once, generically
   * (`plan_cache_mode = force_generic_plan`), for statements written so that their one plan is
   * right whatever their values (search's rare-word shape: each source read through its GIN
   * index alone). Left to choose, PostgreSQL keeps re-planning such a statement whenever a custom
   * plan looks cheaper, and planning is most of its cost. Nothing else may run here: a list's plan
   * depends on its values. On PGlite (one session) this is `db`, planned as PostgreSQL chooses.
   */
  genericPlans: Database;
  kind: 'pglite' | 'postgres';
  /** Fires when the pool loses a connection (e.g. a terminated backend); the pool recovers by itself. */
  onConnectionError(listener: (err: Error) => void): void;
  /**
   * LISTEN on a channel: `onNotify` for each notification, `onListening` each time the listener
   * (re)connects — notifications sent while it was away are lost, so the caller re-reads then.
   */
  listen(channel: string, handlers: { onNotify: (payload: string) => void; onListening: () => void }): Promise<() => Promise<void>>;
  /** Statements this process has sent (BEGIN and COMMIT included): what an idle engine costs the database. */
  statementsSent(): number;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../../drizzle', import.meta.url));

// An arbitrary constant: every Correio process takes this advisory lock before migrating, so
// several processes starting at once against one server never race on DDL.
const MIGRATION_LOCK_ID = 748_392_011;

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; absent → in-memory (tests). */
  pgliteDir?: string | undefined;
  poolSize?: number;
}

/** Sessions of the generic-plan pool: a few, closed again when idle (each is a PostgreSQL backend). */
const GENERIC_PLAN_POOL_SIZE = 4;

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.pgliteDir);
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const errorListeners: Array<(err: Error) => void> = [];
  let statements = 0;
  const openPool = (connectionString: string, max: number) => {
    const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000 });
    // Without a listener, a connection dropped under a client (server restart, pg_terminate_backend)
    // is an unhandled 'error' event that kills the process: the pool only guards idle clients, so
    // every client gets its own listener the moment it connects. The query in flight still fails.
    pool.on('error', (err) => errorListeners.forEach((l) => l(err)));
    pool.on('connect', (client) => {
      client.on('error', (err) => errorListeners.forEach((l) => l(err)));
      // Every query of the pool, drizzle's transactions included, goes through a client's query().
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements += 1;
        return query(...args);
      };
    });
    return pool;
  };
  const pool = openPool(url, poolSize);
  const genericPool = openPool(withSessionSetting(url, 'plan_cache_mode=force_generic_plan'), Math.min(GENERIC_PLAN_POOL_SIZE, poolSize));
  const db = drizzleNodePg({ client: pool, schema });
  const lockClient = new pg.Client({ connectionString: url });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migrateNodePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockClient.end();
  }
  const listeners = new Set<() => Promise<void>>();
  return {
    db: db as unknown as Database,
    genericPlans: drizzleNodePg({ client: genericPool, schema }) as unknown as Database,
    kind: 'postgres',
    onConnectionError: (l) => errorListeners.push(l),
    statementsSent: () => statements,
    listen: async (channel, handlers) => {
      const stop = await listenPostgres(url, channel, handlers);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await Promise.all([pool.end(), genericPool.end()]);
    },
  };
}

/**
 * The URL with a setting for every session it opens, set at connection start (libpq's `options`),
 * after any the URL sets itself: a SET sent on connect would race the first query. A URL that
 * does not parse is returned as it is; its sessions then plan as PostgreSQL chooses.
 */
function withSessionSetting(url: string, setting: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.set('options', [parsed.searchParams.get('options'), `-c ${setting}`].filter(Boolean).join(' '));
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * A connection of its own (LISTEN is per session, and a pooled one goes back to the pool),
 * reconnected with a growing delay whenever it drops.
 */
async function listenPostgres(url: string, channel: string, handlers: { onNotify: (payload: string) => void; onListening: () => void }): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
  let client: pg.Client | null = null;
  let stopped = false;
  let delayMs = 500;
  let timer: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    c.on('notification', (n) => {
      if (n.channel === channel) handlers.onNotify(n.payload ?? '');
    });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (client !== c || stopped) return;
      client = null;
      timer = setTimeout(() => void connect(), delayMs);
      delayMs = Math.min(delayMs * 2, 30_000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      await c.end().catch(() => undefined);
      if (!stopped) timer = setTimeout(() => void connect(), delayMs);
      delayMs = Math.min(delayMs * 2, 30_000);
      return;
    }
    if (stopped) return void (await c.end().catch(() => undefined));
    client = c;
    delayMs = 500;
    handlers.onListening();
  };
  await connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}

/**
 * PostgreSQL's memory settings for the embedded database (issue 14): its defaults (128 MB of
 * shared buffers) are sized for a server of its own; a help desk's database lives in Correio's
 * process, and 32 MB of buffers hold its working set. Measured: 281 → 198 MB RSS at open.
 */
const PGLITE_MEMORY = ['-c', 'shared_buffers=32MB', '-c', 'wal_buffers=1MB', '-c', 'work_mem=4MB', '-c', 'maintenance_work_mem=16MB'];

/**
 * A new data folder is created (initdb) in a short-lived child process: WebAssembly memory only
 * grows, and initdb takes ~750 MB that an instance would then hold for the life of Correio.
 */
async function initPgliteFolder(dir: string): Promise<void> {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = `const { PGlite } = await import(${JSON.stringify(entry)}); const db = await PGlite.create(${JSON.stringify(dir)}); await db.close();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 120_000 });
}

async function openPglite(dir: string | undefined): Promise<DatabaseHandle> {
  if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
  if (dir && !existsSync(join(dir, 'PG_VERSION'))) await initPgliteFolder(dir);
  // unaccent: the search documents' accent folding (migration 0005), loaded into every instance.
  const options = { startParams: [...PGlite.defaultStartParams, ...PGLITE_MEMORY], extensions: { unaccent } };
  const client = dir ? await PGlite.create(dir, options) : await PGlite.create(options);
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Database,
    genericPlans: db as unknown as Database,
    kind: 'pglite',
    onConnectionError: () => undefined,
    statementsSent: () => NaN,
    listen: async (channel, handlers) => {
      const unlisten = await client.listen(channel, handlers.onNotify);
      handlers.onListening();
      return () => unlisten();
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql…)`, which both drivers return as `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
