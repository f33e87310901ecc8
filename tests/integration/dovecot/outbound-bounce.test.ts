import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gql, gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { outboundEngineOptions, rawHeaders, reply, ticketWithActions, waitForDelivery } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string };

/** An RFC 3464 report, as the customer's MX sends back to our mailbox a while after our server accepted the reply. */
function deliveryReport(original: Buffer, recipient: string): string {
  const headers = original.toString('utf8').split('\r\n\r\n')[0];
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.cliente.example>',
    'To: support@acme.example',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn-1@mx.cliente.example>',
    `Date: ${new Date().toUTCString()}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
    '',
    '--dsn',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `I'm sorry to have to inform you that your message could not be delivered to ${recipient}.`,
    '',
    '--dsn',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.cliente.example',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    `Diagnostic-Code: smtp; 550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`,
    '',
    '--dsn',
    'Content-Type: text/rfc822-headers',
    '',
    headers,
    '',
    '--dsn--',
    '',
  ].join('\r\n');
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }] });
  sink = await startSmtpSink({ tls: 'starttls' });
  app = await startTestApp({}, outboundEngineOptions({ outbox: { saveToSent: false } }));
  admin = await signUp(app.url);
  account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', {
    account: { outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'STARTTLS', requiresAuth: false } },
  });
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect', 30_000);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
  await dovecot?.stop();
});

describe('a bounce of a sent reply (W2, W5)', () => {
  it('marks the reply FAILED with the bounce reason and opens no ticket', async () => {
    await dovecot.deliver('support', buildMail({ from: 'Zé <ze@cliente.example>', subject: 'Endereço errado', messageId: 'bounce-root@cliente.example' }).raw);
    const ticketId = await waitFor(async () => (await gqlOk(app.url, `query { tickets(filter: { search: "Endereço errado" }) { edges { node { id } } } }`, {}, admin.token)).tickets.edges[0]?.node.id, 'the ticket', 30_000);
    const action = await reply(app, admin.token, ticketId, { text: 'Olá Zé' });
    const [sent] = await sink.waitForMessages(1, 30_000);
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    expect(rawHeaders(sent!.raw).get('message-id')).toEqual([`<${action.messageId}>`]);

    await dovecot.deliver('support', deliveryReport(sent!.raw, 'ze@cliente.example'));
    const bounced = await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'FAILED', 'the bounce to mark the reply FAILED');
    expect(bounced.deliveryError).toBe('Bounced: 550 5.1.1 <ze@cliente.example>: Recipient address rejected: User unknown in virtual mailbox table');
    // A pt-BR reader gets the same line in Portuguese, the remote server's words untouched.
    const inPortuguese = (await gql(app.url, `query($id: ID!) { ticket(id: $id) { actions { id deliveryError deliveryErrorText { code detail } } } }`, { id: ticketId }, admin.token, 'pt-BR')).data!.ticket.actions.find((a: { id: string }) => a.id === action.id);
    expect(inPortuguese).toMatchObject({
      deliveryError: 'Devolvido pelo servidor de destino: 550 5.1.1 <ze@cliente.example>: Recipient address rejected: User unknown in virtual mailbox table',
      deliveryErrorText: { code: 'delivery.bounced', detail: '550 5.1.1 <ze@cliente.example>: Recipient address rejected: User unknown in virtual mailbox table' },
    });
    const ticket = await ticketWithActions(app, admin.token, ticketId);
    expect(ticket.actions.map((a: any) => a.kind)).toEqual(['EMAIL_IN', 'EMAIL_OUT']);
    const all = await gqlOk(app.url, `query { tickets { totalCount } }`, {}, admin.token);
    expect(all.tickets.totalCount).toBe(1);

    // Nothing to send again: the server had accepted it; the same message would bounce the same way.
    const again = await gqlOk(app.url, `mutation($id: ID!) { retryDelivery(actionId: $id) { id } }`, { id: action.id }, admin.token).catch((err: Error) => err.message);
    expect(again).toContain('bounced afterwards');
  });
});
