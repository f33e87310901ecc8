import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { outboundEngineOptions, parse, reply, ticketWithActions } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

/**
 * Issue 16 against real servers: the customer writes twice into a Dovecot mailbox, the agent
 * answers the second ticket (out through an SMTP server), merges it into the first, and the
 * customer's answer to that reply — written from the captured mail, as their client would —
 * arrives through IMAP and lands on the ticket it was merged into.
 */

let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;

const TICKETS = `query($search: String) { tickets(first: 20, filter: { search: $search }) { edges { node { id number } } } }`;
const ticketsMatching = async (search: string) => (await gqlOk(app.url, TICKETS, { search }, admin.token)).tickets.edges.map((e: any) => e.node);

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }] });
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Beatriz Agente' });
  const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', {
    account: { name: 'Acme Suporte', outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: true, useSeparateIdentity: true, username: 'smtp-user', password: 'smtp-pass', authMechanism: 'PLAIN' } },
  });
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect', 30_000);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
  await dovecot?.stop();
});

describe('merge, round trip through IMAP and SMTP (issue 16)', () => {
  it('lands the customer’s answer to the merged ticket’s reply on the ticket it was merged into', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Pedido 8812 não chegou', messageId: 'm-1@cliente.example', text: 'Meu pedido 8812 não chegou.' }).raw);
    await dovecot.deliver('support', buildMail({ subject: 'Reclamação do pedido 8812', messageId: 'm-2@cliente.example', text: 'Quero reclamar da entrega.' }).raw);
    const [target] = await waitFor(async () => ((await ticketsMatching('Pedido 8812 não')).length ? ticketsMatching('Pedido 8812 não') : null), 'the first ticket', 30_000);
    const [source] = await waitFor(async () => ((await ticketsMatching('Reclamação')).length ? ticketsMatching('Reclamação') : null), 'the second ticket', 30_000);

    await reply(app, admin.token, source.id, { text: 'Sentimos muito, vamos verificar.' });
    const [captured] = await sink.waitForMessages(1, 30_000);
    await gqlOk(app.url, `mutation($s: ID!, $t: ID!) { mergeTickets(sourceId: $s, targetId: $t) { id } }`, { s: source.id, t: target.id }, admin.token);

    const received = await parse(captured!.raw);
    expect(received.subject).toBe(`Re: Reclamação do pedido 8812 [#${source.number}]`);
    const answer = buildMail({ subject: `Re: ${received.subject}`, inReplyTo: received.messageId!.replace(/^<|>$/g, ''), references: ['m-2@cliente.example', received.messageId!.replace(/^<|>$/g, '')], text: 'Obrigada, aguardo.' });
    await dovecot.deliver('support', answer.raw);

    const merged = await waitFor(async () => {
      const t = await ticketWithActions(app, admin.token, target.id);
      return t.actions.some((a: any) => a.text === 'Obrigada, aguardo.') ? t : null;
    }, 'the answer on the target ticket', 30_000);
    expect(merged.actions.filter((a: any) => a.kind !== 'NOTE').map((a: any) => [a.kind, a.text])).toEqual([
      ['EMAIL_IN', 'Meu pedido 8812 não chegou.'],
      ['EMAIL_IN', 'Quero reclamar da entrega.'],
      ['EMAIL_OUT', 'Sentimos muito, vamos verificar.'],
      ['EMAIL_IN', 'Obrigada, aguardo.'],
    ]);
    expect((await ticketWithActions(app, admin.token, source.id)).actions.map((a: any) => a.kind)).toEqual(['NOTE']);
  });
});
