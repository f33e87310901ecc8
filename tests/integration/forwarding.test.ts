import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { outboundEngineOptions } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 16: forwarding a customer's message to an outside party; their answer lands on the ticket
// for agents, and the customer's conversation never copies them.

let app: TestApp;
let relay: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let address: string;

const FORWARD = `mutation($id: ID!, $input: ForwardInput!) { forwardAction(actionId: $id, input: $input) { id kind forwarded to } }`;
const TICKET = `query($id: ID!) { ticket(id: $id) { status ccs actions { id kind text internal forwarded from } history { kind after } } }`;
const fieldCodes = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  r.errors?.flatMap((e) => ((e.extensions?.['fields'] ?? []) as Array<{ path: Array<string | number>; text?: { code: string } }>).map((f) => `${f.path.join('.')}:${f.text?.code}`));

beforeAll(async () => {
  relay = await startSmtpSink({ tls: 'none' });
  app = await startTestApp({ SMTP_RELAY_URL: `smtp://127.0.0.1:${relay.port}` }, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Ana Admin' });
  address = (await gqlOk(app.url, `{ emailAccounts { address } }`, {}, admin.token)).emailAccounts[0].address;
});
afterAll(async () => {
  await app?.stop();
  await relay?.stop();
});

describe('forwarding (issue 16)', () => {
  it('sends the message and its file to an outside party, whose answer lands on the ticket for agents only', async () => {
    const pdf = Buffer.from('%PDF-1.4 nota fiscal 4521');
    const mail = buildMail({
      to: address,
      from: 'Joana Lima <joana@cliente.example>',
      subject: 'Entrega atrasada',
      text: 'Meu pedido 4521 não chegou.',
      attachments: [{ headers: ['Content-Type: application/pdf; name="nf-4521.pdf"', 'Content-Disposition: attachment; filename="nf-4521.pdf"'], content: pdf }],
    });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'joana@cliente.example', to: [address] }, mail.raw);
    const ticket = await waitFor(async () => (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { id number status } } } }`, {}, admin.token)).tickets.edges[0]?.node, 'the ticket');
    const first = (await gqlOk(app.url, TICKET, { id: ticket.id }, admin.token)).ticket.actions[0];

    const forward = (await gqlOk(app.url, FORWARD, { id: first.id, input: { to: ['Frete@Transportadora.example'], text: 'Podem verificar a entrega?' } }, admin.token)).forwardAction;
    expect(forward).toMatchObject({ kind: 'EMAIL_OUT', forwarded: true, to: ['frete@transportadora.example'] });
    const [sent] = await relay.waitForMessages(1, 15_000);
    expect(sent!.to).toEqual(['frete@transportadora.example']);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.subject).toBe(`Fwd: Entrega atrasada [#${ticket.number}]`);
    expect(parsed.text).toMatch(/^Podem verificar a entrega\?\n\n---------- Forwarded message ----------\nFrom: Joana Lima <joana@cliente\.example>\n/);
    expect(parsed.text).toContain('Meu pedido 4521 não chegou.');
    expect(parsed.attachments.map((a) => [a.filename, a.content.equals(pdf)])).toEqual([['nf-4521.pdf', true]]);

    // The carrier answers the forward: on the ticket, internal; no copy, no status change.
    const before = (await gqlOk(app.url, TICKET, { id: ticket.id }, admin.token)).ticket;
    const answer = buildMail({ to: address, from: 'Frete <frete@transportadora.example>', cc: 'gerente@transportadora.example', subject: `Re: ${parsed.subject}`, inReplyTo: parsed.messageId!.replace(/^<|>$/g, ''), text: 'Sai para entrega amanhã.' });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'frete@transportadora.example', to: [address] }, answer.raw);
    const after = await waitFor(async () => {
      const t = (await gqlOk(app.url, TICKET, { id: ticket.id }, admin.token)).ticket;
      return t.actions.length === 3 ? t : null;
    }, 'the carrier’s answer on the ticket');
    expect(after.actions.map((a: any) => [a.kind, a.internal, a.forwarded])).toEqual([
      ['EMAIL_IN', false, false],
      ['EMAIL_OUT', false, true],
      ['EMAIL_IN', true, false],
    ]);
    expect(after.ccs).toEqual(before.ccs);
    expect(after.status).toBe(before.status);
    expect(after.history.map((h: any) => [h.kind, h.after])).toEqual([['FORWARDED', 'frete@transportadora.example']]);

    // The customer's conversation goes on without the carrier.
    relay.reset();
    await gqlOk(app.url, `mutation($id: ID!) { replyToTicket(ticketId: $id, input: { text: "Sai amanhã!" }) { id } }`, { id: ticket.id }, admin.token);
    const [reply] = await relay.waitForMessages(1, 15_000);
    expect(reply!.to).toEqual(['joana@cliente.example']);
  });

  it('writes the forwarded header in the language of the agent who forwards', async () => {
    const action = (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { actions { id createdAt } } } } }`, {}, admin.token)).tickets.edges[0].node.actions[0];
    relay.reset();
    await gqlOk(app.url, FORWARD, { id: action.id, input: { to: ['fiscal@contabilidade.example'] } }, admin.token, 'pt-BR,pt;q=0.9');
    const [sent] = await relay.waitForMessages(1, 15_000);
    const parsed = await simpleParser(sent!.raw);
    const lines = parsed.text!.split('\n');
    expect(lines.slice(0, 2)).toEqual(['---------- Mensagem encaminhada ----------', 'De: Joana Lima <joana@cliente.example>']);
    // A date a Brazilian reads ("segunda-feira, 7 de dezembro de 2026 10:00 UTC"), of the message forwarded.
    const day = new Intl.DateTimeFormat('pt-BR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(action.createdAt));
    expect(lines[2]).toMatch(/^Data: .+ UTC$/);
    expect(lines[2]).toContain(day);
    expect(lines[3]).toBe('Assunto: Entrega atrasada');
    expect(parsed.text).not.toMatch(/Forwarded|From:|Subject:/);
  });

  it('refuses own addresses, too many or no recipients, and actions it cannot see', async () => {
    const action = (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { actions { id } } } } }`, {}, admin.token)).tickets.edges[0].node.actions[0].id;
    expect(fieldCodes(await gql(app.url, FORWARD, { id: action, input: { to: ['x@fora.example', address.toUpperCase()] } }, admin.token))).toEqual(['input.to.1:validation.forward.ownAddress']);
    expect(fieldCodes(await gql(app.url, FORWARD, { id: action, input: { to: [] } }, admin.token))).toEqual(['input.to:validation.forward.recipients']);
    expect(fieldCodes(await gql(app.url, FORWARD, { id: action, input: { to: Array.from({ length: 11 }, (_, i) => `p${i}@fora.example`) } }, admin.token))).toEqual(['input.to:validation.forward.recipients']);
    const stranger = await signUp(app.url);
    expect(fieldCodes(await gql(app.url, FORWARD, { id: action, input: { to: ['x@fora.example'] } }, stranger.token))).toEqual(['actionId:validation.forward.unknownAction']);
    expect(fieldCodes(await gql(app.url, FORWARD, { id: 'nope', input: { to: ['x@fora.example'] } }, admin.token))).toEqual(['actionId:validation.forward.unknownAction']);
  });
});
