import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { accountStatus, REFRESH } from '../../helpers/status.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 17: "Refresh" on the accounts screen checks a mailbox that has a live IMAP connection
// through that connection (NOOP) instead of a second login beside it — Gmail allows 15
// connections per account — logs in anew only where no connection is up, and a workspace
// cannot start a second refresh while one runs. Observed in Dovecot's log and rawlog.

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;

const logins = async (user: string) => (await dovecot.logLines()).filter((l) => l.includes(`Login: user=<${user}>`)).length;
const failedLogins = async (user: string) => (await dovecot.logLines()).filter((l) => l.includes(`passwd-file(${user},`) && l.includes('Password mismatch')).length;
const noops = async (user: string) => (await dovecot.imapCommands(user)).flat().filter((c) => /^NOOP\b/i.test(c)).length;
const incoming = async (id: string) => (await accountStatus(app.url, admin.token, id)).status.incoming;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'alive', password: 'pw-alive' }, { user: 'broken', password: 'pw-broken' }], rawlog: true });
  app = await startTestApp();
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('status refresh through live connections (issue 17)', () => {
  it('checks a connected mailbox with a NOOP on its own session, re-logs in only the one without a connection, and runs one refresh at a time per workspace', async () => {
    const alive = await connectDovecotAccount(app.url, admin.token, dovecot, 'alive');
    const broken = await connectDovecotAccount(app.url, admin.token, dovecot, 'broken', { incoming: { password: 'not-the-password' } });
    await waitFor(async () => (await incoming(alive.id)).state === 'OK' && (await dovecot.sessions()).some((s) => s.user === 'alive' && s.command === 'IDLE'), 'the mailbox in IDLE');
    // Refused by its worker's first login, which now backs off for a minute or more (a refused
    // login is not transient).
    await waitFor(async () => (await incoming(broken.id)).state === 'ERROR' && (await failedLogins('broken')) >= 1, 'the broken mailbox in ERROR');
    const aliveLogins = await logins('alive');
    const brokenFailures = await failedLogins('broken');
    const noopsBefore = await noops('alive');

    // Two clicks at once (two admins, or two API processes): one refresh runs, the other answers
    // with the statuses as they are.
    const [refreshed, concurrent] = await Promise.all([0, 1].map(async () => (await gqlOk(app.url, REFRESH, {}, admin.token)).refreshAccountStatuses));
    expect([refreshed, concurrent].map((r) => r.find((a: any) => a.id === alive.id).status.incoming.state)).toContain('CHECKING');
    await waitFor(async () => (await incoming(alive.id)).state === 'OK', 'the live check of the connected mailbox', 5000, 50);
    await waitFor(async () => (await incoming(broken.id)).state === 'ERROR' && (await failedLogins('broken')) > brokenFailures, 'the broken mailbox checked by a login', 5000, 50);

    // Through the live session: one NOOP more, no new login. The broken one has no session: it
    // gets exactly one new login attempt (the check's; its worker stays in its backoff).
    expect(await noops('alive')).toBe(noopsBefore + 1);
    expect(await logins('alive')).toBe(aliveLogins);
    await new Promise((r) => setTimeout(r, 500));
    expect(await failedLogins('broken')).toBe(brokenFailures + 1);
    // Still IDLE afterwards: new mail is seen as before.
    await waitFor(async () => (await dovecot.sessions()).some((s) => s.user === 'alive' && s.command === 'IDLE'), 'IDLE again after the check');

    // Once it is over, a refresh checks again (an admin who just fixed something expects it).
    await waitFor(async () => {
      await gqlOk(app.url, REFRESH, {}, admin.token);
      return (await noops('alive')) >= noopsBefore + 2;
    }, 'a later refresh to check again', 5000, 200);
  });
});
