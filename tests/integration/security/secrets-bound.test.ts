import { accountSecretContext, bindAccountSecrets, schema } from '@correio/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT } from '../../helpers/fragments.ts';
import { gql, gqlOk } from '../../helpers/graphql.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { TEST_SETTINGS, testAccount } from '../../helpers/status.ts';

// Issue 10 §3 (A13): a saved password is only ever sent to the host, port, user name and
// mechanism it was saved with. The "attacker" here is an admin (or a stolen admin session)
// that repoints a saved account at a server it controls and hopes the stored password follows.

const PASSWORD = 'Saved-Smtp-Pa55word';
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let real: SmtpSink;
let evil: SmtpSink;

beforeAll(async () => {
  real = await startSmtpSink({ tls: 'none', auth: { user: 'mailer', pass: PASSWORD } });
  evil = await startSmtpSink({ tls: 'none', auth: { user: 'mailer', pass: 'anything' } });
  app = await startTestApp({ CORREIO_ROLE: 'api', CORREIO_CHECK_TIMEOUT_SECONDS: '3' });
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([real?.stop(), evil?.stop()]);
});

function sendOnly(outgoing: Record<string, unknown> = {}) {
  return {
    name: 'Envio',
    kind: 'EXTERNAL',
    address: 'envio@acme.example',
    incoming: null,
    outgoing: { host: '127.0.0.1', port: real.port, encryption: 'NONE', requiresAuth: true, useSeparateIdentity: true, username: 'mailer', authMechanism: 'PLAIN', ...outgoing },
  };
}

const secretRequired = (r: Awaited<ReturnType<typeof gql>>) => {
  expect(r.errors?.[0]?.extensions?.['code']).toBe('SECRET_REQUIRED');
  const fields = r.errors![0]!.extensions!['fields'] as Array<{ path: string[]; code: string; message: string }>;
  expect(fields[0]).toMatchObject({ path: ['input', 'outgoing', 'password'], code: 'SECRET_REQUIRED' });
  expect(fields[0]!.message).toMatch(/Type the password again/);
  return fields[0]!;
};

describe('a stored secret stays with its server (A13)', () => {
  let id: string;
  beforeAll(async () => {
    id = (await gqlOk(app.url, CREATE_ACCOUNT, { input: sendOnly({ password: PASSWORD }) }, admin.token)).createEmailAccount.id;
  });

  it('works with the server it was saved for, and keeps working when unrelated settings change', async () => {
    expect((await testAccount(app.url, admin.token, id)).outgoing.state).toBe('OK');
    const renamed = await gqlOk(app.url, UPDATE_ACCOUNT, { id, input: { ...sendOnly(), name: 'Envio renomeado', brand: { name: 'Acme', url: null } } }, admin.token);
    expect(renamed.updateEmailAccount.outgoing.hasPassword).toBe(true);
    expect((await testAccount(app.url, admin.token, id)).outgoing.state).toBe('OK');
    expect(real.authLog.filter((a) => a.ok).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['another host', () => ({ host: 'localhost' })],
    ['another port', () => ({ port: evil.port })],
    ['another user name', () => ({ username: 'someone-else' })],
    ['another mechanism', () => ({ authMechanism: 'LOGIN' })],
  ])('testEmailSettings with %s and no new password sends nothing anywhere', async (_what, change) => {
    const before = { real: real.connections, evil: evil.connections };
    const r = await gql(app.url, TEST_SETTINGS, { accountId: id, input: sendOnly(change()) }, admin.token);
    secretRequired(r);
    expect({ real: real.connections, evil: evil.connections }).toEqual(before);
  });

  it('updateEmailAccount repointed without a password is refused and saves nothing', async () => {
    const [before] = await app.runtime.database.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, id));
    const r = await gql(app.url, UPDATE_ACCOUNT, { id, input: sendOnly({ port: evil.port }) }, admin.token);
    const field = secretRequired(r);
    expect(field.message).toContain(`127.0.0.1:${real.port}`);
    const [after] = await app.runtime.database.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, id));
    expect(after).toEqual(before);
    expect(evil.authAttempts).toBe(0);
  });

  it('with the password typed again, the new server is used (the admin knows it)', async () => {
    const r = await gqlOk(app.url, TEST_SETTINGS, { accountId: id, input: sendOnly({ port: evil.port, password: 'anything' }) }, admin.token);
    expect(r.testEmailSettings.outgoing.state).toBe('OK');
    expect(evil.authLog.map((a) => a.ok)).toEqual([true]);
  });

  it('a row changed behind the API’s back does not decrypt: the secret cannot be replayed to the new server', async () => {
    await app.runtime.database.db.update(schema.emailAccounts).set({ outgoingPort: evil.port }).where(eq(schema.emailAccounts.id, id));
    const before = evil.authAttempts;
    const status = await testAccount(app.url, admin.token, id);
    expect(status.outgoing).toMatchObject({ state: 'ERROR', code: 'NOT_CONFIGURED' });
    expect(status.outgoing.hint).toMatch(/type the password again/i);
    expect(evil.authAttempts).toBe(before);
    await app.runtime.database.db.update(schema.emailAccounts).set({ outgoingPort: real.port }).where(eq(schema.emailAccounts.id, id));
  });

  it('the incoming password shared with SMTP is bound to both servers', async () => {
    const shared = {
      name: 'Compartilhada',
      kind: 'EXTERNAL',
      address: 'shared@acme.example',
      incoming: { enabled: false, protocol: 'IMAP', host: 'imap.acme.example', encryption: 'SSL_TLS', username: 'mailer', password: PASSWORD },
      outgoing: { host: '127.0.0.1', port: real.port, encryption: 'NONE', requiresAuth: true, authMechanism: 'PLAIN' },
    };
    const sharedId = (await gqlOk(app.url, CREATE_ACCOUNT, { input: shared }, admin.token)).createEmailAccount.id;
    const moved = { ...shared, incoming: { ...shared.incoming, password: null }, outgoing: { ...shared.outgoing, port: evil.port } };
    const r = await gql(app.url, UPDATE_ACCOUNT, { id: sharedId, input: moved }, admin.token);
    expect(r.errors?.[0]?.extensions?.['code']).toBe('SECRET_REQUIRED');
    expect((r.errors![0]!.extensions!['fields'] as Array<{ path: string[] }>)[0]!.path).toEqual(['input', 'incoming', 'password']);
  });

  it('secrets saved before binding existed are bound to their settings at start-up, and still work', async () => {
    const [row] = await app.runtime.database.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, id));
    // What the previous release stored: the same cipher, bound to the account only.
    const legacy = app.runtime.secrets.seal(PASSWORD, `account:${id}:outgoing-password`).replace(/^v2\./, 'v1.');
    await app.runtime.database.db.update(schema.emailAccounts).set({ outgoingPasswordSealed: legacy }).where(eq(schema.emailAccounts.id, id));
    // What every start-up runs (createRuntime) before the API or the engine reads a secret.
    expect(await bindAccountSecrets(app.runtime.database.db, app.runtime.secrets, app.runtime.logger)).toBe(1);
    const [bound] = await app.runtime.database.db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, id));
    expect(bound!.outgoingPasswordSealed).toMatch(/^v2\./);
    expect(app.runtime.secrets.open(bound!.outgoingPasswordSealed!, accountSecretContext(id, 'outgoing-password', row!))).toBe(PASSWORD);
    expect((await testAccount(app.url, admin.token, id)).outgoing.state).toBe('OK');
  });
});
