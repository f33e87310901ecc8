import { schema } from '@correio/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { importCustomerMail, outboundEngineOptions, rawHeaders, reply, waitForDelivery, workspaceIdOf } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

/** The workspace's built-in account (A1), created by sign-up. */
async function builtinAccount(app: TestApp, userId: string) {
  const workspaceId = await workspaceIdOf(app, userId);
  const [account] = await app.runtime.database.db
    .select()
    .from(schema.emailAccounts)
    .where(and(eq(schema.emailAccounts.workspaceId, workspaceId), eq(schema.emailAccounts.kind, 'BUILTIN')));
  return account!;
}

describe('built-in address without SMTP_RELAY_URL', () => {
  let app: TestApp;
  afterAll(() => app?.stop());

  it('says a fresh install’s built-in address cannot send yet — NOT_CONFIGURED, what to set — and fails its replies with RELAY_NOT_CONFIGURED', async () => {
    app = await startTestApp({}, outboundEngineOptions());
    const admin = await signUp(app.url);
    const account = await builtinAccount(app, admin.userId);
    const STATUS = `query($id: ID!) { emailAccount(id: $id) { status { overall outgoing { state code message hint } } lastErrors { direction code hint transient } } }`;
    // Before anything was sent: not a red ERROR of a mailbox, but a setting the operator must make.
    const fresh = (await gqlOk(app.url, STATUS, { id: account.id }, admin.token)).emailAccount;
    expect(fresh.status.outgoing).toMatchObject({ state: 'NOT_CONFIGURED', code: 'RELAY_NOT_CONFIGURED', hint: expect.stringContaining('SMTP_RELAY_URL') });
    expect(fresh.status.overall).not.toBe('ERROR');
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Sem relay', to: account.address });
    const action = await reply(app, admin.token, ticketId, { text: 'Olá' });
    const failed = await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'FAILED', 'the reply to be FAILED');
    expect(failed.deliveryError).toBe('Built-in addresses send through a relay, and none is configured.');
    const data = await waitFor(async () => {
      const d = (await gqlOk(app.url, STATUS, { id: account.id }, admin.token)).emailAccount;
      return d.lastErrors.length ? d : null;
    }, 'the failed send in the error history');
    // Still NOT_CONFIGURED after the failed send: the failure is the missing setting, said once.
    expect(data.status.outgoing.state).toBe('NOT_CONFIGURED');
    expect(data.lastErrors[0]).toMatchObject({ direction: 'OUTGOING', code: 'RELAY_NOT_CONFIGURED', transient: false, hint: expect.stringContaining('SMTP_RELAY_URL') });
  });
});

describe('built-in address with SMTP_RELAY_URL', () => {
  let app: TestApp;
  let relay: SmtpSink;
  beforeAll(async () => {
    relay = await startSmtpSink({ tls: 'starttls', auth: { user: 'relay@correio', pass: 'relay pass/1' } });
  });
  afterAll(async () => {
    await app?.stop();
    await relay?.stop();
  });

  it('sends through the relay, from the built-in address, with the relay’s login and STARTTLS', async () => {
    app = await startTestApp({ SMTP_RELAY_URL: `smtp://relay%40correio:${encodeURIComponent('relay pass/1')}@127.0.0.1:${relay.port}` }, outboundEngineOptions());
    const admin = await signUp(app.url);
    const account = await builtinAccount(app, admin.userId);
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Com relay', to: account.address, messageId: 'relay-1@cliente.example' });
    const action = await reply(app, admin.token, ticketId, { text: 'Olá pelo relay' });
    const [message] = await relay.waitForMessages(1);
    expect(message!.from).toBe(account.address);
    expect(message!.user).toBe('relay@correio');
    expect(message!.secure).toBe(true);
    const headers = rawHeaders(message!.raw);
    expect(headers.get('from')).toEqual([`${account.name} <${account.address}>`]);
    expect(headers.get('message-id')![0]).toMatch(new RegExp(`@${account.address.split('@')[1]!.replace(/\./g, '\\.')}>$`));
    expect(headers.get('in-reply-to')).toEqual(['<relay-1@cliente.example>']);
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    expect(app.logs.join('\n')).not.toContain('relay pass');
  });
});
