import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '@correio/core';
import pino from 'pino';
import { afterEach } from 'vitest';
import { PreparePool } from '../prepare-pool.ts';

/** A parse pool over a blob folder of its own, both gone after each test; sender checks off (no DNS). */
export function temporaryPools(prefix: string): (options: ConstructorParameters<typeof PreparePool>[2]) => Promise<PreparePool> {
  let dir: string | null = null;
  let pool: PreparePool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });
  return async (options) => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    const blobs = new BlobStore(dir);
    await blobs.init();
    pool = new PreparePool(blobs, pino({ level: 'silent' }), options, { enabled: false, dnsServers: [] });
    return pool;
  };
}
