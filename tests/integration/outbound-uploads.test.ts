import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, reply, upload, waitForDelivery } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let agent: { token: string };
let ticketId: string;

const REPLY = `mutation($t: ID!, $ids: [ID!]) { replyToTicket(ticketId: $t, input: { text: "Segue", attachmentIds: $ids }) { id attachments { filename } } }`;

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'starttls' });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url);
  const account = await createSinkAccount(app, admin.token, sink, { outgoing: { requiresAuth: false, username: null, password: null } });
  ticketId = (await importCustomerMail(app, account.id, { subject: 'Anexos' })).ticketId;
  await gqlOk(app.url, `mutation { createUser(input: { name: "Carla", email: "carla@acme.example", password: "correct horse battery staple", role: AGENT }) { id } }`, {}, admin.token);
  const login = await gqlOk(app.url, `mutation { login(email: "carla@acme.example", password: "correct horse battery staple") { token } }`);
  agent = { token: login.login.token };
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});

describe('POST /files/upload (reply attachments)', () => {
  it('stores the bytes for the uploading agent and keeps only the last path segment of the name', async () => {
    const bytes = Buffer.from('linha 1\nlinha 2\n');
    const res = await upload(app, agent.token, '../../etc/relatório.txt', bytes, 'text/plain; charset=utf-8');
    expect(res).toEqual({ status: 201, body: { id: expect.any(String), filename: 'relatório.txt', contentType: 'text/plain', size: bytes.length } });
    const sent = await gqlOk(app.url, REPLY, { t: ticketId, ids: [res.body.id] }, agent.token);
    expect(sent.replyToTicket.attachments).toEqual([{ filename: 'relatório.txt' }]);
    await waitForDelivery(app, agent.token, ticketId, sent.replyToTicket.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    // An upload goes with one reply only.
    const again = await gql(app.url, REPLY, { t: ticketId, ids: [res.body.id] }, agent.token);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'attachmentIds'] }] });
  });

  it('refuses requests without a valid token, a name, or with a form body', async () => {
    expect(await upload(app, null, 'a.txt', Buffer.from('x'))).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await upload(app, 'forged', 'a.txt', Buffer.from('x'))).toMatchObject({ status: 401 });
    expect(await upload(app, agent.token, '', Buffer.from('x'))).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await upload(app, agent.token, 'a.txt', Buffer.from(''))).toMatchObject({ status: 400, body: { error: { message: 'The file is empty.' } } });
    expect(await upload(app, agent.token, 'a.txt', Buffer.from('x'), 'multipart/form-data; boundary=x')).toMatchObject({ status: 415 });
  });

  it('refuses files over 25 MB without storing them', async () => {
    const res = await upload(app, agent.token, 'grande.bin', Buffer.alloc(25 * 1024 * 1024 + 1));
    expect(res).toMatchObject({ status: 413, body: { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('25 MB') } } });
  });

  it('lets nobody else send an agent’s upload: not a colleague, not another workspace', async () => {
    const mine = await upload(app, agent.token, 'privado.txt', Buffer.from('só meu'));
    const colleague = await gql(app.url, REPLY, { t: ticketId, ids: [mine.body.id] }, admin.token);
    expect(colleague.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
    const stranger = await signUp(app.url);
    const foreign = await upload(app, stranger.token, 'deles.txt', Buffer.from('outro workspace'));
    const crossed = await gql(app.url, REPLY, { t: ticketId, ids: [foreign.body.id] }, agent.token);
    expect(crossed.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
    // Nothing was queued by the refused replies.
    const ticket = await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { actions { kind } } }`, { id: ticketId }, admin.token);
    expect(ticket.ticket.actions.filter((a: any) => a.kind === 'EMAIL_OUT')).toHaveLength(1);
    const ok = await reply(app, agent.token, ticketId, { text: 'Agora sim', attachmentIds: [mine.body.id] });
    expect(ok.attachments).toMatchObject([{ filename: 'privado.txt' }]);
  });
});
