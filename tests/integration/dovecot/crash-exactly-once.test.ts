import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../../helpers/process.ts';
import { waitFor } from '../../helpers/wait.ts';

let dovecot: Dovecot;
let db: SharedDatabase;
let proc: CorreioProcess | null = null;
// Large enough that the import (batches of 200, ~1,000 messages/s) is surely under way when killed.
const TOTAL = 3000;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'crash', password: 'pw' }] });
  db = await sharedDatabase();
});
afterAll(async () => {
  await proc?.stop();
  await dovecot?.stop();
  await db?.dispose();
});

describe('exactly once across a crash (W7)', () => {
  it('imports every message exactly once when the engine is killed -9 mid-batch and restarted', async () => {
    await dovecot.deliverMany('crash', Array.from({ length: TOTAL }, (_, i) => buildMail({ subject: `Crash test ${String(i).padStart(4, '0')}`, messageId: `crash-${i}@cliente.example` }).raw));
    proc = await spawnCorreio(db.env);
    const admin = await signUp(proc.url);
    const total = async (url: string) => (await gqlOk(url, `{ tickets(filter: { search: "Crash test" }) { totalCount } }`, {}, admin.token)).tickets.totalCount as number;
    await connectDovecotAccount(proc.url, admin.token, dovecot, 'crash', { incoming: { importExisting: 'ALL' } });
    const before = await waitFor(async () => {
      const n = await total(proc!.url);
      return n >= 1 && n;
    }, 'the import to be under way', 60_000, 10).catch((err) => {
      // What the engine was doing instead (warnings and errors only).
      console.log(proc!.lines.filter((l) => !l.includes('"level":30')).slice(-30).join('\n'));
      throw err;
    });
    await proc.kill9();
    expect(before).toBeLessThan(TOTAL);
    // Dovecot has seen the killed engine's connection go, so the only session of this user from
    // now on is the restarted engine's.
    await waitFor(async () => !(await dovecot.sessions()).some((s) => s.user === 'crash'), 'the killed engine’s IMAP session to end');

    proc = await spawnCorreio(db.env);
    await waitFor(async () => (await total(proc!.url)) >= TOTAL, 'every message after the restart', 120_000, 200);
    // The restarted importer is through the mailbox: it has committed everything and sits in IDLE,
    // so no import is still running that could add a duplicate.
    await waitFor(async () => (await dovecot.sessions()).some((s) => s.user === 'crash' && s.command === 'IDLE'), 'the importer to finish and enter IDLE', 30_000);
    const subjects: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await gqlOk(proc.url, `query($a: String) { tickets(first: 100, after: $a, filter: { search: "Crash test" }) { pageInfo { hasNextPage endCursor } edges { node { subject actions { kind } } } } }`, { a: after }, admin.token)).tickets;
      for (const e of page.edges) {
        subjects.push(e.node.subject);
        expect(e.node.actions).toHaveLength(1);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(subjects).toHaveLength(TOTAL);
    expect(new Set(subjects).size).toBe(TOTAL);
  }, 240_000);
});
