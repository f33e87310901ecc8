import { schema } from '@correio/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepAbandonedUploads } from '../../packages/mail-engine/src/outbox/outbox-store.ts';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, parse, reply, upload } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Issue 16: a canned reply's files — kept with it, attached as copies to the message it is
// inserted in, and what reaches the SMTP server; and the ways to abuse them.

let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let agent: string;

const CREATE = `mutation($input: CannedReplyInput!) { createCannedReply(input: $input) { id attachments { id filename size } } }`;
const UPDATE = `mutation($id: ID!, $input: CannedReplyInput!) { updateCannedReply(id: $id, input: $input) { id attachments { id filename } } }`;
const INSERT = `mutation($id: ID!, $t: ID!) { insertCannedReply(id: $id, ticketId: $t) { text attachments { id filename size contentType } } }`;
const fieldCodes = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  r.errors?.flatMap((e) => ((e.extensions?.['fields'] ?? []) as Array<{ path: string[]; text?: { code: string } }>).map((f) => `${f.path.join('.')}:${f.text?.code}`));

const PRICES = Buffer.from('%PDF-1.4 tabela de preços 2027');

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Ana Admin' });
  const email = `bruno-${Date.now()}@loja.example`;
  const password = 'correct horse battery staple';
  await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { name: 'Bruno Agente', email, password, role: 'AGENT' } }, admin.token);
  agent = (await gqlOk(app.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: password })).login.token;
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});

describe('canned reply files (issue 16)', () => {
  it('sends a copy of the reply’s file with the message it is inserted in, and keeps the reply’s own', async () => {
    const file = (await upload(app, admin.token, 'tabela-precos.pdf', PRICES, 'application/pdf')).body;
    const canned = (await gqlOk(app.url, CREATE, { input: { title: 'Tabela de preços', text: 'Olá {{cliente.nome}}, segue a tabela.', attachmentIds: [file.id] } }, admin.token)).createCannedReply;
    expect(canned.attachments).toEqual([{ id: file.id, filename: 'tabela-precos.pdf', size: PRICES.length }]);

    const account = await createSinkAccount(app, admin.token, sink, { name: 'Vendas' });
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Preços', to: account.address });
    // Bruno, an agent, inserts the workspace's reply: his own copy of the file.
    const inserted = (await gqlOk(app.url, INSERT, { id: canned.id, t: ticketId }, agent)).insertCannedReply;
    expect(inserted.text).toBe('Olá Ana Cliente, segue a tabela.');
    expect(inserted.attachments).toEqual([{ id: expect.any(String), filename: 'tabela-precos.pdf', size: PRICES.length, contentType: 'application/pdf' }]);
    expect(inserted.attachments[0].id).not.toBe(file.id);

    await reply(app, agent, ticketId, { text: inserted.text, attachmentIds: [inserted.attachments[0].id] });
    const [message] = await sink.waitForMessages(1, 15_000);
    const parsed = await parse(message!.raw);
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.equals(PRICES)])).toEqual([['tabela-precos.pdf', 'application/pdf', true]]);

    // The reply still has its file, bytes and all, for the next customer.
    const [kept] = await app.runtime.database.db.select().from(schema.attachments).where(eq(schema.attachments.id, file.id));
    expect(kept).toMatchObject({ cannedReplyId: canned.id, actionId: null });
    expect((await app.runtime.blobs.readBuffer(kept!.blobKey)).equals(PRICES)).toBe(true);
  });

  it('keeps its files from the sweep of unsent uploads, and drops what an edit removes', async () => {
    const file = (await upload(app, admin.token, 'formulario.pdf', Buffer.from('%PDF-1.4 formulário'), 'application/pdf')).body;
    const other = (await upload(app, admin.token, 'contrato.pdf', Buffer.from('%PDF-1.4 contrato'), 'application/pdf')).body;
    const canned = (await gqlOk(app.url, CREATE, { input: { title: 'Formulário', text: 'Preencha o formulário.', attachmentIds: [file.id, other.id] } }, admin.token)).createCannedReply;
    const db = app.runtime.database.db;
    const [row] = await db.select().from(schema.attachments).where(eq(schema.attachments.id, other.id));

    // Every unsent upload older than "now" is swept: the reply's files are not uploads.
    const unsent = (await upload(app, admin.token, 'esquecido.txt', Buffer.from('nunca enviado'))).body;
    const swept = await sweepAbandonedUploads(db, 0);
    expect(swept.length).toBeGreaterThan(0);
    const left = (await db.select({ id: schema.attachments.id }).from(schema.attachments)).map((r) => r.id);
    expect(left).toEqual(expect.arrayContaining([file.id, other.id]));
    expect(left).not.toContain(unsent.id);

    // An edit that leaves a file out removes it, bytes too; omitting the list keeps them.
    const edited = (await gqlOk(app.url, UPDATE, { id: canned.id, input: { title: 'Formulário', text: 'Preencha.', attachmentIds: [file.id] } }, admin.token)).updateCannedReply;
    expect(edited.attachments.map((a: any) => a.filename)).toEqual(['formulario.pdf']);
    expect(await app.runtime.blobs.exists(row!.blobKey)).toBe(false);
    const untouched = (await gqlOk(app.url, UPDATE, { id: canned.id, input: { title: 'Formulário', text: 'Preencha já.' } }, admin.token)).updateCannedReply;
    expect(untouched.attachments.map((a: any) => a.filename)).toEqual(['formulario.pdf']);

    // Deleting the reply deletes its files.
    const [kept] = await db.select().from(schema.attachments).where(eq(schema.attachments.id, file.id));
    await gqlOk(app.url, `mutation($id: ID!) { deleteCannedReply(id: $id) }`, { id: canned.id }, admin.token);
    expect(await db.select().from(schema.attachments).where(eq(schema.attachments.id, file.id))).toEqual([]);
    expect(await app.runtime.blobs.exists(kept!.blobKey)).toBe(false);
  });

  it('refuses another agent’s upload, a reply’s own file sent directly, too many files, and a ticket of another workspace', async () => {
    const brunos = (await upload(app, agent, 'do-bruno.pdf', Buffer.from('%PDF-1.4 dele'), 'application/pdf')).body;
    // Ana cannot put Bruno's pending upload in a reply of hers: it is his.
    const taken = await gql(app.url, CREATE, { input: { title: 'Alheio', text: 'x', attachmentIds: [brunos.id] } }, admin.token);
    expect(fieldCodes(taken)).toEqual(['input.attachmentIds:validation.reply.attachmentUnavailable']);
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Inventado', text: 'x', attachmentIds: ['not-an-id'] } }, admin.token))).toEqual([
      'input.attachmentIds:validation.reply.attachmentUnavailable',
    ]);
    const eleven = Array.from({ length: 11 }, () => brunos.id);
    expect(fieldCodes(await gql(app.url, CREATE, { input: { title: 'Muitos', text: 'x', attachmentIds: eleven, personal: true } }, agent))).toEqual(['input.attachmentIds:validation.canned.tooManyFiles']);

    // Bruno keeps his own reply's file; sending that very file (not a copy) would take it from the reply.
    const mine = (await gqlOk(app.url, CREATE, { input: { title: 'Meu anexo', text: 'Segue.', personal: true, attachmentIds: [brunos.id] } }, agent)).createCannedReply;
    const account = await createSinkAccount(app, admin.token, sink, { name: 'Outra', address: 'outra@loja.example' });
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Anexo', to: account.address });
    const direct = await gql(app.url, `mutation($t: ID!, $i: ReplyInput!) { replyToTicket(ticketId: $t, input: $i) { id } }`, { t: ticketId, i: { text: 'Segue.', attachmentIds: [brunos.id] } }, agent);
    expect(fieldCodes(direct)).toEqual(['input.attachmentIds:validation.reply.attachmentUnavailable']);
    // Nobody else sees or inserts an agent's own reply; a stranger cannot use it on their ticket either.
    expect(fieldCodes(await gql(app.url, INSERT, { id: mine.id, t: ticketId }, admin.token))).toEqual(['id:validation.canned.unknown']);
    const stranger = await signUp(app.url);
    expect(fieldCodes(await gql(app.url, INSERT, { id: mine.id, t: ticketId }, stranger.token))).toEqual(['id:validation.canned.unknown']);
    expect((await gqlOk(app.url, `{ cannedReplies { title } }`, {}, stranger.token)).cannedReplies).toEqual([]);
  });
});
