import { schema } from '@correio/core';
import { AccountChecker, directionStatus, StatusRecorder } from '@correio/mail-engine';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../../helpers/graphql.ts';
import {
  accountStatus,
  createAccount,
  incomingInput,
  REFRESH,
  startScriptedImap,
  startSilentServer,
  STATUS_SUBSCRIPTION,
  testAccount,
  type TestServer,
} from '../../helpers/status.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 4, the live side: subscriptions, refresh of a whole workspace, live traffic feeding the
// same status, deactivation, and the 30-minute INTERMITTENT → ERROR promotion.

const CHECK_TIMEOUT_S = 2;
const FLAKY_LOGIN_ANSWER = 'NO [UNAVAILABLE] Temporary authentication failure';
let dovecot: Dovecot;
let silent: TestServer;
// Started before the app, which connects only to the loopback ports the tests registered.
let flakyImap: Awaited<ReturnType<typeof startScriptedImap>>;
let readTimeImap: Awaited<ReturnType<typeof startScriptedImap>>;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  dovecot = await startDovecot({
    users: [
      { user: 'support', password: 'secret' },
      { user: 'live', password: 'secret' },
      { user: 'healthy1', password: 'secret' },
      { user: 'healthy2', password: 'secret' },
      { user: 'wrong', password: 'secret' },
    ],
  });
  silent = await startSilentServer();
  flakyImap = await startScriptedImap(FLAKY_LOGIN_ANSWER);
  readTimeImap = await startScriptedImap('NO [UNAVAILABLE] Temporary authentication failure');
  app = await startTestApp({ CORREIO_CHECK_TIMEOUT_SECONDS: String(CHECK_TIMEOUT_S) });
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await silent?.stop();
  await flakyImap?.stop();
  await readTimeImap?.stop();
  await dovecot?.stop();
});

const create = (input: Record<string, unknown>) => createAccount(app.url, admin.token, input);
const stateOf = (event: any) => event.data?.accountStatusChanged?.status?.incoming?.state;

describe('accountStatusChanged over graphql-ws', () => {
  it('delivers CHECKING, then the result of a test', async () => {
    const id = await create(incomingInput('Silent', { port: silent.port }));
    const client = wsClient(app.url, admin.token);
    const open = app.subscriptions.open;
    const sub = subscribe(client, STATUS_SUBSCRIPTION, { accountId: id });
    try {
      await subscriptionsOpen(app, open + 1);
      const result = testAccount(app.url, admin.token, id);
      const [first] = await sub.next(1);
      expect(stateOf(first)).toBe('CHECKING');
      const final = await waitFor(() => sub.events.find((e) => stateOf(e) === 'INTERMITTENT'), 'the result event', (CHECK_TIMEOUT_S + 3) * 1000);
      expect(final.data!.accountStatusChanged.status.incoming).toMatchObject({ code: 'TIMEOUT', checks: expect.arrayContaining([expect.objectContaining({ phase: 'GREETING', ok: false })]) });
      expect((await result).incoming.state).toBe('INTERMITTENT');
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
  });

  it('is for admins only, and scoped to the caller’s workspace', async () => {
    const other = await signUp(app.url);
    const theirs = await create(incomingInput('Theirs', { port: 1, username: 'theirs' }));
    // The other workspace's own built-in account: a check of it is an event its subscriber must get.
    const otherBuiltin = (await gqlOk(app.url, `{ emailAccounts { id kind } }`, {}, other.token)).emailAccounts.find((a: { kind: string }) => a.kind === 'BUILTIN').id;
    const client = wsClient(app.url, other.token);
    const open = app.subscriptions.open;
    const sub = subscribe(client, STATUS_SUBSCRIPTION, {});
    try {
      await subscriptionsOpen(app, open + 1);
      await testAccount(app.url, admin.token, theirs);
      // None of that check's events reached the other workspace: a check of its own, run after
      // ours, reaches its subscriber (one subscription's events arrive in publishing order), and
      // every event that subscriber got is about its own account.
      await testAccount(app.url, other.token, otherBuiltin);
      await waitFor(() => sub.events.some((e) => e.data?.accountStatusChanged?.id === otherBuiltin && stateOf(e) !== 'CHECKING'), 'the other workspace’s own check result', 5000);
      expect(sub.events.filter((e) => e.data?.accountStatusChanged?.id !== otherBuiltin)).toEqual([]);
      // …and the other workspace cannot test our account either.
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}` },
        body: JSON.stringify({ query: `mutation($id: ID!) { testEmailAccount(id: $id) { overall } }`, variables: { id: theirs } }),
      });
      expect((await res.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }

    const email = `agent-${Date.now()}@acme.example`;
    await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { role } }`, { input: { name: 'Agente', email, password: 'agent password 1', role: 'AGENT' } }, admin.token);
    const agent = (await gqlOk(app.url, `mutation($e: String!) { login(email: $e, password: "agent password 1") { token } }`, { e: email })).login.token;
    const refused = await gql(app.url, `mutation { refreshAccountStatuses { id } }`, {}, agent);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const agentClient = wsClient(app.url, agent);
    const agentSub = subscribe(agentClient, STATUS_SUBSCRIPTION, {});
    try {
      await expect(agentSub.next(1, 5000)).resolves.toEqual([expect.objectContaining({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })] })]);
    } finally {
      agentSub.dispose();
      await agentClient.dispose();
      await subscriptionsClosed(app, open);
    }
  });
});

describe('refreshAccountStatuses', () => {
  it('puts every account in CHECKING at once, returns, and streams each result as it arrives; a silent server delays nobody', async () => {
    const { token } = await signUp(app.url);
    const mk = (input: Record<string, unknown>) => createAccount(app.url, token, input);
    const healthy = [await mk(incomingInput('Healthy1', { port: dovecot.imapPort })), await mk(incomingInput('Healthy2', { port: dovecot.imapPort }))];
    const wrong = await mk(incomingInput('Wrong', { port: dovecot.imapPort, password: 'not-it' }));
    const slow = await mk(incomingInput('Slow', { port: silent.port, username: 'slow' }));
    // Let the live importer settle first so the events below come from the refresh.
    await waitFor(async () => (await accountStatus(app.url, token, healthy[0]!)).status.incoming.state === 'OK', 'the importer to connect');

    const client = wsClient(app.url, token);
    const open = app.subscriptions.open;
    const sub = subscribe(client, STATUS_SUBSCRIPTION, {});
    try {
      await subscriptionsOpen(app, open + 1);
      const started = Date.now();
      const refreshed = (await gqlOk(app.url, REFRESH, {}, token)).refreshAccountStatuses;
      const returnedAfter = Date.now() - started;
      expect(returnedAfter).toBeLessThan(1000);
      const external = refreshed.filter((a: any) => [...healthy, wrong, slow].includes(a.id));
      expect(external.map((a: any) => a.status.incoming.state)).toEqual(['CHECKING', 'CHECKING', 'CHECKING', 'CHECKING']);

      const arrival = new Map<string, { state: string; at: number }>();
      await waitFor(
        () => {
          for (const e of sub.events) {
            const account = e.data?.accountStatusChanged;
            const state = account?.status.incoming.state;
            if (account && state !== 'CHECKING' && !arrival.has(account.id)) arrival.set(account.id, { state, at: Date.now() - started });
          }
          return [...healthy, wrong, slow].every((id) => arrival.has(id));
        },
        'every result',
        (CHECK_TIMEOUT_S * 1.5 + 2) * 1000,
        20,
      );
      expect(healthy.map((id) => arrival.get(id)!.state)).toEqual(['OK', 'OK']);
      expect(arrival.get(wrong)!.state).toBe('ERROR');
      expect(arrival.get(slow)!.state).toBe('INTERMITTENT');
      for (const id of [...healthy, wrong]) expect(arrival.get(id)!.at).toBeLessThan(CHECK_TIMEOUT_S * 1000);
      expect(arrival.get(slow)!.at).toBeLessThan(CHECK_TIMEOUT_S * 1500);
      // The built-in account was re-tested too (receiver OK, no relay → ERROR); that check needs
      // no network, so it may already be over by the time the list is returned.
      const builtin = refreshed.find((a: any) => ![...healthy, wrong, slow].includes(a.id));
      await waitFor(async () => (await accountStatus(app.url, token, builtin.id)).status.outgoing.code === 'RELAY_NOT_CONFIGURED', 'the built-in account’s result');
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
  });
});

describe('one status for checks and live traffic', () => {
  it('turns ERROR when the live importer’s login starts failing, without any check, and OK again after a test', async () => {
    const id = await create(incomingInput('Live', { port: dovecot.imapPort }));
    await waitFor(async () => (await accountStatus(app.url, admin.token, id)).status.incoming.state === 'OK', 'the importer to connect');
    await dovecot.setPassword('live', 'changed-by-the-customer');
    try {
      await dovecot.restart();
      const failed = await waitFor(async () => {
        const a = await accountStatus(app.url, admin.token, id);
        return a.status.incoming.state === 'ERROR' && a;
      }, 'the importer to report the refused login');
      expect(failed.status.incoming.code).toBe('AUTH_FAILED');
      expect(failed.status.incoming.lastCheckAt).toBeNull(); // no check ran: this came from live traffic
      expect(failed.lastErrors[0]).toMatchObject({ code: 'AUTH_FAILED', phase: 'AUTH', direction: 'INCOMING' });
    } finally {
      await dovecot.setPassword('live', 'secret');
    }
    expect((await testAccount(app.url, admin.token, id)).incoming.state).toBe('OK');
  });

  it('shows DISABLED once deactivated (and tells subscribers), and does not check it', async () => {
    const id = await create(incomingInput('Support', { port: dovecot.imapPort }));
    const client = wsClient(app.url, admin.token);
    const open = app.subscriptions.open;
    const sub = subscribe(client, STATUS_SUBSCRIPTION, { accountId: id });
    try {
      await subscriptionsOpen(app, open + 1);
      await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { id } }`, { id }, admin.token);
      await waitFor(() => sub.events.some((e) => stateOf(e) === 'DISABLED'), 'the DISABLED event', 5000);
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
    const before = (await accountStatus(app.url, admin.token, id)).lastErrors.length;
    const status = await testAccount(app.url, admin.token, id);
    expect(status).toMatchObject({ overall: 'DISABLED', incoming: { state: 'DISABLED', message: 'The account is inactive.' }, outgoing: { state: 'DISABLED' } });
    expect((await accountStatus(app.url, admin.token, id)).lastErrors.length).toBe(before);
  });
});

describe('INTERMITTENT and its promotion to ERROR after 30 minutes', () => {
  it('keeps NO [UNAVAILABLE] INTERMITTENT until 29:59 and makes it ERROR at 30:00 on a fake clock; a recovery stays INTERMITTENT for 30 more minutes', async () => {
    const imap = flakyImap;
    {
      // Receiving switched off in the database, so the live importer never touches this status;
      // the checker gets the row as if it were on.
      const id = await create(incomingInput('Flaky', { port: imap.port, enabled: false }));
      const [row] = await app.runtime.database.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, id));
      const account = { ...row!, incomingEnabled: true };

      const at = (minutes: number) => new Date(Date.parse('2026-11-21T10:00:00Z') + minutes * 60_000);
      let now = at(0);
      const recorder = new StatusRecorder(app.runtime, 30 * 60_000, () => now);
      const checker = new AccountChecker(app.runtime, recorder, { timeoutMs: 2000 });
      const stored = async () => (await app.runtime.database.db.select().from(schema.accountStatuses).where(eq(schema.accountStatuses.accountId, id))).find((r) => r.direction === 'INCOMING')!;
      const shownAt = async (minutes: number) => directionStatus(account, 'INCOMING', await stored(), at(minutes)).state;

      const first = await checker.check(account);
      expect(first.incoming.error).toMatchObject({ code: 'SERVER_UNAVAILABLE', transient: true, phase: 'AUTH' });
      expect(await stored()).toMatchObject({ state: 'INTERMITTENT', since: at(0) });

      now = at(29);
      await checker.check(account);
      // Still the same episode: `since` is when it began, not the latest check.
      expect(await stored()).toMatchObject({ state: 'INTERMITTENT', since: at(0) });
      expect(await shownAt(29.99)).toBe('INTERMITTENT');
      expect(await shownAt(30)).toBe('ERROR'); // read time: no event needed

      now = at(30);
      await checker.check(account);
      expect(await stored()).toMatchObject({ state: 'ERROR', since: at(30) });

      // The provider recovers at 40 minutes: INTERMITTENT (it was flaky just now), OK 30 minutes later.
      imap.setLoginAnswer('OK logged in');
      try {
        now = at(40);
        const recovered = await checker.check(account);
        expect(recovered.incoming.ok).toBe(true);
        expect((await stored()).state).toBe('INTERMITTENT');
        expect(await shownAt(69.9)).toBe('INTERMITTENT');
        expect(await shownAt(70)).toBe('OK');
      } finally {
        imap.setLoginAnswer(FLAKY_LOGIN_ANSWER);
      }
    }
  });

  it('computes the state at read time: a transient failure stored 31 minutes ago is ERROR now, without any event', async () => {
    const imap = readTimeImap;
    {
      const id = await create(incomingInput('ReadTime', { port: imap.port }));
      await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { id } }`, { id }, admin.token);
      await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: true) { id } }`, { id }, admin.token);
      const status = await testAccount(app.url, admin.token, id);
      expect(status.incoming).toMatchObject({ state: 'INTERMITTENT', code: 'SERVER_UNAVAILABLE' });
      // Pretend the streak began 31 minutes ago.
      const longAgo = new Date(Date.now() - 31 * 60_000);
      await app.runtime.database.db
        .update(schema.accountStatuses)
        .set({ failingSince: longAgo })
        .where(eq(schema.accountStatuses.accountId, id));
      const later = await accountStatus(app.url, admin.token, id);
      expect(later.status.incoming).toMatchObject({ state: 'ERROR', code: 'SERVER_UNAVAILABLE' });
    }
  });
});
