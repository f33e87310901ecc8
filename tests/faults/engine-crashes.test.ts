import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

let dovecot: Dovecot;
let db: SharedDatabase;
let api: CorreioProcess;
let engine: CorreioProcess | null = null;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'storm', password: 'pw' }] });
  db = await sharedDatabase();
  // The API in its own process; the engine is the one that keeps dying.
  api = await spawnCorreio(db.env, 'api');
});
afterAll(async () => {
  await engine?.stop();
  await api?.stop();
  await dovecot?.stop();
  await db?.dispose();
});

describe('kill -9 of the engine, ten times, while mail keeps arriving', () => {
  it('imports every message exactly once', async () => {
    const admin = await signUp(api.url);
    // The short lease lets each restarted engine take the mailbox over quickly.
    const env = { ...db.env, CORREIO_LEASE_TTL_SECONDS: '2' };
    engine = await spawnCorreio(env, 'engine');
    await connectDovecotAccount(api.url, admin.token, dovecot, 'storm');
    await new Promise((r) => setTimeout(r, 1500));

    let delivered = 0;
    let delivering = true;
    const producer = (async () => {
      while (delivering) {
        // Distinct senders: the flood limit is not what this test is about.
        await dovecot.deliver('storm', buildMail({ subject: `storm ${String(delivered).padStart(5, '0')}`, from: `c${delivered}@cliente.example`, messageId: `storm-${delivered}@cliente.example` }).raw);
        delivered += 1;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    for (let kill = 0; kill < 10; kill++) {
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 2000));
      await engine.kill9();
      engine = await spawnCorreio(env, 'engine');
    }
    delivering = false;
    await producer;

    const total = async () => (await gqlOk(api.url, `{ tickets(filter: { search: "storm" }) { totalCount } }`, {}, admin.token)).tickets.totalCount as number;
    await waitFor(async () => (await total()) >= delivered, `all ${delivered} messages`, 120_000, 250);
    await new Promise((r) => setTimeout(r, 2000));
    const subjects: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await gqlOk(api.url, `query($a: String) { tickets(first: 100, after: $a, filter: { search: "storm" }) { pageInfo { hasNextPage endCursor } edges { node { subject actions { kind } } } } }`, { a: after }, admin.token)).tickets;
      for (const e of page.edges) {
        subjects.push(e.node.subject);
        expect(e.node.actions).toHaveLength(1);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(delivered).toBeGreaterThan(100);
    expect(subjects).toHaveLength(delivered);
    expect(new Set(subjects).size).toBe(delivered);
  }, 300_000);
});
