import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { sendToReceiver } from '../../helpers/inbound.ts';
import { buildMail } from '../../helpers/mail.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, rawHeaders, reply, ticketWithActions, waitForDelivery } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 10 §4: the agent decides who gets a reply. A stranger's mail must not be able to make
// every later reply of a ticket go to hundreds of addresses (or to our own ones).

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let sink: SmtpSink;
let accountId: string;

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'starttls', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { slug: 'destinos' });
  accountId = (await createSinkAccount(app, admin.token, sink)).id;
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});
beforeEach(() => sink.reset());

async function sentTo(input: Record<string, unknown>) {
  const { ticketId } = await importCustomerMail(app, accountId, { subject: `Cópias ${Math.random()}`, cc: 'Chefe <chefe@cliente.example>, financeiro@cliente.example' });
  const action = await reply(app, admin.token, ticketId, { text: 'Olá', ...input });
  await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
  const [message] = await sink.waitForMessages(1);
  return { action, message: message!, ticket: await ticketWithActions(app, admin.token, ticketId) };
}

describe('ReplyInput.cc is the complete Cc list', () => {
  it('an empty list sends to the customer alone', async () => {
    const { action, message } = await sentTo({ cc: [] });
    expect(message.to).toEqual(['ana@cliente.example']);
    expect(rawHeaders(message.raw).has('cc')).toBe(false);
    expect(action.cc).toEqual([]);
  });

  it('omitted, the ticket’s CCs are copied', async () => {
    const { message } = await sentTo({});
    expect([...message.to].sort()).toEqual(['ana@cliente.example', 'chefe@cliente.example', 'financeiro@cliente.example']);
  });

  it('leaving one out sends exactly what the agent chose; a new address joins the ticket for later replies', async () => {
    const { message, ticket } = await sentTo({ cc: ['chefe@cliente.example', 'Juridico@Cliente.example'] });
    expect([...message.to].sort()).toEqual(['ana@cliente.example', 'chefe@cliente.example', 'juridico@cliente.example']);
    expect(rawHeaders(message.raw).get('cc')).toEqual(['chefe@cliente.example, juridico@cliente.example']);
    expect([...ticket.ccs].sort()).toEqual(['chefe@cliente.example', 'financeiro@cliente.example', 'juridico@cliente.example']);
  });

  it('never copies the workspace’s own addresses or the customer, whatever the agent typed', async () => {
    const { message } = await sentTo({ cc: ['support@acme.example', 'ANA@cliente.example', 'support@destinos.correio.localhost'] });
    expect(message.to).toEqual(['ana@cliente.example']);
  });
});

describe('inbound mail and a ticket’s CCs', () => {
  it('copies at most 20 addresses onto the ticket, never our own; the action still lists everyone', async () => {
    const builtin = (await gqlOk(app.url, `{ emailAccounts { kind address } }`, {}, admin.token)).emailAccounts.find((a: { kind: string }) => a.kind === 'BUILTIN');
    const many = Array.from({ length: 60 }, (_, i) => `pessoa${i}@spam.example`);
    const mail = buildMail({ to: builtin.address, cc: ['support@acme.example', ...many].join(', '), subject: 'Sessenta cópias' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'ana@cliente.example', to: [builtin.address] }, mail.raw);
    const ticket = await waitFor(async () => {
      const list = await gqlOk(app.url, `{ tickets(first: 5, filter: { search: "Sessenta" }) { edges { node { id ccs actions { cc } } } } }`, {}, admin.token);
      return list.tickets.edges[0]?.node;
    }, 'the ticket');
    expect(ticket.ccs).toHaveLength(20);
    expect(ticket.ccs).not.toContain('support@acme.example');
    expect(ticket.ccs).not.toContain(builtin.address);
    expect(ticket.actions[0].cc).toHaveLength(61);

    // The next reply goes to the customer and those 20, not to 60.
    const action = await reply(app, admin.token, ticket.id, { text: 'Recebido.' });
    await waitForDelivery(app, admin.token, ticket.id, action.id, (a) => a.delivery !== 'QUEUED', 'the reply');
    expect(action.cc).toHaveLength(20);
  });
});
