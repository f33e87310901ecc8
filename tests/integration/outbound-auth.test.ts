import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, rawHeaders, reply, waitForDelivery } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let counter = 0;

// One sink per scenario, all started before the app: Correio connects only to loopback ports it was told about.
const SINK_OPTIONS = {
  cram: { tls: 'starttls', authMethods: ['CRAM-MD5'], auth: { user: 'cram-user', pass: 'cram-secret' } },
  xoauth2: { tls: 'starttls', authMethods: ['XOAUTH2'], auth: { user: 'oauth@acme.example', pass: 'unused', accessToken: 'ya29.token-de-acesso' } },
  implicitLogin: { tls: 'implicit', authMethods: ['LOGIN'], auth: { user: 'login-user', pass: 'login-secret' } },
  sharedLogin: { tls: 'starttls', auth: { user: 'mailbox-user', pass: 'mailbox-secret' } },
  noAuth: { tls: 'none' },
  wrongPassword: { tls: 'starttls', auth: { user: 'smtp-user', pass: 'right' } },
  noStarttls: { tls: 'none', auth: { user: 'u', pass: 'p' } },
} satisfies Record<string, Parameters<typeof startSmtpSink>[0]>;
const sinks = {} as Record<keyof typeof SINK_OPTIONS, SmtpSink>;

/** A ticket on a fresh account pointing at `sink`, a reply on it, and the outcome. */
async function replyThrough(sink: SmtpSink, outgoing: Record<string, unknown>, account: Record<string, unknown> = {}) {
  counter += 1;
  const address = `auth${counter}@acme.example`;
  const created = await createSinkAccount(app, admin.token, sink, { address, outgoing, account });
  const { ticketId } = await importCustomerMail(app, created.id, { subject: `Autenticação ${counter}`, to: address });
  const action = await reply(app, admin.token, ticketId, { text: 'Olá' });
  const done = await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery !== 'QUEUED', 'the reply to be SENT or FAILED');
  return { account: created, action: done };
}

beforeAll(async () => {
  for (const [name, options] of Object.entries(SINK_OPTIONS)) sinks[name as keyof typeof SINK_OPTIONS] = await startSmtpSink(options);
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all(Object.values(sinks).map((s) => s.stop()));
});

describe('outgoing authentication (A3)', () => {
  it('logs in with CRAM-MD5 over STARTTLS', async () => {
    const sink = sinks.cram;
    const { action } = await replyThrough(sink, { username: 'cram-user', password: 'cram-secret', authMechanism: 'CRAM_MD5' });
    expect(action.delivery).toBe('SENT');
    expect(sink.authLog).toEqual([{ method: 'CRAM-MD5', username: 'cram-user', ok: true }]);
    expect(sink.messages[0]!.secure).toBe(true);
  });

  it('logs in with XOAUTH2 using the stored access token', async () => {
    const sink = sinks.xoauth2;
    const { action } = await replyThrough(sink, { username: 'oauth@acme.example', password: null, accessToken: 'ya29.token-de-acesso', authMechanism: 'XOAUTH2' });
    expect(action.delivery).toBe('SENT');
    expect(sink.authLog).toEqual([{ method: 'XOAUTH2', username: 'oauth@acme.example', ok: true }]);
  });

  it('logs in with LOGIN over implicit TLS (port 465 style)', async () => {
    const sink = sinks.implicitLogin;
    const { action } = await replyThrough(sink, { username: 'login-user', password: 'login-secret', authMechanism: 'LOGIN' });
    expect(action.delivery).toBe('SENT');
    expect(sink.authLog).toEqual([{ method: 'LOGIN', username: 'login-user', ok: true }]);
    expect(sink.messages[0]!.secure).toBe(true);
  });

  it('uses the incoming login for SMTP unless "use another identity" is on', async () => {
    const sink = sinks.sharedLogin;
    const incoming = { enabled: false, protocol: 'IMAP', host: 'imap.acme.example', encryption: 'SSL_TLS', username: 'mailbox-user', password: 'mailbox-secret' };
    const { action } = await replyThrough(sink, { username: null, password: null, useSeparateIdentity: false, authMechanism: 'PLAIN' }, { incoming });
    expect(action.delivery).toBe('SENT');
    expect(sink.authLog).toEqual([{ method: 'PLAIN', username: 'mailbox-user', ok: true }]);
  });

  it('sends without authentication when the server requires none', async () => {
    const sink = sinks.noAuth;
    const { action } = await replyThrough(sink, { requiresAuth: false, username: null, password: null });
    expect(action.delivery).toBe('SENT');
    expect(sink.authLog).toEqual([]);
    expect(rawHeaders(sink.messages[0]!.raw).get('message-id')).toEqual([`<${action.messageId}>`]);
  });

  it('fails at once on a wrong password, and the outgoing status says why', async () => {
    const sink = sinks.wrongPassword;
    const { account, action } = await replyThrough(sink, { username: 'smtp-user', password: 'wrong' });
    expect(action.delivery).toBe('FAILED');
    expect(action.deliveryError).toBe('The server rejected the user name or password: 535 5.7.8 Authentication credentials invalid');
    expect(sink.transactions).toBe(0);
    const status = await waitFor(async () => {
      const data = await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { outgoing { state message } } lastErrors { direction phase code serverResponse transient } } }`, { id: account.id }, admin.token);
      return data.emailAccount.status.outgoing.state === 'ERROR' ? data.emailAccount : null;
    }, 'the outgoing status to turn ERROR');
    expect(status.lastErrors[0]).toEqual({ direction: 'OUTGOING', phase: 'AUTH', code: 'AUTH_FAILED', serverResponse: '535 5.7.8 Authentication credentials invalid', transient: false });
    expect(app.logs.join('\n')).not.toContain('wrong');
  });

  it('refuses to fall back to clear text when STARTTLS was chosen but is not offered', async () => {
    const sink = sinks.noStarttls;
    const { action } = await replyThrough(sink, { username: 'u', password: 'p', encryption: 'STARTTLS' });
    expect(action.delivery).toBe('FAILED');
    expect(action.deliveryError).toMatch(/STARTTLS/);
    expect(sink.authLog).toEqual([]);
  });
});
