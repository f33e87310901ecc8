import { randomBytes } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from '@correio/core';
import pg from 'pg';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** postgres:// URL of the fresh database, or undefined on PGlite (in-process only). */
  url: string | undefined;
  kind: 'pglite' | 'postgres';
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database per test file: a new database on the server named by DATABASE_URL
 * (CI), or an in-memory PGlite (a fresh machine).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) {
    const handle = await openDatabase({});
    return { handle, url: undefined, kind: 'pglite', dispose: () => handle.close() };
  }
  const name = `correio_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const handle = await openDatabase({ databaseUrl: url, poolSize: 10 });
  return {
    handle,
    url,
    kind: 'postgres',
    async dispose() {
      await handle.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh empty database on the DATABASE_URL server for other processes to use (null without a server). */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) return null;
  const name = `correio_p_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
