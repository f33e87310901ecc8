import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { seedTicket } from '../../helpers/seed.ts';
import { waitFor } from '../../helpers/wait.ts';
import { schema } from '@correio/core';

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let workspaceId: string;

const count = async (search: string) =>
  (await gqlOk(app.url, `query($s: String) { tickets(filter: { search: $s }) { totalCount } }`, { s: search }, admin.token)).tickets.totalCount as number;
const okStatus = (id: string) =>
  waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect');

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['uv', 'bad', 'poison', 'idle', 'dsn', 'refused'].map((user) => ({ user, password: `pw-${user}` })) });
  app = await startTestApp();
  admin = await signUp(app.url);
  workspaceId = (await gqlOk(app.url, `{ workspace { id } }`, {}, admin.token)).workspace.id;
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('inbound resilience (W7)', () => {
  it('retries a failing mailbox with backoff, never in a tight loop that would get it blocked', async () => {
    // A folder that does not exist fails right after login, with no server-side delay to hide a
    // retry loop (Dovecot slows down failed passwords by itself).
    const logins = async () => (await dovecot.logLines()).filter((l) => l.includes('imap-login: Info: Login: user=<refused>')).length;
    await connectDovecotAccount(app.url, admin.token, dovecot, 'refused', { incoming: { folder: 'Does-Not-Exist' } });
    await waitFor(async () => (await logins()) >= 1, 'the first login');
    const first = await logins();
    await new Promise((r) => setTimeout(r, 4000));
    // Backoff from 200 ms doubling to 2 s (the tests' timing): about five attempts in four seconds.
    expect((await logins()) - first).toBeLessThanOrEqual(8);
  });

  it('survives a UIDVALIDITY change without importing anything twice', async () => {
    for (let i = 0; i < 3; i++) await dovecot.deliver('uv', buildMail({ subject: `Before UIDVALIDITY ${i}` }).raw);
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'uv', { incoming: { importExisting: 'ALL' } });
    await okStatus(account.id);
    await waitFor(async () => (await count('Before UIDVALIDITY')) === 3, 'the first import');
    const db = app.runtime.database.db;
    const syncState = async () => (await db.select().from(schema.mailboxSyncStates).where(eq(schema.mailboxSyncStates.accountId, account.id)))[0]!;
    const oldValidity = (await syncState()).uidValidity;
    await dovecot.resetUidValidity('uv');
    await dovecot.deliver('uv', buildMail({ subject: 'After UIDVALIDITY' }).raw);
    await waitFor(async () => (await count('After UIDVALIDITY')) === 1, 'the new message after the reset');
    // The importer is through the mailbox under the new UIDVALIDITY: every one of the four
    // messages has its ledger entry under it (the three old ones linked, the new one imported),
    // so nothing is left that could still be imported twice.
    await waitFor(async () => {
      const state = await syncState();
      if (state.uidValidity === oldValidity) return false;
      const ledger = await db
        .select()
        .from(schema.importedMessages)
        .where(and(eq(schema.importedMessages.accountId, account.id), like(schema.importedMessages.sourceKey, `imap:${state.mailbox}:${state.uidValidity}:%`)));
      return ledger.length === 4;
    }, 'every message to be accounted for under the new UIDVALIDITY');
    expect(await count('Before UIDVALIDITY')).toBe(3);
  });

  it('keeps an unparseable message in failed imports, moves past it, and can retry it', async () => {
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'bad');
    await okStatus(account.id);
    const garbage = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe]), Buffer.alloc(200, 0x07)]);
    await dovecot.deliver('bad', garbage);
    await dovecot.deliver('bad', buildMail({ subject: 'Good one after bad' }).raw);
    await waitFor(async () => (await count('Good one after bad')) === 1, 'the good message after the bad one');
    const failed = await waitFor(async () => (await gqlOk(app.url, `query($a: ID) { failedImports(accountId: $a) { id error size rawUrl account { id } } }`, { a: account.id }, admin.token)).failedImports[0], 'the failed import');
    expect(failed).toMatchObject({ size: garbage.length, account: { id: account.id } });
    expect(failed.error).toMatch(/no valid From|no headers/i);
    const raw = await fetch(`${app.url}${failed.rawUrl}`);
    // Byte for byte as the server stored it (Dovecot may rewrite NUL bytes; the size is the server's).
    const kept = Buffer.from(await raw.arrayBuffer());
    expect(kept.length).toBe(failed.size);
    expect(kept.includes(Buffer.alloc(200, 0x07))).toBe(true);
    const retry = await gql(app.url, `mutation($id: ID!) { retryFailedImport(id: $id) }`, { id: failed.id }, admin.token);
    expect(retry.errors?.[0]?.message).toMatch(/still cannot be imported/);
  });

  it('retries a message whose import failed for a reason that was fixed', async () => {
    const db = app.runtime.database.db;
    // Its own mailbox, so it does not depend on what an earlier test connected.
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'poison');
    await okStatus(account.id);
    // A real failure inside the database, removed afterwards: what a deployed bugfix looks like from here.
    await db.execute(sql`create function correio_test_poison() returns trigger as $$ begin if new.subject like '%Poison%' then raise exception 'poisoned subject'; end if; return new; end $$ language plpgsql`);
    let fixed = false;
    const fix = async () => {
      if (fixed) return;
      fixed = true;
      await db.execute(sql`drop trigger if exists correio_test_poison on ticket_actions`);
      await db.execute(sql`drop function correio_test_poison()`);
    };
    try {
      await db.execute(sql`create trigger correio_test_poison before insert on ticket_actions for each row execute function correio_test_poison()`);
      await dovecot.deliver('poison', buildMail({ subject: 'Poison pill' }).raw);
      const failed = await waitFor(async () => (await gqlOk(app.url, `query($a: ID) { failedImports(accountId: $a) { id error } }`, { a: account.id }, admin.token)).failedImports.find((f: { error: string }) => /poisoned/.test(f.error)), 'the failure');
      await fix();
      expect((await gqlOk(app.url, `mutation($id: ID!) { retryFailedImport(id: $id) }`, { id: failed.id }, admin.token)).retryFailedImport).toBe(true);
      expect(await count('Poison pill')).toBe(1);
      const left = (await gqlOk(app.url, `query($a: ID) { failedImports(accountId: $a) { id } }`, { a: account.id }, admin.token)).failedImports;
      expect(left.map((f: { id: string }) => f.id)).not.toContain(failed.id);
    } finally {
      // The trigger would fail every later import of this database.
      await fix();
    }
  });

  it('sees new mail through IDLE within about a second and pushes ticketChanged', async () => {
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'idle');
    await okStatus(account.id);
    // The importer has synced and sits in IDLE (Dovecot's process title shows the command).
    await waitFor(async () => (await dovecot.sessions()).some((s) => s.user === 'idle' && s.command === 'IDLE'), 'the importer to enter IDLE');
    const client = wsClient(app.url, admin.token);
    const open = app.subscriptions.open;
    const sub = subscribe(client, `subscription { ticketChanged { subject } }`);
    const latencies: number[] = [];
    try {
      await subscriptionsOpen(app, open + 1);
      for (let i = 0; i < 5; i++) {
        const start = Date.now();
        await dovecot.deliver('idle', buildMail({ subject: `Idle latency ${i}` }).raw);
        await sub.next(i + 1, 5000);
        latencies.push(Date.now() - start);
      }
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
    expect(Math.max(...latencies)).toBeLessThan(1500);
  });

  it('marks an outgoing action FAILED when a bounce about it arrives, without opening a ticket', async () => {
    const ticket = await seedTicket(app.runtime.database.db, workspaceId, { subject: 'Has an outgoing reply' });
    const [action] = await app.runtime.database.db
      .insert(schema.ticketActions)
      .values({ workspaceId, ticketId: ticket.id, kind: 'EMAIL_OUT', text: 'Our reply', delivery: 'SENT', messageId: 'out-77@acme.example' })
      .returning();
    await app.runtime.database.db.insert(schema.ticketMessageIds).values({ workspaceId, messageId: 'out-77@acme.example', ticketId: ticket.id, actionId: action!.id, outgoing: true });
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'dsn');
    await okStatus(account.id);
    const dsn = [
      'From: MAILER-DAEMON@mx.cliente.example (Mail Delivery System)',
      'To: dsn@acme.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.cliente.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      '',
      '--r',
      'Content-Type: text/plain',
      '',
      'I could not deliver your message.',
      '--r',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.cliente.example',
      '',
      'Final-Recipient: rfc822; gone@cliente.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@cliente.example>: Recipient address rejected: User unknown',
      '',
      '--r',
      'Content-Type: message/rfc822',
      '',
      'From: support@acme.example',
      'To: gone@cliente.example',
      'Subject: Re: Has an outgoing reply [#1]',
      'Message-ID: <out-77@acme.example>',
      '',
      'Our reply',
      '--r--',
      '',
    ].join('\r\n');
    await dovecot.deliver('dsn', dsn);
    const failed = await waitFor(async () => {
      const t = (await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { actions { kind delivery deliveryError } } }`, { id: ticket.id }, admin.token)).ticket;
      return t.actions.find((a: { delivery: string }) => a.delivery === 'FAILED');
    }, 'the outgoing action to be marked FAILED');
    expect(failed.deliveryError).toMatch(/550 5\.1\.1 <gone@cliente\.example>: Recipient address rejected/);
    expect(await count('Undelivered Mail')).toBe(0);
  });
});
