import { schema } from '@correio/core';
import { eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { outboundEngineOptions, parse, rawHeaders, reply, ticketWithActions, waitForDelivery } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

/**
 * The whole conversation against real servers: a customer's mail lands in Dovecot and opens a
 * ticket, the agent's reply leaves through an SMTP server (captured) and is filed in the mailbox's
 * Sent folder, and the customer's answer — written from the captured mail, as their client would —
 * lands on the same ticket. Correio's own copies never become customer mail.
 */

// Dovecot with a Sent folder marked \Sent (SPECIAL-USE), as every real provider has.
const SENT_FOLDER = `
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
`;

let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string; address: string };

const TICKETS = `query($search: String) { tickets(first: 20, filter: { search: $search }) { edges { node { id } } } }`;

async function ticketIdsMatching(search: string): Promise<string[]> {
  return (await gqlOk(app.url, TICKETS, { search }, admin.token)).tickets.edges.map((e: any) => e.node.id);
}

async function sentFolder(): Promise<Array<{ source: Buffer; flags: Set<string>; messageId: string | undefined }>> {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user: 'support', pass: 'secret' }, logger: false });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('Sent');
    try {
      const out = [];
      const exists = client.mailbox ? client.mailbox.exists : 0;
      if (exists) for await (const m of client.fetch('1:*', { source: true, flags: true, envelope: true })) out.push({ source: m.source!, flags: m.flags!, messageId: m.envelope?.messageId });
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }], extraConfig: SENT_FOLDER });
  sink = await startSmtpSink({ tls: 'starttls', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Beatriz Agente' });
  account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', {
    account: {
      name: 'Acme Suporte',
      outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'STARTTLS', requiresAuth: true, useSeparateIdentity: true, username: 'smtp-user', password: 'smtp-pass', authMechanism: 'PLAIN' },
      brand: { name: 'Acme Ltda', url: 'https://acme.example' },
    },
  });
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect', 30_000);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
  await dovecot?.stop();
});

describe('round trip: inbound → agent reply → customer reply (W1, W2, W3)', () => {
  let ticketId: string;
  let ourReply: { raw: Buffer; messageId: string };

  it('threads the customer’s answer to our reply onto the same ticket', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Pedido 4471 atrasado', messageId: 'rt-1@cliente.example', text: 'Meu pedido ainda não chegou.' }).raw);
    ticketId = await waitFor(async () => (await ticketIdsMatching('Pedido 4471'))[0], 'the ticket of the first mail', 30_000);

    const action = await reply(app, admin.token, ticketId, { text: 'Olá Ana, o pedido sai hoje.' });
    const [captured] = await sink.waitForMessages(1, 30_000);
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    ourReply = { raw: captured!.raw, messageId: action.messageId };

    // The customer's client answers the mail it received: Re: subject, In-Reply-To our Message-ID,
    // References our References plus our Message-ID — built from the bytes the server got.
    const received = await parse(captured!.raw);
    const references = [...(Array.isArray(received.references) ? received.references : received.references ? [received.references] : []), received.messageId!].map((id) => id.replace(/^<|>$/g, ''));
    expect(references).toEqual(['rt-1@cliente.example', action.messageId]);
    const answer = buildMail({
      subject: `Re: ${received.subject}`,
      inReplyTo: received.messageId!.replace(/^<|>$/g, ''),
      references,
      text: `Obrigada!\r\n\r\nEm ${new Date().toUTCString()}, Acme Suporte <support@acme.example> escreveu:\r\n> Olá Ana, o pedido sai hoje.`,
    });
    await dovecot.deliver('support', answer.raw);

    const ticket = await waitFor(async () => {
      const t = await ticketWithActions(app, admin.token, ticketId);
      return t.actions.length === 3 ? t : null;
    }, 'the answer on the same ticket', 30_000);
    expect(ticket.actions.map((a: any) => a.kind)).toEqual(['EMAIL_IN', 'EMAIL_OUT', 'EMAIL_IN']);
    expect(ticket.actions[2]).toMatchObject({ text: 'Obrigada!', messageId: answer.messageId });
    expect(await ticketIdsMatching('Pedido 4471')).toEqual([ticketId]);
  });

  it('files the sent message in the mailbox’s Sent folder, read, byte for byte', async () => {
    const copies = await waitFor(async () => {
      const all = await sentFolder();
      return all.length ? all : null;
    }, 'the copy in Sent', 30_000);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.messageId).toBe(`<${ourReply.messageId}>`);
    expect([...copies[0]!.flags]).toContain('\\Seen');
    expect(copies[0]!.source.equals(ourReply.raw)).toBe(true);
  });

  it('never imports Correio’s own copy as customer mail, even with a rewritten sender (known outgoing Message-ID)', async () => {
    const [copy] = await sentFolder();
    // The copy itself lands in INBOX (a BCC-to-self, a server that files sent mail there) …
    await dovecot.deliver('support', copy!.source);
    // … and again with the From rewritten by a forwarder: only the stored outgoing Message-ID gives it away.
    const rewritten = Buffer.from(copy!.source.toString('utf8').replace(/^From: .*$/m, 'From: "Ana via Lista" <lista@cliente.example>'));
    expect(rawHeaders(rewritten).get('from')).toEqual(['"Ana via Lista" <lista@cliente.example>']);
    await dovecot.deliver('support', rewritten);

    const refused = await waitFor(async () => {
      const rows = await app.runtime.database.db.select().from(schema.refusedMessages).where(eq(schema.refusedMessages.messageId, ourReply.messageId));
      return rows.length === 2 ? rows : null;
    }, 'both copies to be refused', 30_000);
    expect(refused.map((r) => r.reason)).toEqual(['OWN_MESSAGE', 'OWN_MESSAGE']);
    expect(refused.map((r) => r.fromAddress).sort()).toEqual(['lista@cliente.example', 'support@acme.example']);
    const ticket = await ticketWithActions(app, admin.token, ticketId);
    expect(ticket.actions.map((a: any) => a.kind)).toEqual(['EMAIL_IN', 'EMAIL_OUT', 'EMAIL_IN']);
    expect(await ticketIdsMatching('Pedido 4471')).toEqual([ticketId]);
  });
});
