import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, parse, reply, ticketWithActions } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Issue 16: signatures per account, with the agent's own inside, under the reply and above the
// brand footer, in the text and the HTML part of what the SMTP server receives.

let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;

const UPDATE_ACCOUNT = `mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { id signature } }`;
const SET_MINE = `mutation($s: String) { updateMySignature(signature: $s) { id signature } }`;

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Ana Admin' });
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});

describe('signatures (issue 16)', () => {
  it('puts the account’s rich-text signature, with the agent’s own inside, under the reply and above the footer', async () => {
    const account = await createSinkAccount(app, admin.token, sink, {
      name: 'Acme Suporte',
      account: {
        brand: { name: 'Acme Ltda', url: 'https://acme.example' },
        signature: '<p>{{agente.assinatura}}</p><p><strong>{{conta.nome}}</strong> — atendimento ao cliente<br>Ticket #{{ticket.numero}}</p>',
      },
    });
    // What an agent's HTML may not do is gone when saved; what it formats stays.
    const mine = (await gqlOk(app.url, SET_MINE, { s: '<p onmouseover="steal()">{{agente.nome}} <em>Financeiro</em><script>alert(1)</script></p>' }, admin.token)).updateMySignature;
    expect(mine.signature).toBe('<p>{{agente.nome}} <em>Financeiro</em></p>');
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Boleto', to: account.address });
    const number = (await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { number } }`, { id: ticketId }, admin.token)).ticket.number;

    await reply(app, admin.token, ticketId, { text: 'Segue o boleto.' });
    const [message] = await sink.waitForMessages(1, 15_000);
    const parsed = await parse(message!.raw);
    const signature = `Ana Admin Financeiro\n\nAcme Suporte — atendimento ao cliente\nTicket #${number}`;
    // Text: the reply, the "-- " line, the signature read as text, then the footer.
    expect(parsed.text!.replace(/\r\n/g, '\n')).toMatch(new RegExp(`^Segue o boleto\\.\\n\\n-- \\n${escape(signature)}\\n\\nAcme Ltda`));
    // HTML: the same order, with the formatting the admin and the agent chose.
    const html = parsed.html as string;
    expect(html.indexOf('Segue o boleto.')).toBeLessThan(html.indexOf('class="correio-signature"'));
    expect(html.indexOf('class="correio-signature"')).toBeLessThan(html.indexOf('Acme Ltda'));
    expect(html).toContain(`<p>Ana Admin <em>Financeiro</em></p><p><strong>Acme Suporte</strong> — atendimento ao cliente<br />Ticket #${number}</p>`);
    expect(html).not.toMatch(/script|onmouseover/);
    // The thread shows what was sent.
    const sent = (await ticketWithActions(app, admin.token, ticketId)).actions.find((a: any) => a.kind === 'EMAIL_OUT');
    expect(sent.text).toBe(`Segue o boleto.\n\n-- \n${signature}`);
  });

  it('uses the agent’s own signature when the account has none, and none when neither has one', async () => {
    sink.reset();
    const account = await createSinkAccount(app, admin.token, sink, { name: 'Sem assinatura', address: 'vendas@acme.example' });
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Pedido', to: account.address });
    await reply(app, admin.token, ticketId, { text: 'Primeira.' });
    await gqlOk(app.url, SET_MINE, { s: '' }, admin.token);
    await reply(app, admin.token, ticketId, { text: 'Segunda.' });
    const texts = (await ticketWithActions(app, admin.token, ticketId)).actions.filter((a: any) => a.kind === 'EMAIL_OUT').map((a: any) => a.text);
    expect(texts).toEqual(['Primeira.\n\n-- \nAna Admin Financeiro', 'Segunda.']);
  });

  it('keeps the signature when an update omits it, removes it when emptied, and shows it to admins only', async () => {
    const accounts = (await gqlOk(app.url, `{ emailAccounts { id name kind address signature } }`, {}, admin.token)).emailAccounts;
    const acme = accounts.find((a: any) => a.name === 'Acme Suporte');
    // The whole account as the form sends it, minus the signature.
    const outgoing = { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: true, username: 'smtp-user', useSeparateIdentity: true, authMechanism: 'PLAIN' };
    const base = { name: acme.name, kind: acme.kind, address: acme.address, outgoing };
    expect((await gqlOk(app.url, UPDATE_ACCOUNT, { id: acme.id, input: base }, admin.token)).updateEmailAccount.signature).toContain('{{agente.assinatura}}');
    expect((await gqlOk(app.url, UPDATE_ACCOUNT, { id: acme.id, input: { ...base, signature: '  ' } }, admin.token)).updateEmailAccount.signature).toBeNull();
    const tooLong = await gql(app.url, UPDATE_ACCOUNT, { id: acme.id, input: { ...base, signature: 'x'.repeat(20_001) } }, admin.token);
    expect(tooLong.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');

    // An agent's own signature is theirs and the admins' to see, nobody else's.
    const email = `carla-${Date.now()}@acme.example`;
    await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { name: 'Carla', email, password: 'correct horse battery staple', role: 'AGENT' } }, admin.token);
    const carla = (await gqlOk(app.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: 'correct horse battery staple' })).login.token;
    // Text without any tag (an API client's, or Carla typing `<` in a name) is text: its lines kept, escaped.
    await gqlOk(app.url, SET_MINE, { s: 'Carla — Cobrança\nRamal <221>' }, carla);
    const seenByCarla = (await gqlOk(app.url, `{ users { name signature } }`, {}, carla)).users;
    expect(seenByCarla.find((u: any) => u.name === 'Carla').signature).toBe('<p>Carla — Cobrança<br>\nRamal &lt;221&gt;</p>');
    await gqlOk(app.url, SET_MINE, { s: 'Ana' }, admin.token);
    expect(seenByCarla.find((u: any) => u.name === 'Ana Admin').signature).toBeNull();
    expect((await gqlOk(app.url, `{ users { name signature } }`, {}, admin.token)).users.find((u: any) => u.name === 'Carla').signature).toContain('Carla — Cobrança');
  });

  it('previews a signature for a sample customer and ticket, in both parts', async () => {
    const PREVIEW = `query($a: String, $o: String) { signaturePreview(accountSignature: $a, agentSignature: $o, accountName: "Acme") { html text } }`;
    const preview = await gqlOk(app.url, PREVIEW, { a: '<p>{{agent.signature}}</p><p><b>{{conta.nome}}</b> · {{cliente.nome}} · #{{ticket.numero}}</p>', o: '{{agente.nome}}' }, admin.token);
    expect(preview.signaturePreview).toEqual({ html: '<p>Ana Admin</p><p><b>Acme</b> · Maria Silva · #1234</p>', text: 'Ana Admin\n\nAcme · Maria Silva · #1234' });
    // A preview is HTML the SPA shows: nothing in it may run.
    const hostile = await gqlOk(app.url, PREVIEW, { a: '<img src="x" onerror="alert(1)"><a href="javascript:alert(1)">site</a><iframe src="https://x.example"></iframe>', o: null }, admin.token);
    expect(hostile.signaturePreview.html).not.toMatch(/onerror|javascript:|iframe/);
    expect((await gqlOk(app.url, `{ signaturePreview(accountSignature: "   ", agentSignature: "") { html } }`, {}, admin.token)).signaturePreview).toBeNull();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
