import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { outboundEngineOptions, rawHeaders } from '../helpers/outbound.ts';
import { freePort } from '../helpers/ports.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { registerTestServer } from '../helpers/test-servers.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 16: acknowledging new tickets — what the customer gets, whom it is never sent to, and
// two Correio addresses acknowledging each other, which must stop after one message each.

const ACCOUNT = `{ emailAccounts { id name kind address acknowledgement { enabled subject text } } }`;
const UPDATE = `mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { id acknowledgement { enabled subject text } } }`;
const TICKETS = `{ tickets(first: 20) { edges { node { id number subject actions { kind text author { id } } } } } }`;

async function enableAck(app: TestApp, token: string, acknowledgement: Record<string, unknown>) {
  const account = (await gqlOk(app.url, ACCOUNT, {}, token)).emailAccounts[0];
  const input = { name: account.name, kind: account.kind, address: account.address.split('@')[0], acknowledgement };
  return { account, result: await gql(app.url, UPDATE, { id: account.id, input }, token) };
}
const tickets = async (app: TestApp, token: string) => (await gqlOk(app.url, TICKETS, {}, token)).tickets.edges.map((e: any) => e.node);

describe('acknowledgement of new tickets (issue 16)', () => {
  let app: TestApp;
  let relay: SmtpSink;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let address: string;
  beforeAll(async () => {
    relay = await startSmtpSink({ tls: 'none' });
    app = await startTestApp({ SMTP_RELAY_URL: `smtp://127.0.0.1:${relay.port}` }, outboundEngineOptions());
    admin = await signUp(app.url);
    const { account, result } = await enableAck(app, admin.token, { enabled: true, subject: 'Recebemos: {{ticket.assunto}}', text: 'Olá {{cliente.nome}}, recebemos sua mensagem. O número do seu chamado é {{ticket.numero}}.' });
    expect(result.errors).toBeUndefined();
    address = account.address;
  });
  afterAll(async () => {
    await app?.stop();
    await relay?.stop();
  });
  const receive = (from: string, subject: string, extra: Parameters<typeof buildMail>[0] = {}) => {
    const mail = buildMail({ to: address, from, subject, text: `${subject}, por favor.`, ...extra });
    return sendToReceiver(app.engine!.inboundSmtpPort!, { from: /<(.+)>/.exec(from)?.[1] ?? from, to: [address] }, mail.raw).then(() => mail);
  };

  it('answers a new ticket once, auto-replied, threaded to the message, and shows it on the ticket', async () => {
    const mail = await receive('Joana Lima <joana@cliente.example>', 'Boleto vencido');
    const [ack] = await relay.waitForMessages(1, 15_000);
    const parsed = await simpleParser(ack!.raw);
    const ticket = (await tickets(app, admin.token)).find((t: any) => t.subject === 'Boleto vencido');
    expect(ack!.to).toEqual(['joana@cliente.example']);
    expect(parsed.subject).toBe(`Re: Recebemos: Boleto vencido [#${ticket.number}]`);
    expect(parsed.text).toContain(`Olá Joana Lima, recebemos sua mensagem. O número do seu chamado é ${ticket.number}.`);
    const headers = rawHeaders(ack!.raw);
    expect(headers.get('auto-submitted')).toEqual(['auto-replied']);
    expect(headers.get('in-reply-to')).toEqual([`<${mail.messageId}>`]);
    const shown = await waitFor(async () => (await tickets(app, admin.token)).find((t: any) => t.id === ticket.id && t.actions.length === 2), 'the acknowledgement on the ticket');
    expect(shown.actions.map((a: any) => [a.kind, a.author])).toEqual([
      ['EMAIL_IN', null],
      ['EMAIL_OUT', null],
    ]);
  });

  it('never answers the same sender twice within an hour, nor no-reply or automatic senders', async () => {
    const before = relay.messages.length;
    await receive('Joana Lima <joana@cliente.example>', 'Outro assunto');
    await receive('Loja <no-reply@loja.example>', 'Seu pedido foi enviado');
    await receive('MAILER-DAEMON@mx.example', 'Aviso do servidor');  // a bounce: refused, as every bounce
    await receive('Paulo <paulo@cliente.example>', 'Estou de férias', { headers: { 'Auto-Submitted': 'auto-replied' } });
    // Two of them open tickets (the bounce and the automatic answer are refused); none is acknowledged.
    await waitFor(async () => {
      const subjects = (await tickets(app, admin.token)).map((t: any) => t.subject);
      const refused = (await gqlOk(app.url, `{ refusedMessages { reason subject } }`, {}, admin.token)).refusedMessages.map((r: any) => `${r.reason} ${r.subject}`);
      return ['Outro assunto', 'Seu pedido foi enviado'].every((s) => subjects.includes(s)) && refused.includes('BOUNCE Aviso do servidor') && refused.includes('AUTO_REPLY Estou de férias');
    }, 'two tickets and two refusals');
    // A marker sender after them: its acknowledgement proves the engine went past the others.
    await receive('Rita <rita@cliente.example>', 'Marcador');
    await waitFor(() => relay.messages.length > before || null, 'the marker acknowledgement');
    expect(relay.messages.slice(before).map((m) => m.to)).toEqual([['rita@cliente.example']]);
  });

  it('refuses an enabled acknowledgement without text, on the field', async () => {
    const { result } = await enableAck(app, admin.token, { enabled: true, subject: 'x', text: '  ' });
    const fields = result.errors?.[0]?.extensions?.['fields'] as Array<{ path: string[]; text: { code: string } }>;
    expect(fields.map((f) => `${f.path.join('.')}:${f.text.code}`)).toEqual(['input.acknowledgement.text:validation.account.ackText']);
  });
});

describe('two Correio addresses acknowledging each other', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The relay is Correio's own receiver: mail between two workspaces' addresses goes out and
    // comes back in through real SMTP, so a loop would be a real one.
    const port = await freePort();
    registerTestServer(port);
    app = await startTestApp({ INBOUND_SMTP_PORT: String(port), SMTP_RELAY_URL: `smtp://127.0.0.1:${port}` }, outboundEngineOptions());
  });
  afterAll(() => app?.stop());

  it('stops after one message each', async () => {
    const a = await signUp(app.url);
    const b = await signUp(app.url);
    const ack = { enabled: true, subject: 'Recebido', text: 'Recebemos sua mensagem ({{ticket.numero}}).' };
    const addressA = (await enableAck(app, a.token, ack)).account.address;
    const accountB = (await enableAck(app, b.token, ack)).account;
    // B writes to A; A acknowledges to B; B must not acknowledge A's acknowledgement.
    const started = await gqlOk(app.url, `mutation($input: OutboundTicketInput!) { startTicket(input: $input) { id } }`, { input: { accountId: accountB.id, to: addressA, subject: 'Parceria', text: 'Olá, podemos conversar?' } }, b.token);
    const refused = await waitFor(async () => {
      const r = (await gqlOk(app.url, `{ refusedMessages { reason from subject } }`, {}, b.token)).refusedMessages;
      return r.length ? r : null;
    }, 'A’s acknowledgement refused at B', 20_000).catch(async (err) => {
      const sent = (await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { actions { delivery deliveryError } } }`, { id: started.startTicket.id }, b.token)).ticket.actions;
      throw new Error(`${(err as Error).message}: B's message ${JSON.stringify(sent)}; at A ${JSON.stringify(await tickets(app, a.token))}; refused at A ${JSON.stringify((await gqlOk(app.url, `{ refusedMessages { reason from subject detail } }`, {}, a.token)).refusedMessages)}`);
    });
    expect(refused).toEqual([{ reason: 'AUTO_REPLY', from: addressA, subject: expect.stringContaining('Recebido') }]);
    // Time for anything else to go around, then count: one message each way.
    await new Promise((r) => setTimeout(r, 2000));
    const atA = await tickets(app, a.token);
    expect(atA.map((t: any) => t.actions.map((x: any) => x.kind))).toEqual([['EMAIL_IN', 'EMAIL_OUT']]);
    const atB = await tickets(app, b.token);
    expect(atB.map((t: any) => [t.id, t.actions.map((x: any) => x.kind)])).toEqual([[started.startTicket.id, ['EMAIL_OUT']]]);
  });
});
