import { schema } from '@correio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 17: a reconnect that finds the mailbox as it left it costs one SELECT — no UID SEARCH,
// no FETCH — and one that finds new mail imports it. Observed in what Dovecot receives
// (its rawlog of each session), not in Correio's own account of it.

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;

const count = async (search: string) =>
  (await gqlOk(app.url, `query($s: String) { tickets(filter: { search: $s }) { totalCount } }`, { s: search }, admin.token)).tickets.totalCount as number;
const idleSessions = async () => (await dovecot.sessions()).filter((s) => s.user === 'quiet' && s.command === 'IDLE').length;
/** Commands that read the mailbox's contents: what a quiet reconnect must not send. */
const reads = (commands: string[]) => commands.filter((c) => /^(UID )?(SEARCH|FETCH)\b/i.test(c));

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'quiet', password: 'pw-quiet' }], rawlog: true });
  app = await startTestApp();
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('quick resync (issue 17)', () => {
  it('reconnects to an unchanged mailbox with a SELECT alone, and still imports what arrived while away', async () => {
    for (let i = 0; i < 2; i++) await dovecot.deliver('quiet', buildMail({ subject: `Antes ${i}` }).raw);
    await connectDovecotAccount(app.url, admin.token, dovecot, 'quiet', { incoming: { importExisting: 'ALL' } });
    await waitFor(async () => (await count('Antes')) === 2 || null, 'the first import');
    await waitFor(async () => (await idleSessions()) === 1 || null, 'the mailbox in IDLE');
    const first = (await dovecot.imapCommands('quiet')).at(-1)!;
    expect(reads(first).length).toBeGreaterThan(0);
    // The server's HIGHESTMODSEQ (CONDSTORE, which Dovecot has) is kept with the position.
    const [state] = await app.runtime.database.db.select().from(schema.mailboxSyncStates);
    expect(state!.highestModseq).toBeGreaterThan(0n);

    // The server restarts; nothing changed meanwhile.
    await dovecot.restart();
    await waitFor(async () => (await dovecot.imapCommands('quiet')).length >= 2 && (await idleSessions()) === 1 || null, 'the mailbox back in IDLE', 30_000);
    const quiet = (await dovecot.imapCommands('quiet')).at(-1)!;
    expect(quiet.some((c) => /^SELECT\b/i.test(c))).toBe(true);
    expect(reads(quiet)).toEqual([]);

    // New mail while connected is imported as before.
    await dovecot.deliver('quiet', buildMail({ subject: 'Durante' }).raw);
    await waitFor(async () => (await count('Durante')) === 1 || null, 'mail delivered during IDLE');

    // Mail that arrives while the server is down is imported once it is back, exactly once.
    await dovecot.halt();
    await dovecot.deliver('quiet', buildMail({ subject: 'Enquanto fora' }).raw);
    const sessions = (await dovecot.imapCommands('quiet')).length;
    await dovecot.restart();
    await waitFor(async () => (await count('Enquanto fora')) === 1 || null, 'mail delivered while the server was down', 30_000);
    await waitFor(async () => (await dovecot.imapCommands('quiet')).length > sessions && (await idleSessions()) === 1 || null, 'the mailbox back in IDLE');
    expect(reads((await dovecot.imapCommands('quiet')).at(-1)!).length).toBeGreaterThan(0);
    expect(await count('Antes')).toBe(2);
    expect(await count('Durante')).toBe(1);
  });
});
