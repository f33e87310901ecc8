import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@correio/core';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { sendToReceiver } from '../../helpers/inbound.ts';
import { outboundEngineOptions, PNG_1X1, rawHeaders, reply, waitForDelivery } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { waitFor } from '../../helpers/wait.ts';

// W8 through a real mailbox: the shapes Outlook, Apple Mail and old mailers give real mail —
// winmail.dat, attached messages, invitations, S/MIME, Thread-Index, no Message-ID, no From,
// dozens of attachments — imported over IMAP from Dovecot and read back through GraphQL.
// The public-corpus messages themselves are in corpora.test.ts; these are the cases a corpus
// message cannot isolate (threading across two messages, a reply's headers, storage).

let dovecot: Dovecot;
let sink: SmtpSink;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let accountId: string;

const ATTACHMENT = 'id filename contentType size inline url attachedMessage { subject from date text attachments { filename size } } calendarEvent { method summary start end location organizer }';
const TICKETS = `query($search: String) { tickets(first: 10, filter: { search: $search }) { edges { node { id number subject customer { email name }
  actions { kind from fromName subject text html messageId smimeSigned attachments { ${ATTACHMENT} } } } } } }`;
const ticketsMatching = async (search: string) => (await gqlOk(app.url, TICKETS, { search }, admin.token)).tickets.edges.map((e: any) => e.node);
const waitForTicket = (search: string, predicate: (t: any) => boolean = () => true) =>
  waitFor(async () => (await ticketsMatching(search)).find(predicate), `a ticket matching “${search}”`, 30_000);

/** A multipart message, byte for byte as a mailer would write it. */
function multipart(headers: Record<string, string>, parts: Array<{ headers: Record<string, string>; body: string | Buffer }>, type = 'mixed'): Buffer {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const head = Object.entries({ 'MIME-Version': '1.0', Date: new Date().toUTCString(), ...headers, 'Content-Type': `multipart/${type}; boundary="${boundary}"` })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  const chunks: Buffer[] = [Buffer.from(`${head}\r\n\r\n`)];
  for (const part of parts) {
    const partHead = Object.entries(part.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    chunks.push(Buffer.from(`--${boundary}\r\n${partHead}\r\n\r\n`), Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
const text = (body: string) => ({ headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body });
const base64File = (filename: string, type: string, bytes: Buffer, extra: Record<string, string> = {}) => ({
  headers: { 'Content-Type': `${type}; name="${filename}"`, 'Content-Disposition': `attachment; filename="${filename}"`, 'Content-Transfer-Encoding': 'base64', ...extra },
  body: bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
});
const from = (name = 'Ana Cliente', address = 'ana@cliente.example') => ({ From: `${name} <${address}>`, To: 'support@acme.example' });

/**
 * Delivers a message already imported once more, then a marker behind it: once the marker is a
 * ticket, the copy has been fetched too, and must have added neither a ticket nor an action.
 */
async function expectSecondCopyIgnored(raw: Buffer, search: string, marker: string) {
  await dovecot.deliver('support', raw);
  await dovecot.deliver('support', multipart({ ...from(), Subject: marker, 'Message-ID': `<marker-${randomBytes(6).toString('hex')}@cliente.example>` }, [text('ok')]));
  await waitForTicket(marker);
  const again = await ticketsMatching(search);
  expect(again).toHaveLength(1);
  expect(again[0].actions).toHaveLength(1);
  return again[0];
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }] });
  sink = await startSmtpSink({ tls: 'none' });
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { slug: 'mundo-real' });
  const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', {
    account: { outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: false } },
  });
  accountId = account.id;
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: accountId }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect', 30_000);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
  await dovecot?.stop();
});

describe('Outlook and friends (W8)', () => {
  it('unpacks winmail.dat into the files it carries', async () => {
    // A real TNEF stream from node-tnef's test suite (MIT; see tests/fixtures/corpora/node-tnef).
    const dat = await readFile(new URL('../../fixtures/corpora/node-tnef/attachments.dat', import.meta.url));
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Planilha em anexo (Outlook)', 'Message-ID': '<tnef-1@cliente.example>' }, [text('Segue.'), base64File('winmail.dat', 'application/ms-tnef', dat)]));
    const ticket = await waitForTicket('Planilha em anexo');
    const files = ticket.actions[0].attachments.map((a: any) => a.filename);
    expect(files).not.toContain('winmail.dat');
    expect(files.length).toBeGreaterThan(0);
    for (const file of ticket.actions[0].attachments) expect(file.size).toBeGreaterThan(0);
  });

  it('shows an attached e-mail as what it says, and downloads it as .eml', async () => {
    const inner = multipart({ From: 'Fornecedor <vendas@fornecedor.example>', To: 'ana@cliente.example', Subject: 'Proposta comercial 2027', 'Message-ID': '<inner-1@fornecedor.example>', Date: 'Tue, 01 Dec 2026 14:00:00 +0000' }, [
      text('Prezada Ana, segue a proposta.'),
      base64File('proposta.pdf', 'application/pdf', Buffer.from('%PDF-1.4 proposta')),
    ]);
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Encaminhando a proposta', 'Message-ID': '<fwd-1@cliente.example>' }, [text('Vejam abaixo.'), { headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': 'attachment' }, body: inner }]));
    const ticket = await waitForTicket('Encaminhando a proposta');
    const attached = ticket.actions[0].attachments.find((a: any) => a.attachedMessage);
    expect(attached).toMatchObject({
      contentType: 'message/rfc822',
      filename: expect.stringMatching(/\.eml$/),
      attachedMessage: { subject: 'Proposta comercial 2027', from: expect.stringContaining('vendas@fornecedor.example'), text: expect.stringContaining('segue a proposta'), attachments: [{ filename: 'proposta.pdf', size: 17 }] },
    });
    const download = await fetch(new URL(attached.url, app.url));
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('Subject: Proposta comercial 2027');
  });

  it('summarizes a calendar invitation', async () => {
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'METHOD:REQUEST', 'PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN', 'BEGIN:VEVENT', 'UID:reuniao-42', 'SUMMARY:Reunião de alinhamento', 'DTSTART:20261210T130000Z', 'DTEND:20261210T140000Z', 'LOCATION:Sala 3', 'ORGANIZER;CN=Ana:mailto:ana@cliente.example', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Convite: alinhamento', 'Message-ID': '<ics-1@cliente.example>' }, [text('Convite.'), { headers: { 'Content-Type': 'text/calendar; method=REQUEST; charset=utf-8', 'Content-Disposition': 'attachment; filename="invite.ics"' }, body: ics }]));
    const ticket = await waitForTicket('Convite: alinhamento');
    const invite = ticket.actions[0].attachments.find((a: any) => a.calendarEvent);
    expect(invite.calendarEvent).toEqual({ method: 'REQUEST', summary: 'Reunião de alinhamento', start: '2026-12-10T13:00:00.000Z', end: '2026-12-10T14:00:00.000Z', location: 'Sala 3', organizer: 'ana@cliente.example' });
  });

  it('shows S/MIME signed mail’s content with a signed mark, without listing the signature', async () => {
    const signed = multipart(
      { ...from(), Subject: 'Contrato assinado digitalmente', 'Message-ID': '<smime-1@cliente.example>' },
      [text('O contrato segue assinado.'), { headers: { 'Content-Type': 'application/pkcs7-signature; name="smime.p7s"', 'Content-Disposition': 'attachment; filename="smime.p7s"', 'Content-Transfer-Encoding': 'base64' }, body: randomBytes(300).toString('base64') }],
      'signed; protocol="application/pkcs7-signature"; micalg=sha-256',
    );
    await dovecot.deliver('support', signed);
    const ticket = await waitForTicket('Contrato assinado');
    expect(ticket.actions[0]).toMatchObject({ smimeSigned: true, text: 'O contrato segue assinado.', attachments: [] });
  });

  it('threads by Outlook’s Thread-Index, and writes it on our reply', async () => {
    const conversation = Buffer.concat([Buffer.from([0x01]), randomBytes(21)]);
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Boleto não gerado', 'Message-ID': '<ol-1@cliente.example>', 'Thread-Topic': 'Boleto não gerado', 'Thread-Index': conversation.toString('base64') }, [text('O boleto não aparece.')]));
    const first = await waitForTicket('Boleto não gerado');
    // Outlook's answer lost In-Reply-To and References and has a new subject: only the
    // conversation in Thread-Index ties it to the ticket.
    const child = Buffer.concat([conversation, randomBytes(5)]).toString('base64');
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Mais um detalhe', 'Message-ID': '<ol-2@cliente.example>', 'Thread-Topic': 'Boleto não gerado', 'Thread-Index': child }, [text('Esqueci: é o pedido 77.')]));
    const threaded = await waitForTicket('Boleto não gerado', (t) => t.actions.length === 2);
    expect(threaded.id).toBe(first.id);
    expect(await ticketsMatching('Mais um detalhe')).toEqual([]);

    const action = await reply(app, admin.token, first.id, { text: 'Boleto reenviado.' });
    await waitForDelivery(app, admin.token, first.id, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    const sent = sink.messages.find((m) => m.raw.includes(`<${action.messageId}>`))!;
    const headers = rawHeaders(sent.raw);
    const index = Buffer.from(headers.get('thread-index')![0]!, 'base64');
    expect(index.subarray(0, 22).equals(conversation)).toBe(true);
    expect(index.length).toBe(27);
    expect(decodeWords(headers.get('thread-topic')![0]!)).toBe('Boleto não gerado');
  });
});

describe('messages that break the rules (W8)', () => {
  it('gives a message without Message-ID a stable synthetic one: fetched twice, imported once', async () => {
    const raw = Buffer.from(`From: Ana <ana@cliente.example>\r\nTo: support@acme.example\r\nSubject: Sem identificador\r\nDate: ${new Date().toUTCString()}\r\n\r\nMensagem sem Message-ID.\r\n`);
    await dovecot.deliver('support', raw);
    const ticket = await waitForTicket('Sem identificador');
    expect(ticket.actions[0].messageId).toMatch(/^[0-9a-f]{40}@synthetic\.correio\.invalid$/);
    // The same bytes again (a client's copy, a resync): the same message.
    await expectSecondCopyIgnored(raw, 'Sem identificador', 'Marcador depois da cópia');
  });

  it('answers Reply-To when From is unusable, and lists a message that names nobody as a failed import', async () => {
    await dovecot.deliver('support', Buffer.from(`From: undisclosed\r\nReply-To: Carla <carla@cliente.example>\r\nTo: support@acme.example\r\nSubject: Sem remetente válido\r\nMessage-ID: <nofrom-1@cliente.example>\r\n\r\nResponda para Carla.\r\n`));
    const ticket = await waitForTicket('Sem remetente válido');
    expect(ticket.customer).toMatchObject({ email: 'carla@cliente.example' });

    await dovecot.deliver('support', Buffer.from(`To: support@acme.example\r\nSubject: Ninguém assina\r\nMessage-ID: <nobody-1@cliente.example>\r\n\r\nSem From, Reply-To, Sender nem Return-Path.\r\n`));
    const failed = await waitFor(
      async () => ((await gqlOk(app.url, `{ failedImports { error size } }`, {}, admin.token)).failedImports as Array<{ error: string }>).find((f) => /names nobody to answer/.test(f.error)),
      'the failed import',
      30_000,
    );
    expect(failed.error).toMatch(/From, Reply-To, Sender and Return-Path are all missing/);
    expect(await ticketsMatching('Ninguém assina')).toEqual([]);
  });

  it('strips NUL and control bytes from names, subject and text, and imports the message', async () => {
    // Through Correio's own SMTP receiver: Dovecot itself turns NUL into 0x80 before IMAP
    // clients see it, but an SMTP client may send anything.
    const [builtin] = (await gqlOk(app.url, `{ emailAccounts { kind address } }`, {}, admin.token)).emailAccounts.filter((a: any) => a.kind === 'BUILTIN');
    // The signature's domain has one too: it reaches the sender-verification results (stored as jsonb, which refuses \u0000).
    const raw = Buffer.from(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=cli\u0000ente.example; s=s\u0000el; h=from:subject; bh=YWJj; b=ZGVm\r\nFrom: "Jo\u0000\u0007ão" <joao@cliente.example>\r\nTo: ${builtin.address}\r\nSubject: Pedido\u0000 com\u0001 NUL\r\nMessage-ID: <nul-1@cliente.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLinha\u0000 um\r\nLinha\u000b dois\r\n`, 'utf8');
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'joao@cliente.example', to: [builtin.address] }, raw);
    const ticket = await waitForTicket('com NUL');
    expect(ticket.subject).toBe('Pedido com NUL');
    expect(ticket.actions[0].fromName).toBe('João');
    expect(ticket.actions[0].text).toBe('Linha um\nLinha dois');
  });

  it('imports a message whose subject, sender name and Message-ID are each longer than a database index entry', async () => {
    // Spam kits and broken mailers write headers of many kilobytes. Each of these three is a key
    // of a btree index (a subject for threading, a customer's name, a Message-ID), whose entries
    // PostgreSQL caps at ~2.7 KB: the insert — and the import — failed on such a header.
    const noise = (n: number) => randomBytes(n).toString('base64').replace(/[+/=]/g, 'x');
    const subject = `Urgente ${noise(6000)}`;
    const name = `Cliente ${noise(5000)}`;
    const messageId = `<${noise(4000)}@cliente.example>`;
    const fold = (value: string) => value.replace(/(.{900})/g, '$1\r\n ');
    const mail = Buffer.from(`From: "${fold(name)}" <longo@cliente.example>\r\nTo: support@acme.example\r\nSubject: ${fold(subject)}\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\nCabeçalhos enormes.\r\n`);
    await dovecot.deliver('support', mail);
    const ticket = await waitFor(async () => (await ticketsMatching('longo@cliente.example'))[0], 'the ticket', 30_000);
    expect(ticket.subject.startsWith('Urgente ')).toBe(true);
    expect(ticket.customer.email).toBe('longo@cliente.example');
    expect(ticket.actions[0].text).toBe('Cabeçalhos enormes.');
    // The same message fetched again is still recognized as the same one.
    const again = await expectSecondCopyIgnored(mail, 'longo@cliente.example', 'Marcador depois dos cabeçalhos longos');
    expect(again.customer.name.startsWith('Cliente ')).toBe(true);
    expect(again.customer.name.length).toBeLessThanOrEqual(200);
    // The customer answers under another subject: the long id, read the same way, threads it.
    await dovecot.deliver('support', Buffer.from(`From: longo@cliente.example\r\nTo: support@acme.example\r\nSubject: Outra coisa\r\nMessage-ID: <long-reply@cliente.example>\r\nIn-Reply-To: ${messageId}\r\nReferences: ${messageId}\r\n\r\nResposta.\r\n`));
    await waitFor(async () => ((await ticketsMatching('longo@cliente.example'))[0]?.actions.length === 2 ? true : null), 'the answer on the same ticket', 30_000);
    expect(await ticketsMatching('longo@cliente.example')).toHaveLength(1);
  });

  it('keeps every one of 45 attachments, stores identical files once, and links inline images by cid', async () => {
    const logo = PNG_1X1;
    const files = Array.from({ length: 45 }, (_, i) => base64File(`nota-${String(i + 1).padStart(2, '0')}.txt`, 'text/plain', Buffer.from(`nota fiscal ${i + 1}\n`)));
    const html = {
      headers: { 'Content-Type': 'multipart/related; boundary="rel"' },
      body: ['--rel', 'Content-Type: text/html; charset=utf-8', '', '<p>Notas em anexo.</p><img src="cid:logo@acme">', '--rel', 'Content-Type: image/png', 'Content-ID: <logo@acme>', 'Content-Disposition: inline; filename="logo.png"', 'Content-Transfer-Encoding: base64', '', logo.toString('base64'), '--rel--', ''].join('\r\n'),
    };
    // The same bytes under two names in the message (a client that attached it twice).
    const twin = Buffer.from('contrato assinado v3\n');
    await dovecot.deliver('support', multipart({ ...from(), Subject: 'Quarenta e cinco notas', 'Message-ID': '<many-1@cliente.example>' }, [html, ...files, base64File('contrato.txt', 'text/plain', twin), base64File('contrato (1).txt', 'text/plain', twin)]));
    const ticket = await waitForTicket('Quarenta e cinco notas');
    const attachments = ticket.actions[0].attachments;
    const listed = attachments.filter((a: any) => !a.inline).map((a: any) => a.filename);
    expect(listed).toHaveLength(47);
    expect(listed).toEqual(expect.arrayContaining(['nota-01.txt', 'nota-45.txt', 'contrato.txt', 'contrato (1).txt']));
    const inline = attachments.find((a: any) => a.inline);
    expect(inline).toMatchObject({ filename: 'logo.png', contentType: 'image/png' });
    expect(ticket.actions[0].html).toContain(inline.url.split('?')[0]);
    expect(ticket.actions[0].html).not.toContain('cid:');

    const rows = await app.runtime.database.db
      .select({ blobKey: schema.attachments.blobKey })
      .from(schema.attachments)
      .where(and(inArray(schema.attachments.filename, ['contrato.txt', 'contrato (1).txt']), eq(schema.attachments.inline, false)));
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.blobKey)).size).toBe(1);
    const [a, b] = attachments.filter((x: any) => x.filename.startsWith('contrato'));
    expect(await (await fetch(new URL(a.url, app.url))).text()).toBe('contrato assinado v3\n');
    expect(await (await fetch(new URL(b.url, app.url))).text()).toBe('contrato assinado v3\n');
  });

  it('decodes unlabelled 8-bit windows-1252 text instead of showing replacement characters', async () => {
    const body = Buffer.from('Olá, não recebi a cotação do serviço de manutenção. Poderiam reenviar a proposta até sexta-feira? Obrigado, João.', 'latin1');
    await dovecot.deliver('support', Buffer.concat([Buffer.from(`From: =?iso-8859-1?Q?Jo=E3o?= <joao@legado.example>\r\nTo: support@acme.example\r\nSubject: Cotação pendente\r\nMessage-ID: <legacy-1@legado.example>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`.replace('Cotação', Buffer.from('Cotação', 'latin1').toString('latin1')), 'latin1'), body, Buffer.from('\r\n')]));
    const ticket = await waitForTicket('pendente');
    expect(ticket.subject).toBe('Cotação pendente');
    expect(ticket.actions[0].text).toContain('não recebi a cotação do serviço de manutenção');
    expect(ticket.actions[0].text).not.toContain('\uFFFD');
  });
});

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `?B?`), as a mail client shows the header. */
function decodeWords(value: string): string {
  return value.replace(/\s*=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_, kind: string, data: string) =>
    kind.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}
