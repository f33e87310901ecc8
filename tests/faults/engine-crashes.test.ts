import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../helpers/process.ts';
import { seededRandom } from '../helpers/random.ts';
import { waitFor } from '../helpers/wait.ts';

// The kill schedule is random, from a seeded PRNG: the test prints `[engine-crashes] seed=<n>` when
// it starts. To replay a failing run's schedule:
//   CORREIO_TEST_SEED=<n> DATABASE_URL=… node_modules/.bin/vitest run --project faults tests/faults/engine-crashes.test.ts
// (the same kill delays in the same order; mail arrival and process start-up still take real time).
const KILLS = 10;
/** Each engine runs this long (at random within it) before its kill -9. */
const LIFETIME_MS = { min: 500, max: 2500 };
/** The producer's pace: a new message this often while the engines keep dying. */
const DELIVERY_EVERY_MS = 15;

/** The engine's sessions of the mailbox, from Dovecot's process titles. */
const stormSessions = async () => (await dovecot.sessions()).filter((s) => s.user === 'storm');

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
    const random = seededRandom('engine-crashes');
    const admin = await signUp(api.url);
    // The short lease lets each restarted engine take the mailbox over quickly.
    const env = { ...db.env, CORREIO_LEASE_TTL_SECONDS: '2' };
    engine = await spawnCorreio(env, 'engine');
    await connectDovecotAccount(api.url, admin.token, dovecot, 'storm');
    // The first engine has the mailbox: synced, and waiting in IDLE for the mail to come.
    await waitFor(async () => (await stormSessions()).some((s) => s.command === 'IDLE'), 'the first engine to sit in IDLE on the mailbox', 60_000, 100);

    let delivered = 0;
    let delivering = true;
    const producer = (async () => {
      while (delivering) {
        // Distinct senders: the flood limit is not what this test is about.
        await dovecot.deliver('storm', buildMail({ subject: `storm ${String(delivered).padStart(5, '0')}`, from: `c${delivered}@cliente.example`, messageId: `storm-${delivered}@cliente.example` }).raw);
        delivered += 1;
        await new Promise((r) => setTimeout(r, DELIVERY_EVERY_MS));
      }
    })();

    for (let kill = 0; kill < KILLS; kill++) {
      // The fault being injected, not a wait for anything: kill -9 at a random moment of the engine's work.
      await new Promise((r) => setTimeout(r, random.between(LIFETIME_MS.min, LIFETIME_MS.max)));
      await engine.kill9();
      engine = await spawnCorreio(env, 'engine');
    }
    delivering = false;
    await producer;

    const total = async () => (await gqlOk(api.url, `{ tickets(filter: { search: "storm" }) { totalCount } }`, {}, admin.token)).tickets.totalCount as number;
    await waitFor(async () => (await total()) >= delivered, `all ${delivered} messages`, 120_000, 250);
    // The last engine is through the mailbox: its one session (the killed engines' are gone) sits in
    // IDLE, so nothing is still being imported that could add a duplicate.
    await waitFor(async () => {
      const sessions = await stormSessions();
      return sessions.length === 1 && sessions[0]!.command === 'IDLE';
    }, 'the last engine to finish and sit in IDLE', 60_000, 100);
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
