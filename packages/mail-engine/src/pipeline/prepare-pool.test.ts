import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '@correio/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PrepareError, PreparePool } from './prepare-pool.ts';

const mail = (i: number) => Buffer.from(`From: Ana <ana${i}@cliente.example>\r\nTo: suporte@acme.example\r\nSubject: Pedido ${i}\r\nMessage-ID: <p${i}@cliente.example>\r\n\r\nOlá ${i}\r\n`);
const arrival = {};
let dir: string;
let pool: PreparePool | null = null;

async function newPool(options: ConstructorParameters<typeof PreparePool>[2]): Promise<PreparePool> {
  dir = await mkdtemp(join(tmpdir(), 'pool-'));
  const blobs = new BlobStore(dir);
  await blobs.init();
  pool = new PreparePool(blobs, pino({ level: 'silent' }), options, { enabled: false, dnsServers: [] });
  return pool;
}

afterEach(async () => {
  await pool?.close();
  pool = null;
  await rm(dir, { recursive: true, force: true });
});

describe('PreparePool, sized to the work (issue 14)', () => {
  it('holds no parser thread when idle, and prepares a lone message on this thread', async () => {
    const p = await newPool({ maxWorkers: 2, backlog: 3, idleMs: 500 });
    expect(p.workerCount).toBe(0);
    const [prepared] = await p.prepareMany([{ raw: mail(1), arrival }]);
    expect(prepared).not.toBeInstanceOf(PrepareError);
    expect((prepared as { subject: string }).subject).toBe('Pedido 1');
    expect(p.workerCount).toBe(0);
  });

  it('starts threads under a backlog (at most maxWorkers), and stops them once idle', async () => {
    const p = await newPool({ maxWorkers: 2, backlog: 3, idleMs: 500 });
    let most = 0;
    for (let round = 0; round < 6; round++) {
      const results = await p.prepareMany(Array.from({ length: 20 }, (_, i) => ({ raw: mail(round * 20 + i), arrival })));
      expect(results.filter((r) => r instanceof PrepareError)).toEqual([]);
      most = Math.max(most, p.workerCount);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(p.workerCount).toBe(0);
  });

  it('never starts a thread with maxWorkers 0 (an API process)', async () => {
    const p = await newPool({ maxWorkers: 0, backlog: 1, idleMs: 500 });
    const results = await p.prepareMany(Array.from({ length: 10 }, (_, i) => ({ raw: mail(i), arrival })));
    expect(results.every((r) => !(r instanceof PrepareError))).toBe(true);
    expect(p.workerCount).toBe(0);
  });
});
