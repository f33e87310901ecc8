import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { outboundEngineOptions } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 16: an agent starts a conversation by e-mail; it goes out through the relay (an SMTP
// sink), and the customer's answer, arriving over SMTP, threads to the new ticket.

let app: TestApp;
let relay: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string; address: string };

const START = `mutation($input: OutboundTicketInput!) { startTicket(input: $input) { id number subject status ccs customer { email name } assignee { name } account { id } } }`;
const count = async () => (await gqlOk(app.url, `{ tickets(first: 1) { totalCount } }`, {}, admin.token)).tickets.totalCount as number;
const fieldCodes = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  r.errors?.flatMap((e) => ((e.extensions?.['fields'] ?? []) as Array<{ path: string[]; text?: { code: string } }>).map((f) => `${f.path.join('.')}:${f.text?.code}`));

beforeAll(async () => {
  relay = await startSmtpSink({ tls: 'none' });
  app = await startTestApp({ SMTP_RELAY_URL: `smtp://127.0.0.1:${relay.port}` }, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Ana Admin' });
  account = (await gqlOk(app.url, `{ emailAccounts { id address } }`, {}, admin.token)).emailAccounts[0];
});
afterAll(async () => {
  await app?.stop();
  await relay?.stop();
});

describe('starting a conversation by e-mail (issue 16)', () => {
  it('sends the message and opens a pending ticket that the customer’s answer threads to', async () => {
    const started = (
      await gqlOk(app.url, START, { input: { accountId: account.id, to: 'Novo@Cliente.example', name: 'Nova Cliente', cc: ['chefe@cliente.example'], subject: 'Sua fatura de dezembro', text: 'Olá! Segue a fatura de dezembro.' } }, admin.token)
    ).startTicket;
    expect(started).toMatchObject({ subject: 'Sua fatura de dezembro', status: 'PENDING', customer: { email: 'novo@cliente.example', name: 'Nova Cliente' }, assignee: { name: 'Ana Admin' }, account: { id: account.id } });
    expect(started.ccs).toEqual(['chefe@cliente.example']);

    const [sent] = await relay.waitForMessages(1, 15_000);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.subject).toBe(`Sua fatura de dezembro [#${started.number}]`);
    expect(sent!.to.sort()).toEqual(['chefe@cliente.example', 'novo@cliente.example']);
    expect(parsed.text).toContain('Olá! Segue a fatura de dezembro.');

    const tickets = await count();
    const answer = buildMail({ to: account.address, from: 'Nova Cliente <novo@cliente.example>', subject: `Re: Sua fatura de dezembro`, inReplyTo: parsed.messageId!.replace(/^<|>$/g, ''), text: 'Recebi, obrigada!' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'novo@cliente.example', to: [account.address] }, answer.raw);
    const thread = await waitFor(async () => {
      const t = (await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { status actions { kind text } } }`, { id: started.id }, admin.token)).ticket;
      return t.actions.length === 2 ? t : null;
    }, 'the answer on the started ticket');
    expect(thread.actions.map((a: any) => [a.kind, a.text])).toEqual([
      ['EMAIL_OUT', 'Olá! Segue a fatura de dezembro.'],
      ['EMAIL_IN', 'Recebi, obrigada!'],
    ]);
    expect(await count()).toBe(tickets);
  });

  it('refuses, and creates nothing for, an own address, a foreign account, an empty message or a bad copy', async () => {
    const before = await count();
    const base = { accountId: account.id, to: 'alguem@cliente.example', subject: 'Assunto', text: 'Texto' };
    expect(fieldCodes(await gql(app.url, START, { input: { ...base, to: account.address.toUpperCase() } }, admin.token))).toEqual(['input.to:validation.outbound.ownAddress']);
    const stranger = await signUp(app.url);
    expect(fieldCodes(await gql(app.url, START, { input: base }, stranger.token))).toEqual(['input.accountId:validation.outbound.account']);
    expect(fieldCodes(await gql(app.url, START, { input: { ...base, text: '  ' } }, admin.token))).toEqual(['input.text:validation.reply.empty']);
    expect(fieldCodes(await gql(app.url, START, { input: { ...base, cc: ['not an address'] } }, admin.token))).toEqual(['input.cc.0:validation.email']);
    expect(fieldCodes(await gql(app.url, START, { input: { ...base, subject: '' } }, admin.token))).toEqual(['input.subject:validation.outbound.subject']);
    expect(await count()).toBe(before);
    expect(relay.messages).toHaveLength(1);
  });
});
