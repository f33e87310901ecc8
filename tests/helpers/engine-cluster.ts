import { afterAll, beforeAll } from 'vitest';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from './process.ts';

/** A Dovecot with the tests' mailboxes, one database, an API process, and the engine processes the tests start. */
export interface EngineCluster {
  dovecot: Dovecot;
  db: SharedDatabase;
  api: CorreioProcess;
  /** Engines a test starts; stopped with the rest after the file's tests. */
  engines: CorreioProcess[];
}

/**
 * For the tests of engines sharing mailboxes (N2): started before the file's tests, everything
 * stopped after them. Read the fields inside a test: they are set once `beforeAll` has run.
 */
export function useEngineCluster(users: string[]): EngineCluster {
  const cluster = { engines: [] as CorreioProcess[] } as EngineCluster;
  beforeAll(async () => {
    cluster.dovecot = await startDovecot({ users: users.map((user) => ({ user, password: 'pw' })) });
    cluster.db = await sharedDatabase();
    cluster.api = await spawnCorreio(cluster.db.env, 'api');
  });
  afterAll(async () => {
    for (const engine of cluster.engines) await engine.stop();
    await cluster.api?.stop();
    await cluster.dovecot?.stop();
    await cluster.db?.dispose();
  });
  return cluster;
}
