import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { freePort } from '../../helpers/ports.ts';
import { registerTestServer } from '../../helpers/test-servers.ts';
import { accountStatus, createAccount, incomingInput, testAccount } from '../../helpers/status.ts';

// Issue 4, checks against real servers: Dovecot (plain, STARTTLS and implicit TLS with a
// self-signed certificate) and an SMTP server. API-only process: no live importer, so every
// status change here comes from a check.

const CHECK_TIMEOUT_S = 2;
let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
// A loopback port nothing listens on, allowed like Dovecot's: refused by the kernel, not by Correio's policy.
let closedPort: number;

beforeAll(async () => {
  dovecot = await startDovecot({
    tls: true,
    users: [
      { user: 'support', password: 'secret' },
      { user: 'sales', password: 'secret2' },
      { user: 'pop', password: 'secret3' },
      { user: 'folders', password: 'secret4' },
    ],
  });
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'mailer', pass: 'smtp-secret' } });
  closedPort = await freePort();
  registerTestServer(closedPort);
  app = await startTestApp({ CORREIO_ROLE: 'api', CORREIO_CHECK_TIMEOUT_SECONDS: String(CHECK_TIMEOUT_S) });
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
  await dovecot?.stop();
});

const phases = (direction: { checks: Array<{ phase: string; ok: boolean }> }) => direction.checks.map((c) => `${c.phase}:${c.ok ? 'ok' : 'fail'}`);
const create = (input: Record<string, unknown>) => createAccount(app.url, admin.token, input);
const test = (id: string) => testAccount(app.url, admin.token, id);

describe('testEmailAccount with real servers', () => {
  it('passes every phase of an IMAP mailbox and an SMTP server, sends nothing, and stores the phases with the status', async () => {
    const id = await create(
      incomingInput('Support', { port: dovecot.imapPort, username: 'support', password: 'secret' }, {
        outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: true, useSeparateIdentity: true, username: 'mailer', password: 'smtp-secret', authMechanism: 'LOGIN' },
      }),
    );
    const status = await test(id);
    expect(status.overall).toBe('OK');
    expect(status.incoming).toMatchObject({ state: 'OK', code: null });
    expect(phases(status.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:ok', 'AUTH:ok', 'MAILBOX:ok']);
    expect(status.incoming.checks.find((c: any) => c.phase === 'MAILBOX').detail).toMatch(/“INBOX”: 0 messages, read-write; IDLE supported/);
    expect(status.incoming.checks.find((c: any) => c.phase === 'TLS').detail).toMatch(/Not encrypted/);
    expect(phases(status.outgoing)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:ok', 'AUTH:ok']);
    expect(status.outgoing.checks.at(-1).detail).toBe('Logged in as mailer with LOGIN; ready to send (no message was sent).');
    expect(sink.messages).toHaveLength(0);
    expect(sink.authLog.at(-1)).toMatchObject({ method: 'LOGIN', username: 'mailer', ok: true });

    const stored = await accountStatus(app.url, admin.token, id);
    expect(stored.status.incoming).toMatchObject({ state: 'OK', checks: status.incoming.checks });
    expect(stored.status.incoming.lastCheckAt).toBeTruthy();
    expect(stored.lastErrors).toEqual([]);
  });

  it('passes POP3 with STAT', async () => {
    await dovecot.deliver('pop', 'Subject: hi\r\nFrom: a@b.example\r\n\r\nhello\r\n');
    const id = await create(incomingInput('Pop', { protocol: 'POP3', port: dovecot.pop3Port, username: 'pop', password: 'secret3' }));
    const status = await test(id);
    expect(status.incoming.state).toBe('OK');
    expect(phases(status.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:ok', 'AUTH:ok', 'MAILBOX:ok']);
    expect(status.incoming.checks.at(-1).detail).toMatch(/^1 message \(.+\) waiting\.$/);
  });

  it('reports a wrong password as ERROR / AUTH_FAILED with the provider’s hint, in the status and in lastErrors', async () => {
    const id = await create(incomingInput('Sales', { port: dovecot.imapPort, username: 'sales', password: 'Wr0ng-S3cret-4711' }, { providerId: 'gmail' }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'AUTH_FAILED', hint: expect.stringMatching(/app password/) });
    expect(status.incoming.checks.at(-1)).toMatchObject({ phase: 'AUTH', ok: false, code: 'AUTH_FAILED', transient: false, serverResponse: expect.stringMatching(/AUTHENTICATIONFAILED|Authentication failed/i) });
    const { lastErrors } = await accountStatus(app.url, admin.token, id);
    expect(lastErrors).toEqual([
      expect.objectContaining({ direction: 'INCOMING', phase: 'AUTH', code: 'AUTH_FAILED', transient: false, hint: expect.stringMatching(/app password/), serverResponse: expect.any(String) }),
    ]);
    // The password the check used appears nowhere: not in what the API shows, not in the logs.
    expect(JSON.stringify({ status, lastErrors })).not.toContain('Wr0ng-S3cret-4711');
    expect(app.logs.join('\n')).not.toContain('Wr0ng-S3cret-4711');
  });

  it('reports a wrong POP3 password as AUTH_FAILED', async () => {
    const id = await create(incomingInput('PopWrong', { protocol: 'POP3', port: dovecot.pop3Port, username: 'pop', password: 'nope', host: 'localhost' }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'AUTH_FAILED' });
    expect(status.incoming.checks.at(-1).serverResponse).toMatch(/-ERR/);
  });

  it('reports a closed port as CONNECTION_REFUSED', async () => {
    const id = await create(incomingInput('Closed', { port: closedPort }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'CONNECTION_REFUSED' });
    expect(phases(status.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:fail']);
  });

  it('reports an unresolvable host (.invalid) as HOST_NOT_FOUND', async () => {
    const id = await create(incomingInput('Nowhere', { host: 'imap.correio-test.invalid', port: 993, encryption: 'SSL_TLS' }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'HOST_NOT_FOUND', message: '“imap.correio-test.invalid” does not exist in DNS.' });
    expect(phases(status.incoming)).toEqual(['CONFIG:ok', 'DNS:fail']);
  });

  it('reports SSL/TLS against a plain-text port as TLS_MISMATCH', async () => {
    const id = await create(incomingInput('Mismatch', { port: dovecot.imapPort, encryption: 'SSL_TLS' }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'TLS_MISMATCH', hint: expect.stringMatching(/STARTTLS/) });
    expect(phases(status.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'TLS:fail']);
  });

  it('reports a self-signed certificate as CERT_INVALID, with implicit TLS and after STARTTLS', async () => {
    const implicit = await create(incomingInput('SelfSigned', { port: dovecot.imapsPort, encryption: 'SSL_TLS' }));
    const a = await test(implicit);
    expect(a.incoming).toMatchObject({ state: 'ERROR', code: 'CERT_INVALID' });
    expect(a.incoming.message).toMatch(/not trusted: it is self-signed \(issued to localhost/);
    expect(phases(a.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'TLS:fail']);

    const starttls = await create(incomingInput('StartTls', { port: dovecot.imapPort, encryption: 'STARTTLS', host: 'localhost' }));
    const b = await test(starttls);
    expect(b.incoming).toMatchObject({ state: 'ERROR', code: 'CERT_INVALID' });
    expect(phases(b.incoming)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:fail']);
  });

  it('reports a folder that does not exist, listing the ones that do', async () => {
    const id = await create(incomingInput('Folders', { port: dovecot.imapPort, username: 'folders', password: 'secret4', folder: 'Suporte' }));
    const status = await test(id);
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'FOLDER_NOT_FOUND' });
    expect(status.incoming.message).toMatch(/“Suporte” does not exist in this mailbox; it has: INBOX/);
  });

  // Last: it stops Dovecot for a while.
  it('gives up on a server that accepts and never answers within the check timeout (TIMEOUT → INTERMITTENT)', async () => {
    const id = await create(incomingInput('Paused', { port: dovecot.imapPort, username: 'paused' }));
    await dovecot.pause();
    try {
      const started = Date.now();
      const status = await test(id);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(CHECK_TIMEOUT_S * 1000 - 50);
      expect(took).toBeLessThan(CHECK_TIMEOUT_S * 1000 + 1500);
      expect(status.incoming).toMatchObject({ state: 'INTERMITTENT', code: 'TIMEOUT' });
      expect(status.incoming.checks.at(-1)).toMatchObject({ phase: 'GREETING', ok: false, transient: true });
    } finally {
      await dovecot.resume();
    }
  });
});
