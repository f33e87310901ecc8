// Issue 13 on real parts, through the API as the SPA drives it: a real OpenID provider
// (oidc-provider, its own login and consent pages, access tokens of a few seconds, rotating
// refresh tokens), Dovecot checking every IMAP/POP3 token at the provider's introspection
// endpoint, and an SMTP server doing the same for XOAUTH2. Consent → account → mail → reply →
// refreshes → revocation → OAUTH_REAUTH_REQUIRED → reconnect → the mail of the gap, once.
import { schema } from '@correio/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gql, gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { startOidcProvider, type OidcProvider } from '../../helpers/oidc-provider.ts';
import { outboundEngineOptions, reply, waitForDelivery } from '../../helpers/outbound.ts';
import { freePort } from '../../helpers/ports.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

const MAILBOX = 'suporte@acme.example';
const POP_MAILBOX = 'vendas@acme.example';
const ACCESS_TOKEN_SECONDS = 4;

let provider: OidcProvider;
let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let publicUrl: string;
let admin: Awaited<ReturnType<typeof signUp>>;

const START = `mutation($p: OAuthProvider!, $a: ID, $addr: String) { startOAuthConnection(provider: $p, accountId: $a, address: $addr) { authorizationUrl expiresAt } }`;
const STATUS = `query($id: ID!) { emailAccount(id: $id) { id status { incoming { state code message } outgoing { state code } } oauth { provider identity needsReconnect failure lastRefreshAt } } }`;
const TEST = `mutation($id: ID!) { testEmailAccount(id: $id) { incoming { state code checks { phase ok code detail } } outgoing { state code checks { phase ok code detail } } } }`;
const CREATE = `mutation($input: EmailAccountInput!) { createEmailAccount(input: $input) { id address oauth { provider identity } incoming { username hasPassword } outgoing { authMechanism hasPassword } } }`;

/** What the SPA does: the mutation over HTTP (its response sets the browser-binding cookie). */
async function startConsent(token: string, variables: Record<string, unknown>): Promise<{ url: string; cookie: string }> {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: START, variables }) });
  const body = (await res.json()) as { data?: { startOAuthConnection: { authorizationUrl: string } }; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('correio_oauth_'));
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  return { url: body.data!.startOAuthConnection.authorizationUrl, cookie: cookie!.split(';')[0]! };
}

/** The browser arriving back at Correio's callback; returns where Correio sends it next. */
async function callback(providerRedirect: URL, cookie: string | null): Promise<URL> {
  expect(`${providerRedirect.origin}${providerRedirect.pathname}`).toBe(`${publicUrl}/oauth/callback`);
  const res = await fetch(`${app.url}/oauth/callback${providerRedirect.search}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!, publicUrl);
}

async function connect(login: string, token = admin.token, variables: Record<string, unknown> = { p: 'MICROSOFT' }): Promise<URL> {
  const { url, cookie } = await startConsent(token, variables);
  return callback(await provider.consent(url, login), cookie);
}

function oauthAccountInput(connectionId: string, address: string, protocol: 'IMAP' | 'POP3' = 'IMAP') {
  return {
    name: `OAuth ${address}`,
    kind: 'EXTERNAL',
    address,
    providerId: 'outlook',
    oauthConnectionId: connectionId,
    incoming: { enabled: true, protocol, host: '127.0.0.1', port: protocol === 'IMAP' ? dovecot.imapPort : dovecot.pop3Port, encryption: 'NONE', username: address },
    outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: true, authMechanism: 'XOAUTH2' },
  };
}

async function ticketsFrom(subjectPrefix: string): Promise<string[]> {
  const data = await gqlOk(app.url, `query($s: String) { tickets(first: 50, filter: { search: $s }) { edges { node { id subject } } } }`, { s: subjectPrefix }, admin.token);
  return data.tickets.edges.map((e: any) => e.node.subject).filter((s: string) => s.startsWith(subjectPrefix));
}

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ redirectUris: [`${publicUrl}/oauth/callback`], accessTokenTtlSeconds: ACCESS_TOKEN_SECONDS });
  [dovecot, sink] = await Promise.all([
    startDovecot({ users: [{ user: MAILBOX, password: 'never-used' }, { user: POP_MAILBOX, password: 'never-used' }], oauth2: { introspectionUrl: provider.introspectionUrl } }),
    startSmtpSink({ tls: 'none', authMethods: ['XOAUTH2'], oauth2Introspection: provider.introspectionUrl }),
  ]);
  app = await startTestApp(
    {
      PORT: String(port),
      CORREIO_PUBLIC_URL: publicUrl,
      CORREIO_MICROSOFT_CLIENT_ID: provider.client.id,
      CORREIO_MICROSOFT_CLIENT_SECRET: provider.client.secret,
      CORREIO_OAUTH_MICROSOFT_ISSUER: provider.issuer,
    },
    outboundEngineOptions(),
  );
  admin = await signUp(app.url, { name: 'Beatriz Admin' });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await Promise.all([dovecot?.stop(), sink?.stop()]);
  await provider?.close();
});

describe('what the install offers', () => {
  it('lists both providers; one without an app configured is off, naming the variables to set', async () => {
    const { oauthProviders } = await gqlOk(app.url, `{ oauthProviders { provider configured missingSettings redirectUri incomingHost outgoingPort } }`, {}, admin.token);
    expect(oauthProviders).toEqual([
      { provider: 'GOOGLE', configured: false, missingSettings: ['CORREIO_GOOGLE_CLIENT_ID', 'CORREIO_GOOGLE_CLIENT_SECRET'], redirectUri: `${publicUrl}/oauth/callback`, incomingHost: 'imap.gmail.com', outgoingPort: 587 },
      { provider: 'MICROSOFT', configured: true, missingSettings: [], redirectUri: `${publicUrl}/oauth/callback`, incomingHost: 'outlook.office365.com', outgoingPort: 587 },
    ]);
    const refused = await gql(app.url, START, { p: 'GOOGLE' }, admin.token);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('OAUTH_CLIENT_MISCONFIGURED');
    expect(refused.errors?.[0]?.message).toContain('CORREIO_GOOGLE_CLIENT_ID');
  });

  it('agents and strangers cannot start a consent', async () => {
    expect((await gql(app.url, START, { p: 'MICROSOFT' })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('a Microsoft 365 mailbox connected with OAuth', () => {
  let accountId: string;

  it('consent → account filled from the identity → live IMAP with the token Dovecot checks', async () => {
    const back = await connect(MAILBOX);
    expect(back.searchParams.get('oauthDetail')).toBeNull();
    expect(back.pathname).toBe('/settings/email/accounts/new');
    const connectionId = back.searchParams.get('oauthConnection')!;
    const { oauthConnection } = await gqlOk(app.url, `query($id: ID!) { oauthConnection(id: $id) { id provider identity } }`, { id: connectionId }, admin.token);
    expect(oauthConnection).toEqual({ id: connectionId, provider: 'MICROSOFT', identity: MAILBOX });

    const { createEmailAccount: created } = await gqlOk(app.url, CREATE, { input: oauthAccountInput(connectionId, oauthConnection.identity) }, admin.token);
    accountId = created.id;
    expect(created).toMatchObject({ oauth: { provider: 'MICROSOFT', identity: MAILBOX }, incoming: { username: MAILBOX, hasPassword: false }, outgoing: { authMechanism: 'XOAUTH2' } });
    // The consent is used up: it cannot make a second account.
    expect((await gql(app.url, CREATE, { input: oauthAccountInput(connectionId, 'outra@acme.example') }, admin.token)).errors?.[0]?.extensions?.['code']).toBe('OAUTH_CONNECTION_INVALID');

    const { testEmailAccount } = await gqlOk(app.url, TEST, { id: accountId }, admin.token);
    expect(testEmailAccount.incoming.state).toBe('OK');
    const phases = testEmailAccount.incoming.checks.map((c: any) => c.phase);
    expect(phases.slice(0, 2)).toEqual(['CONFIG', 'OAUTH']);
    expect(phases.slice(-2)).toEqual(['AUTH', 'MAILBOX']);
    expect(testEmailAccount.incoming.checks.find((c: any) => c.phase === 'AUTH').detail).toContain('with OAuth');
    expect(testEmailAccount.outgoing.state).toBe('OK');
    expect(testEmailAccount.outgoing.checks.map((c: any) => c.phase)).toContain('OAUTH');

    await dovecot.deliver(MAILBOX, buildMail({ from: 'cliente@example.org', to: MAILBOX, subject: 'OAuth-1 pedido' }).raw);
    await waitFor(async () => (await ticketsFrom('OAuth-1')).length === 1, 'the mail to become a ticket', 30_000);
  });

  it('the reply goes out through XOAUTH2 SMTP, and tokens keep being refreshed and rotated as they expire', async () => {
    const data = await gqlOk(app.url, `query { tickets(first: 5, filter: { search: "OAuth-1" }) { edges { node { id } } } }`, {}, admin.token);
    const ticketId = data.tickets.edges[0].node.id;
    const refreshesBefore = provider.refreshes();
    // Several access-token lifetimes pass: every send and reconnect needs a refreshed token.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, ACCESS_TOKEN_SECONDS * 1000));
      const action = await reply(app, admin.token, ticketId, { text: `Resposta ${i}` });
      await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', `reply ${i} to be sent`);
    }
    expect(sink.messages.filter((m) => m.user === MAILBOX)).toHaveLength(3);
    expect(sink.authLog.filter((a) => a.method === 'XOAUTH2' && a.ok).length).toBeGreaterThanOrEqual(3);
    // Each refresh used the rotated token the one before saved (the provider consumes used ones).
    expect(provider.refreshes() - refreshesBefore).toBeGreaterThanOrEqual(3);
    const [grant] = await app.db.handle.db.select().from(schema.oauthGrants).where(eq(schema.oauthGrants.accountId, accountId));
    expect(grant!.failureCode).toBeNull();
    expect(grant!.refreshCount).toBeGreaterThanOrEqual(3);
    // New mail still arrives over the (reconnected) IMAP session.
    await dovecot.deliver(MAILBOX, buildMail({ from: 'cliente@example.org', to: MAILBOX, subject: 'OAuth-2 outra' }).raw);
    await waitFor(async () => (await ticketsFrom('OAuth-2')).length === 1, 'the second mail to become a ticket', 30_000);
  });

  it('a revoked grant turns the account ERROR OAUTH_REAUTH_REQUIRED within one check; Reconnect resumes it and imports the gap once', async () => {
    expect(await provider.revokeGrantsOf(MAILBOX)).toBeGreaterThan(0);
    const { testEmailAccount } = await gqlOk(app.url, TEST, { id: accountId }, admin.token);
    expect(testEmailAccount.incoming).toMatchObject({ state: 'ERROR', code: 'OAUTH_REAUTH_REQUIRED' });
    // Dovecot refused the revoked token (AUTH); the forced refresh that followed says why (OAUTH).
    const failed = testEmailAccount.incoming.checks.filter((c: any) => !c.ok);
    expect(failed.at(-1)).toMatchObject({ phase: 'OAUTH', code: 'OAUTH_REAUTH_REQUIRED', detail: expect.stringContaining('no longer accepts') });
    const { emailAccount } = await gqlOk(app.url, STATUS, { id: accountId }, admin.token);
    expect(emailAccount.oauth).toMatchObject({ needsReconnect: true, failure: expect.stringContaining('invalid_grant') });
    // The live mailbox stops and says so too (its worker restarts, and the grant is known to be gone).
    await waitFor(async () => (await gqlOk(app.url, STATUS, { id: accountId }, admin.token)).emailAccount.status.incoming.code === 'OAUTH_REAUTH_REQUIRED', 'the live status to stay ERROR');

    await dovecot.deliver(MAILBOX, buildMail({ from: 'cliente@example.org', to: MAILBOX, subject: 'OAuth-3 enquanto quebrado' }).raw);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ticketsFrom('OAuth-3')).toEqual([]);

    const back = await connect(MAILBOX, admin.token, { p: 'MICROSOFT', a: accountId });
    expect(back.pathname).toBe('/settings/email/accounts');
    expect(back.searchParams.get('oauthReconnected')).toBe(accountId);
    await waitFor(async () => {
      const { emailAccount: a } = await gqlOk(app.url, STATUS, { id: accountId }, admin.token);
      return a.status.incoming.state === 'OK' && !a.oauth.needsReconnect;
    }, 'the account to be OK again', 30_000);
    await waitFor(async () => (await ticketsFrom('OAuth-3')).length === 1, 'the mail of the gap to be imported', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ticketsFrom('OAuth-')).toHaveLength(3);
  });

  it('POP3 logs in with AUTH XOAUTH2 and imports', async () => {
    const back = await connect(POP_MAILBOX);
    const { createEmailAccount } = await gqlOk(app.url, CREATE, { input: oauthAccountInput(back.searchParams.get('oauthConnection')!, POP_MAILBOX, 'POP3') }, admin.token);
    const { testEmailAccount } = await gqlOk(app.url, TEST, { id: createEmailAccount.id }, admin.token);
    expect(testEmailAccount.incoming.state).toBe('OK');
    await dovecot.deliver(POP_MAILBOX, buildMail({ from: 'cliente@example.org', to: POP_MAILBOX, subject: 'OAuthPOP pedido' }).raw);
    await waitFor(async () => (await ticketsFrom('OAuthPOP')).length === 1, 'the POP3 mail to become a ticket', 30_000);
  });
});

describe('abuse of the consent', () => {
  it('a consent link finished in another browser (no binding cookie) attaches nothing', async () => {
    const { url } = await startConsent(admin.token, { p: 'MICROSOFT' });
    const back = await callback(await provider.consent(url, 'victim@acme.example'), null);
    expect(back.searchParams.get('oauthError')).toBe('OAUTH_CONNECTION_INVALID');
    expect(back.searchParams.get('oauthConnection')).toBeNull();
    const pending = await app.db.handle.db.select().from(schema.oauthGrants).where(eq(schema.oauthGrants.identity, 'victim@acme.example'));
    expect(pending).toEqual([]);
  });

  it('a callback is used once; a replay, a forged state or an expired consent are refused', async () => {
    const { url, cookie } = await startConsent(admin.token, { p: 'MICROSOFT' });
    const redirect = await provider.consent(url, 'replay@acme.example');
    expect((await callback(redirect, cookie)).searchParams.get('oauthConnection')).toBeTruthy();
    expect((await callback(redirect, cookie)).searchParams.get('oauthError')).toBe('OAUTH_CONNECTION_INVALID');
    const forged = new URL(redirect);
    forged.searchParams.set('state', 'forged-state');
    expect((await callback(forged, cookie)).searchParams.get('oauthError')).toBe('OAUTH_CONNECTION_INVALID');

    const late = await startConsent(admin.token, { p: 'MICROSOFT' });
    await app.db.handle.db.update(schema.oauthAuthorizations).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await callback(await provider.consent(late.url, 'late@acme.example'), late.cookie);
    expect(expired.searchParams.get('oauthError')).toBe('OAUTH_CONNECTION_INVALID');
    // Our own words, in the browser's language (none sent here: pt-BR).
    expect(expired.searchParams.get('oauthDetail')).toContain('expirou');
  });

  it('cancelling at the provider comes back with the provider’s refusal, and nothing is stored', async () => {
    const { url, cookie } = await startConsent(admin.token, { p: 'MICROSOFT' });
    const back = await callback(await provider.consent(url, 'cancel@acme.example', { abort: true }), cookie);
    expect(back.searchParams.get('oauthError')).toBe('OAUTH_REAUTH_REQUIRED');
    expect(back.searchParams.get('oauthDetail')).toContain('access_denied');
  });

  it('another workspace can neither see nor use a consent, nor reconnect an account that is not its own', async () => {
    const back = await connect('mine@acme.example');
    const connectionId = back.searchParams.get('oauthConnection')!;
    const stranger = await signUp(app.url, { name: 'Outra Empresa' });
    expect((await gqlOk(app.url, `query($id: ID!) { oauthConnection(id: $id) { id } }`, { id: connectionId }, stranger.token)).oauthConnection).toBeNull();
    expect((await gql(app.url, CREATE, { input: oauthAccountInput(connectionId, 'mine@acme.example') }, stranger.token)).errors?.[0]?.extensions?.['code']).toBe('OAUTH_CONNECTION_INVALID');
    const [account] = await app.db.handle.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.address, MAILBOX));
    expect((await gql(app.url, START, { p: 'MICROSOFT', a: account!.id }, stranger.token)).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  it('no token, code or verifier is ever logged or returned', async () => {
    const grants = await app.db.handle.db.select().from(schema.oauthGrants);
    const logs = app.logs.join('\n');
    for (const g of grants) {
      expect(g.accessTokenSealed).not.toBeNull();
      expect(logs).not.toContain(g.accessTokenSealed!.slice(-20));
    }
    expect(logs).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);
    expect(logs).not.toMatch(/[?&]code=[A-Za-z0-9_-]{20,}/);
  });
});
