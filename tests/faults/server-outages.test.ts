import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { buildMail } from '../helpers/mail.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

/** How long Dovecot stays down in the outage test: the fault injected, long enough for several reconnection attempts with backoff. */
const OUTAGE_MS = 20_000;

let dovecot: Dovecot;
let db: SharedDatabase;
let proc: CorreioProcess;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'outage', password: 'pw' }, { user: 'pgkill', password: 'pw' }] });
  db = await sharedDatabase();
  // A 15-second status window so "INTERMITTENT, then OK" fits in a test.
  proc = await spawnCorreio({ ...db.env, CORREIO_STATUS_WINDOW_MINUTES: '0.25' });
});
afterAll(async () => {
  await proc?.stop();
  await dovecot?.stop();
  await db?.dispose();
});

const count = async (token: string, search: string) => (await gqlOk(proc.url, `query($s: String) { tickets(filter: { search: $s }) { totalCount } }`, { s: search }, token)).tickets.totalCount as number;
const state = async (token: string, id: string) =>
  (await gqlOk(proc.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } lastErrors { code transient } } }`, { id }, token)).emailAccount;

describe('servers going away', () => {
  it('Dovecot down for 20 s: reconnects with backoff, INTERMITTENT then OK, no message missed', async () => {
    const admin = await signUp(proc.url);
    const account = await connectDovecotAccount(proc.url, admin.token, dovecot, 'outage');
    await waitFor(async () => (await state(admin.token, account.id)).status.incoming.state === 'OK', 'the first connection');
    await dovecot.deliver('outage', buildMail({ subject: 'outage before', from: 'a1@cliente.example' }).raw);
    await waitFor(async () => (await count(admin.token, 'outage before')) === 1, 'the first message');

    await dovecot.halt();
    const stoppedAt = Date.now();
    // Mail keeps arriving at the mailbox while the IMAP service is down.
    for (let i = 0; i < 5; i++) await dovecot.deliver('outage', buildMail({ subject: `outage during ${i}`, from: `d${i}@cliente.example` }).raw);
    const during = await waitFor(async () => {
      const s = await state(admin.token, account.id);
      return s.status.incoming.state === 'INTERMITTENT' && s;
    }, 'INTERMITTENT while the server is down');
    expect(during.lastErrors[0]).toMatchObject({ transient: true });
    // Not a wait for a condition: the outage lasts OUTAGE_MS, whatever the engine does meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    await dovecot.restart();

    await waitFor(async () => (await count(admin.token, 'outage during')) === 5, 'the backlog after the restart', 60_000);
    await dovecot.deliver('outage', buildMail({ subject: 'outage after', from: 'a2@cliente.example' }).raw);
    await waitFor(async () => (await count(admin.token, 'outage after')) === 1, 'new mail after the restart');
    await waitFor(async () => (await state(admin.token, account.id)).status.incoming.state === 'OK', 'OK once the window has passed', 60_000, 500);
    expect(await count(admin.token, 'outage')).toBe(7);
  }, 180_000);

  it('PostgreSQL connections terminated mid-import: recovers without losing or duplicating mail', async () => {
    const admin = await signUp(proc.url);
    const TOTAL = 600;
    await dovecot.deliverMany('pgkill', Array.from({ length: TOTAL }, (_, i) => buildMail({ subject: `pgkill ${String(i).padStart(4, '0')}`, messageId: `pgkill-${i}@cliente.example` }).raw));
    await connectDovecotAccount(proc.url, admin.token, dovecot, 'pgkill', { incoming: { importExisting: 'ALL' } });
    const dbUrl = db.env['DATABASE_URL']!;
    const killer = new pg.Client({ connectionString: dbUrl });
    await killer.connect();
    let kills = 0;
    try {
      let imported = await waitFor(async () => {
        const n = await count(admin.token, 'pgkill');
        return n > 20 && n;
      }, 'the import to start', 60_000, 20);
      for (let i = 0; i < 5; i++) {
        // Each round comes once the importer is back at work after the previous one (it has
        // reconnected and committed more), or has nothing left to import.
        if (i > 0) {
          const before = imported;
          imported = await waitFor(async () => {
            const n = await count(admin.token, 'pgkill');
            return (n > before || n >= TOTAL) && n;
          }, 'the import to move on after the connections were terminated', 60_000, 20);
        }
        const { rowCount } = await killer.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
        kills += rowCount ?? 0;
      }
    } finally {
      await killer.end();
    }
    expect(kills).toBeGreaterThan(0);
    await waitFor(async () => (await count(admin.token, 'pgkill')) >= TOTAL, 'every message after the database came back', 120_000, 250).catch((err) => {
      console.log(proc.lines.filter((l) => !l.includes('"level":30')).slice(-30).join('\n'));
      throw err;
    });
    // The importer is through the mailbox and sits in IDLE: nothing is still being imported that
    // could add a duplicate.
    await waitFor(async () => (await dovecot.sessions()).some((s) => s.user === 'pgkill' && s.command === 'IDLE'), 'the importer to finish and sit in IDLE', 60_000, 100);
    expect(await count(admin.token, 'pgkill')).toBe(TOTAL);
    expect(proc.proc.exitCode).toBeNull();
  }, 240_000);
});
