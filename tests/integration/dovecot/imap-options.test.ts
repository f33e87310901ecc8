import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, TEST_ENGINE_TIMING, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { waitFor } from '../../helpers/wait.ts';

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
const DAY = 86_400_000;

const subjects = async (search: string) =>
  ((await gqlOk(app.url, `query($s: String) { tickets(first: 100, filter: { search: $s }) { edges { node { subject } } } }`, { s: search }, admin.token)).tickets.edges as Array<{ node: { subject: string } }>)
    .map((e) => e.node.subject)
    .sort();

async function inbox(user: string): Promise<Array<{ uid: number; subject: string; seen: boolean }>> {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user, pass: dovecot.users.find((u) => u.user === user)!.password }, logger: false });
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    const all = client.mailbox && client.mailbox.exists ? await client.fetchAll('1:*', { uid: true, envelope: true, flags: true }) : [];
    return all.map((m) => ({ uid: m.uid, subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false }));
  } finally {
    lock.release();
    await client.logout();
  }
}

const okStatus = (id: string) =>
  waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect');

beforeAll(async () => {
  dovecot = await startDovecot({
    users: ['mark', 'none', 'days', 'all', 'gap', 'backfill', 'trash', 'folders'].map((user) => ({ user, password: `pw-${user}` })),
    // A Trash folder flagged \Trash (RFC 6154), as real servers announce it.
    extraConfig: '\nnamespace inbox {\n  inbox = yes\n  mailbox Trash {\n    special_use = \\Trash\n    auto = create\n  }\n}\n',
  });
  app = await startTestApp();
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('import options (A4)', () => {
  it('marks imported mail as read only when configured', async () => {
    await dovecot.deliver('mark', buildMail({ subject: 'Mark read please' }).raw);
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'mark', { incoming: { markAsRead: true, importExisting: 'ALL' } });
    await okStatus(account.id);
    await waitFor(async () => (await subjects('Mark read please')).length === 1, 'the import');
    await waitFor(async () => (await inbox('mark'))[0]?.seen === true, '\\Seen on the server');
  });

  it('leaves flags alone by default', async () => {
    await dovecot.deliver('gap', buildMail({ subject: 'Unread stays unread' }).raw);
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'gap', { incoming: { importExisting: 'ALL' } });
    await okStatus(account.id);
    await waitFor(async () => (await subjects('Unread stays unread')).length === 1, 'the import');
    expect((await inbox('gap'))[0]?.seen).toBe(false);
  });

  it('on first connection imports none, the last N days, or all existing mail', async () => {
    const old = new Date(Date.now() - 10 * DAY);
    const recent = new Date(Date.now() - 2 * DAY);
    for (const user of ['none', 'days', 'all']) {
      await dovecot.deliver(user, buildMail({ subject: `Existing old ${user}`, date: old }).raw, { internalDate: old });
      await dovecot.deliver(user, buildMail({ subject: `Existing recent ${user}`, date: recent }).raw, { internalDate: recent });
    }
    const none = await connectDovecotAccount(app.url, admin.token, dovecot, 'none', { incoming: { importExisting: 'NONE' } });
    const days = await connectDovecotAccount(app.url, admin.token, dovecot, 'days', { incoming: { importExisting: 'LAST_DAYS', importExistingDays: 5 } });
    const all = await connectDovecotAccount(app.url, admin.token, dovecot, 'all', { incoming: { importExisting: 'ALL' } });
    await Promise.all([none, days, all].map((a) => okStatus(a.id)));
    for (const user of ['none', 'days', 'all']) await dovecot.deliver(user, buildMail({ subject: `Arrived later ${user}` }).raw);
    await waitFor(async () => (await subjects('Arrived later')).length === 3, 'new mail in all three');
    expect(await subjects('Existing')).toEqual(['Existing old all', 'Existing recent all', 'Existing recent days']);
  });

  it('backfills mail that arrived while the account was inactive', async () => {
    // Its own mailbox, synced once (the importer sits in IDLE) before it is switched off.
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'backfill', { incoming: { importExisting: 'ALL' } });
    await okStatus(account.id);
    await waitFor(async () => (await dovecot.sessions()).some((s) => s.user === 'backfill' && s.command === 'IDLE'), 'the first sync');
    await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { active } }`, { id: account.id }, admin.token);
    await waitFor(() => !app.engine!.ownedMailboxes.includes(account.id), 'the mailbox to stop');
    await waitFor(async () => !(await dovecot.sessions()).some((s) => s.user === 'backfill'), 'its IMAP session to be closed');
    const logins = async () => (await dovecot.logLines()).filter((l) => l.includes('imap-login: Info: Login: user=<backfill>')).length;
    const loginsWhileActive = await logins();
    for (let i = 0; i < 3; i++) await dovecot.deliver('backfill', buildMail({ subject: `During downtime ${i}` }).raw, { seen: i === 0 });
    // A negative check, so a bounded wait: the engine brings its mailboxes in line with the accounts
    // on every lease heartbeat; two heartbeats on, a mailbox wrongly started again would have
    // logged in. Nobody did, and nothing was imported.
    await new Promise((r) => setTimeout(r, 2 * TEST_ENGINE_TIMING.heartbeatMs));
    expect(await logins()).toBe(loginsWhileActive);
    expect(await subjects('During downtime')).toEqual([]);
    await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: true) { active } }`, { id: account.id }, admin.token);
    await waitFor(async () => (await subjects('During downtime')).length === 3, 'the backfill');
  });

  it('deletes only imported messages older than N days from the server', async () => {
    const old = new Date(Date.now() - 3 * DAY);
    await dovecot.deliver('trash', buildMail({ subject: 'Old imported', date: old }).raw, { internalDate: old });
    await dovecot.deliver('trash', buildMail({ subject: 'Fresh imported' }).raw);
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'trash', { incoming: { importExisting: 'ALL', deleteAfterDays: 1 } });
    await okStatus(account.id);
    await waitFor(async () => (await subjects('imported')).length === 2, 'both imports');
    await waitFor(async () => (await inbox('trash')).map((m) => m.subject).join() === 'Fresh imported', 'the old message to be deleted on the server');
    expect(await subjects('imported')).toEqual(['Fresh imported', 'Old imported']);
  });

  it('refuses to import the Sent, Drafts, Trash or Junk folders', async () => {
    await connectDovecotAccount(app.url, admin.token, dovecot, 'folders');
    const r = await connectDovecotAccount(app.url, admin.token, dovecot, 'folders', { incoming: { folder: 'Trash' }, account: { name: 'Trash folder', address: 'trashfolder@acme.example' } }).catch((e: Error) => e);
    // Same host+user as an existing account but another folder: allowed to save, refused when syncing.
    expect(r).not.toBeInstanceOf(Error);
    const id = (r as { id: string }).id;
    const account = await waitFor(async () => {
      const s = (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } lastErrors { code phase message } } }`, { id }, admin.token)).emailAccount;
      return s.status.incoming.state === 'ERROR' && s;
    }, 'an ERROR status');
    expect(account.lastErrors[0]).toMatchObject({ code: 'FOLDER_NOT_ALLOWED', phase: 'MAILBOX' });
    expect(account.lastErrors[0].message).toMatch(/Trash folder; Correio never imports it/);
  });
});
