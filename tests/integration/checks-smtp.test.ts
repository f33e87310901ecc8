import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { accountStatus, createAccount, TEST_SETTINGS, testAccount } from '../helpers/status.ts';

// Issue 4 without Dovecot: SMTP checks against `smtp-server`, the relay of built-in addresses,
// "save and test" of unsaved settings, and provider detection with an injected resolver.

let plain: SmtpSink;
let starttls: SmtpSink;
let unavailable: SmtpSink;
let tempAuth: SmtpSink;
let relay: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  plain = await startSmtpSink({ tls: 'none', auth: { user: 'mailer', pass: 'smtp-secret' } });
  starttls = await startSmtpSink({ tls: 'starttls', auth: { user: 'mailer', pass: 'smtp-secret' } });
  unavailable = await startSmtpSink({
    tls: 'none',
    serverOptions: { onConnect: (_s, cb) => cb(Object.assign(new Error('4.3.2 Too busy right now, come back later'), { responseCode: 421 })) },
  });
  tempAuth = await startSmtpSink({
    tls: 'none',
    auth: { user: 'mailer', pass: 'smtp-secret' },
    serverOptions: { onAuth: (_a, _s, cb) => cb(Object.assign(new Error('4.7.0 Temporary authentication failure'), { responseCode: 454 })) },
  });
  relay = await startSmtpSink({ tls: 'none', auth: { user: 'relay-user', pass: 'relay pass' } });
  app = await startTestApp({ CORREIO_ROLE: 'api', CORREIO_CHECK_TIMEOUT_SECONDS: '3', SMTP_RELAY_URL: `smtp://relay-user:relay%20pass@127.0.0.1:${relay.port}` });
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  for (const s of [plain, starttls, unavailable, tempAuth, relay]) await s?.stop();
});

function sendOnly(name: string, outgoing: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name,
    kind: 'EXTERNAL',
    address: `${name.toLowerCase()}@acme.example`,
    incoming: null,
    outgoing: { host: '127.0.0.1', encryption: 'NONE', requiresAuth: true, useSeparateIdentity: true, username: 'mailer', password: 'smtp-secret', ...outgoing },
    ...extra,
  };
}

const phases = (direction: { checks: Array<{ phase: string; ok: boolean }> }) => direction.checks.map((c) => `${c.phase}:${c.ok ? 'ok' : 'fail'}`);
const test = async (input: Record<string, unknown>) => testAccount(app.url, admin.token, await createAccount(app.url, admin.token, input));

describe('SMTP checks (no mail is ever sent)', () => {
  it('passes EHLO and AUTH, and shows what the server offers', async () => {
    const status = await test(sendOnly('Ok', { port: plain.port }));
    expect(status.outgoing.state).toBe('OK');
    expect(status.incoming.state).toBe('DISABLED');
    expect(status.overall).toBe('OK');
    expect(phases(status.outgoing)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:ok', 'AUTH:ok']);
    expect(status.outgoing.checks[3].detail).toMatch(/SMTP server ready: .*offers AUTH PLAIN LOGIN/);
    expect(plain.messages).toHaveLength(0);
    expect(plain.transactions).toBe(0);
  });

  it('reports a wrong SMTP password as ERROR / AUTH_FAILED with the provider’s hint', async () => {
    const status = await test(sendOnly('Wrong', { port: plain.port, password: 'nope' }, { providerId: 'outlook' }));
    expect(status.outgoing).toMatchObject({ state: 'ERROR', code: 'AUTH_FAILED', hint: expect.stringMatching(/Authenticated SMTP/) });
    expect(status.outgoing.checks.at(-1)).toMatchObject({ phase: 'AUTH', ok: false, serverResponse: expect.stringMatching(/^535/) });
  });

  it('treats a 421 greeting and a 454 answer to AUTH as temporary: INTERMITTENT', async () => {
    const busy = await test(sendOnly('Busy', { port: unavailable.port, requiresAuth: false }));
    expect(busy.outgoing).toMatchObject({ state: 'INTERMITTENT', code: 'SERVER_UNAVAILABLE' });
    // A greeting other than 220 is not echoed: until then the peer is not known to be a mail server (N5).
    expect(busy.outgoing.checks.at(-1)).toMatchObject({ phase: 'GREETING', transient: true, serverResponse: null, detail: expect.stringMatching(/reply 421/) });
    const temp = await test(sendOnly('TempAuth', { port: tempAuth.port }));
    expect(temp.outgoing).toMatchObject({ state: 'INTERMITTENT', code: 'SERVER_UNAVAILABLE' });
    expect(temp.outgoing.checks.at(-1)).toMatchObject({ phase: 'AUTH', transient: true, serverResponse: expect.stringMatching(/^454/) });
  });

  it('judges the certificate offered after STARTTLS, and refuses SSL/TLS on a plain port', async () => {
    const cert = await test(sendOnly('Cert', { port: starttls.port, encryption: 'STARTTLS' }));
    expect(cert.outgoing).toMatchObject({ state: 'ERROR', code: 'CERT_INVALID' });
    expect(phases(cert.outgoing)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:fail']);
    const mismatch = await test(sendOnly('Mismatch', { port: plain.port, encryption: 'SSL_TLS' }));
    expect(mismatch.outgoing).toMatchObject({ state: 'ERROR', code: 'TLS_MISMATCH' });
  });

  it('says when the chosen mechanism is not offered', async () => {
    const status = await test(sendOnly('Cram', { port: plain.port, authMechanism: 'CRAM_MD5' }));
    expect(status.outgoing).toMatchObject({ state: 'ERROR', code: 'AUTH_MECHANISM_UNSUPPORTED', message: 'The server does not offer AUTH CRAM-MD5; it offers PLAIN, LOGIN.' });
  });
});

describe('built-in accounts', () => {
  it('receive through Correio’s receiver and send through SMTP_RELAY_URL, which is checked like any server', async () => {
    const accounts = (await gqlOk(app.url, `query { emailAccounts { id kind } }`, {}, admin.token)).emailAccounts;
    const builtin = accounts.find((a: any) => a.kind === 'BUILTIN');
    const status = await testAccount(app.url, admin.token, builtin.id);
    expect(status.incoming).toMatchObject({ state: 'OK', checks: [expect.objectContaining({ phase: 'CONFIG', ok: true, detail: expect.stringMatching(/SMTP receiver/) })] });
    expect(status.outgoing.state).toBe('OK');
    expect(status.outgoing.checks[0].detail).toMatch(new RegExp(`Relay 127.0.0.1:${relay.port} from SMTP_RELAY_URL, user relay-user`));
    expect(relay.authLog.at(-1)).toMatchObject({ username: 'relay-user', ok: true });
    expect(JSON.stringify(status)).not.toContain('relay pass');
  });
});

describe('testEmailSettings (“save and test”)', () => {
  it('checks unsaved settings phase by phase and stores nothing', async () => {
    const ok = (await gqlOk(app.url, TEST_SETTINGS, { input: sendOnly('Unsaved', { port: plain.port }) }, admin.token)).testEmailSettings;
    expect(ok.outgoing.state).toBe('OK');
    expect(phases(ok.outgoing)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:ok', 'AUTH:ok']);
    const bad = (await gqlOk(app.url, TEST_SETTINGS, { input: sendOnly('Unsaved', { port: plain.port, password: 'typo' }) }, admin.token)).testEmailSettings;
    expect(bad.outgoing).toMatchObject({ state: 'ERROR', code: 'AUTH_FAILED' });
    const names = (await gqlOk(app.url, `query { emailAccounts { name } }`, {}, admin.token)).emailAccounts.map((a: any) => a.name);
    expect(names).not.toContain('Unsaved');
  });

  it('reuses the stored password of the account being edited when the form leaves it empty', async () => {
    const id = await createAccount(app.url, admin.token, sendOnly('Edited', { port: plain.port }));
    const { password: _omitted, ...withoutPassword } = sendOnly('Edited', { port: plain.port }).outgoing as Record<string, unknown>;
    const input = { ...sendOnly('Edited', {}), outgoing: withoutPassword };
    const withStored = (await gqlOk(app.url, TEST_SETTINGS, { input, accountId: id }, admin.token)).testEmailSettings;
    expect(withStored.outgoing.state).toBe('OK');
    const withoutAccount = (await gqlOk(app.url, TEST_SETTINGS, { input }, admin.token)).testEmailSettings;
    expect(withoutAccount.outgoing).toMatchObject({ state: 'ERROR', code: 'NOT_CONFIGURED' });
    // A failing test of edited settings leaves the saved account's status and history alone.
    await gqlOk(app.url, TEST_SETTINGS, { input: sendOnly('Edited', { port: plain.port, password: 'typo' }), accountId: id }, admin.token);
    const stored = await accountStatus(app.url, admin.token, id);
    expect(stored.lastErrors).toEqual([]);
    expect(stored.status.outgoing.state).toBe('UNKNOWN');
  });

  it('validates the input like createEmailAccount', async () => {
    const res = await gql(app.url, TEST_SETTINGS, { input: sendOnly('Bad', { port: 70_000 }) }, admin.token);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
  });
});

describe('detectEmailProvider', () => {
  const DETECT = `query($a: String!) { detectEmailProvider(address: $a) { domain source mxHosts message provider { id name authHint } incoming { protocol host port encryption } outgoing { host port encryption } } }`;

  it('fills the preset from the domain, or from MX records (resolver injected, no network)', async () => {
    app.services!.checks.checker.resolver = {
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
      resolveMx: async (domain) => {
        if (domain === 'acme.com.br') return [{ exchange: 'aspmx.l.google.com', priority: 1 }];
        if (domain === 'padaria.com.br') return [{ exchange: 'mx.a.locaweb.com.br', priority: 10 }];
        throw Object.assign(new Error('no such domain'), { code: 'ENOTFOUND' });
      },
    };
    const gmail = (await gqlOk(app.url, DETECT, { a: 'ana@gmail.com' }, admin.token)).detectEmailProvider;
    expect(gmail).toMatchObject({ source: 'DOMAIN', provider: { id: 'gmail', authHint: expect.stringMatching(/app password/) }, incoming: [{ protocol: 'IMAP', host: 'imap.gmail.com', port: 993, encryption: 'SSL_TLS' }, expect.anything()] });
    const workspace = (await gqlOk(app.url, DETECT, { a: 'suporte@acme.com.br' }, admin.token)).detectEmailProvider;
    expect(workspace).toMatchObject({ source: 'MX', mxHosts: ['aspmx.l.google.com'], provider: { id: 'gmail' } });
    expect((await gqlOk(app.url, DETECT, { a: 'sac@padaria.com.br' }, admin.token)).detectEmailProvider.provider.id).toBe('locaweb');
    const unknown = (await gqlOk(app.url, DETECT, { a: 'x@unknown.invalid' }, admin.token)).detectEmailProvider;
    expect(unknown).toMatchObject({ source: 'NONE', provider: null, incoming: [] });
    // In the admin's language: the sentence and the provider's password advice (issue 14).
    const inPortuguese = (await gqlOk(app.url, `query($a: String!) { detectEmailProvider(address: $a) { message messageText { code } provider { authHint } } }`, { a: 'suporte@acme.com.br' }, admin.token, 'pt-BR')).detectEmailProvider;
    expect(inPortuguese).toEqual({
      message: 'acme.com.br recebe seus e-mails em Gmail / Google Workspace (MX aspmx.l.google.com).',
      messageText: { code: 'provider.detect.hosted' },
      provider: { authHint: expect.stringMatching(/senha de app/) },
    });
  });
});
