import { schema } from '@correio/core';
import { enqueueEmail } from '@correio/mail-engine';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { UPDATE_ACCOUNT } from '../helpers/fragments.ts';
import { gql, gqlOk, subscribe, subscriptionsClosed, subscriptionsOpen, wsClient } from '../helpers/graphql.ts';
import {
  createSinkAccount,
  importCustomerMail,
  mimeTree,
  OUTBOUND_TIMING,
  outboundEngineOptions,
  parse,
  PNG_1X1,
  PNG_DATA_URL,
  rawHeaders,
  reply,
  ticketWithActions,
  upload,
  waitForDelivery,
} from '../helpers/outbound.ts';
import { freePort } from '../helpers/ports.ts';
import { registerTestServer } from '../helpers/test-servers.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string; address: string };

// The longest a retry can take to start: the retry policy's longest delay, plus one poll of the outbox.
const NO_RETRY_WINDOW_MS = OUTBOUND_TIMING.retry.maxMs + OUTBOUND_TIMING.pollMs;

const BRAND = { name: 'Acme Ltda', url: 'https://acme.example', logoDataUrl: PNG_DATA_URL };
const sent = (a: any) => a.delivery === 'SENT';
const failed = (a: any) => a.delivery === 'FAILED';

/** Messages the sink accepted that carry this Message-ID. */
const copiesOf = (messageId: string) => sink.messages.filter((m) => rawHeaders(m.raw).get('message-id')?.[0] === `<${messageId}>`);

/** An action's delivery line in one language (null: no Accept-Language, the server's default), with its text code. */
async function deliveryErrorOf(ticketId: string, actionId: string, language: string | null) {
  const res = await gql(app.url, `query($id: ID!) { ticket(id: $id) { actions { id deliveryError deliveryErrorText { code params { name value } detail } } } }`, { id: ticketId }, admin.token, language);
  const { id: _id, ...action } = res.data!.ticket.actions.find((a: { id: string }) => a.id === actionId);
  return action as { deliveryError: string | null; deliveryErrorText: { code: string; params: Array<{ name: string; value: string }>; detail: string | null } | null };
}

// A loopback port nothing listens on, allowed like the sink's (a refused connection, not a refused address).
let closedPort: number;

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'starttls', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  closedPort = await freePort();
  registerTestServer(closedPort);
  app = await startTestApp({}, outboundEngineOptions());
  admin = await signUp(app.url, { name: 'Beatriz Agente' });
  account = await createSinkAccount(app, admin.token, sink, { account: { brand: BRAND } });
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});
// Each test starts with an empty sink (messages and counters); a test that programs a failure clears it itself.
beforeEach(() => sink.reset());

describe('agent replies as e-mail (W2)', () => {
  it('sends from the account with exact threading headers, multipart/alternative bodies and the brand footer with the logo inline', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, {
      subject: 'Nota fiscal não chegou',
      messageId: 'root-1@cliente.example',
      cc: 'Chefe <chefe@cliente.example>',
      text: 'Bom dia, a nota fiscal de outubro não chegou.',
    });
    // The subject carries this ticket's number (#1 only if this test happens to run first).
    const { number } = await ticketWithActions(app, admin.token, ticketId);
    const ws = wsClient(app.url, admin.token);
    const open = app.subscriptions.open;
    const live = subscribe(ws, `subscription($id: ID) { ticketChanged(ticketId: $id) { actions { kind delivery } } }`, { id: ticketId });
    let action: any;
    try {
      await subscriptionsOpen(app, open + 1);

      action = await reply(app, admin.token, ticketId, { text: 'Olá Ana,\n\nSegue a nota: https://acme.example/nf/1\nQualquer dúvida, responda.', cc: ['chefe@cliente.example', 'Financeiro@Cliente.example'] });
      expect(action).toMatchObject({
        kind: 'EMAIL_OUT',
        delivery: 'QUEUED',
        from: 'support@acme.example',
        fromName: 'Acme Suporte',
        to: ['ana@cliente.example'],
        cc: ['chefe@cliente.example', 'financeiro@cliente.example'],
        subject: `Re: Nota fiscal não chegou [#${number}]`,
        author: { name: 'Beatriz Agente' },
      });
      expect(action.messageId).toMatch(/^[\w.-]+@acme\.example$/);

      const [message] = await sink.waitForMessages(1);
      expect(message!.from).toBe('support@acme.example');
      expect([...message!.to].sort()).toEqual(['ana@cliente.example', 'chefe@cliente.example', 'financeiro@cliente.example']);
      expect(message!.user).toBe('smtp-user');
      expect(message!.secure).toBe(true);

      const headers = rawHeaders(message!.raw);
      expect(headers.get('from')).toEqual(['Acme Suporte <support@acme.example>']);
      expect(headers.get('to')).toEqual(['ana@cliente.example']);
      expect(headers.get('cc')).toEqual(['chefe@cliente.example, financeiro@cliente.example']);
      expect(headers.get('message-id')).toEqual([`<${action.messageId}>`]);
      expect(headers.get('in-reply-to')).toEqual(['<root-1@cliente.example>']);
      expect(headers.get('references')).toEqual(['<root-1@cliente.example>']);
      expect(headers.has('bcc')).toBe(false);
      // A human reply must not look automatic (W5 works both ways).
      expect(headers.has('auto-submitted')).toBe(false);
      expect(headers.has('x-auto-response-suppress')).toBe(false);

      expect(mimeTree(message!.raw)).toBe(['multipart/alternative', '  text/plain', '  multipart/related', '    text/html', '    image/png'].join('\n'));
      const parsed = await parse(message!.raw);
      expect(parsed.subject).toBe(`Re: Nota fiscal não chegou [#${number}]`);
      expect(parsed.text).toBe('Olá Ana,\n\nSegue a nota: https://acme.example/nf/1\nQualquer dúvida, responda.\n\n-- \nAcme Ltda\nhttps://acme.example\n');
      const html = String(parsed.html);
      expect(html).toContain('<p>Olá Ana,</p>');
      expect(html).toContain('<p>Segue a nota: <a href="https://acme.example/nf/1">https://acme.example/nf/1</a><br>\nQualquer dúvida, responda.</p>');
      expect(html).toContain('<a href="https://acme.example" style="color:#555555;text-decoration:none;font-weight:bold">Acme Ltda</a>');
      const logo = parsed.attachments.find((a) => a.contentType === 'image/png')!;
      expect(logo.contentDisposition).toBe('inline');
      expect(logo.content.equals(PNG_1X1)).toBe(true);
      expect(html).toContain(`<img src="cid:${logo.contentId!.replace(/^<|>$/g, '')}" alt="Acme Ltda"`);

      const delivered = await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT');
      expect(delivered.deliveryError).toBeNull();
      const events = await live.next(2);
      expect(events.at(-1)!.data!.ticketChanged.actions.at(-1)).toEqual({ kind: 'EMAIL_OUT', delivery: 'SENT' });
    } finally {
      live.dispose();
      await ws.dispose();
      await subscriptionsClosed(app, open);
    }

    // Every Message-ID Correio sends is known as outgoing: threading and own-copy detection rely on it.
    const ids = await app.runtime.database.db.select().from(schema.ticketMessageIds).where(eq(schema.ticketMessageIds.messageId, action.messageId));
    expect(ids).toMatchObject([{ ticketId, actionId: action.id, outgoing: true }]);
    const ticket = await ticketWithActions(app, admin.token, ticketId);
    expect(ticket.status).toBe('OPEN');
    expect([...ticket.ccs].sort()).toEqual(['chefe@cliente.example', 'financeiro@cliente.example']);

    // The next reply follows the first in the thread.
    const second = await reply(app, admin.token, ticketId, { text: 'Reenviei também por correio.' });
    const [next] = await sink.waitForMessages(2).then((m) => m.slice(1));
    const nextHeaders = rawHeaders(next!.raw);
    expect(nextHeaders.get('in-reply-to')).toEqual([`<${action.messageId}>`]);
    expect(nextHeaders.get('references')).toEqual([`<root-1@cliente.example> <${action.messageId}>`]);
    expect(nextHeaders.get('message-id')).toEqual([`<${second.messageId}>`]);
    expect(second.messageId).not.toBe(action.messageId);
  });

  it('sends sanitized HTML, pasted images inline and uploaded files as attachments', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Print do erro' });
    const pdf = Buffer.from('%PDF-1.4\n% relatório\n');
    const file = await upload(app, admin.token, 'relatório outubro.pdf', pdf, 'application/pdf');
    expect(file).toMatchObject({ status: 201, body: { filename: 'relatório outubro.pdf', contentType: 'application/pdf', size: pdf.length } });

    const html = `<p onclick="steal()">Veja o <b>relatório</b> anexo.</p><script>alert(1)</script><img src="${PNG_DATA_URL}" alt="print"><a href="javascript:alert(1)">x</a>`;
    const action = await reply(app, admin.token, ticketId, { text: '', html, attachmentIds: [file.body.id] });
    expect(action.text).toBe('Veja o relatório anexo.\n\nx');
    expect(action.html).not.toMatch(/script|onclick|javascript:/);
    expect(action.attachments).toMatchObject([{ id: file.body.id, filename: 'relatório outubro.pdf', contentType: 'application/pdf', size: pdf.length }]);
    const download = await fetch(`${app.url}${action.attachments[0].url}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);

    const [message] = await sink.waitForMessages(1);
    expect(mimeTree(message!.raw)).toBe(
      ['multipart/mixed', '  multipart/alternative', '    text/plain', '    multipart/related', '      text/html', '      image/png', '      image/png', '  application/pdf'].join('\n'),
    );
    const parsed = await parse(message!.raw);
    expect(String(parsed.html)).not.toMatch(/<script|onclick|javascript:|data:image/);
    expect(String(parsed.html)).toContain('<b>relatório</b>');
    const pasted = parsed.attachments.find((a) => a.contentId?.includes('image1.'))!;
    expect(pasted.content.equals(PNG_1X1)).toBe(true);
    expect(String(parsed.html)).toContain(`src="cid:${pasted.contentId!.replace(/^<|>$/g, '')}"`);
    const attached = parsed.attachments.find((a) => a.contentType === 'application/pdf')!;
    expect(attached).toMatchObject({ filename: 'relatório outubro.pdf', contentDisposition: 'attachment' });
    expect(attached.content.equals(pdf)).toBe(true);
    await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT');
  });

  it('sends one message per recipient, each with its own stored Message-ID, when the account says so (A5)', async () => {
    const perRecipient = await createSinkAccount(app, admin.token, sink, { address: 'vendas@acme.example', name: 'Acme Vendas', account: { sendSingleMessageToAllRecipients: false } });
    const { ticketId } = await importCustomerMail(app, perRecipient.id, { subject: 'Orçamento', to: 'vendas@acme.example', cc: 'compras@cliente.example', messageId: 'orc-1@cliente.example' });
    const action = await reply(app, admin.token, ticketId, { text: 'Segue o orçamento.', cc: ['compras@cliente.example', 'diretoria@cliente.example'] });
    const messages = await sink.waitForMessages(3);
    const byRecipient = new Map(messages.map((m) => [m.to.join(','), rawHeaders(m.raw)]));
    expect([...byRecipient.keys()].sort()).toEqual(['ana@cliente.example', 'compras@cliente.example', 'diretoria@cliente.example']);
    for (const [recipient, headers] of byRecipient) {
      expect(headers.get('to')).toEqual([recipient]);
      expect(headers.has('cc')).toBe(false);
      expect(headers.get('in-reply-to')).toEqual(['<orc-1@cliente.example>']);
    }
    const messageIds = [...byRecipient.values()].map((h) => h.get('message-id')![0]!.replace(/^<|>$/g, ''));
    expect(new Set(messageIds).size).toBe(3);
    expect(byRecipient.get('ana@cliente.example')!.get('message-id')).toEqual([`<${action.messageId}>`]);
    const stored = await app.runtime.database.db
      .select({ messageId: schema.ticketMessageIds.messageId })
      .from(schema.ticketMessageIds)
      .where(and(eq(schema.ticketMessageIds.actionId, action.id), eq(schema.ticketMessageIds.outgoing, true)));
    expect(stored.map((s) => s.messageId).sort()).toEqual([...messageIds].sort());
    await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'all three messages to be SENT');
  });
});

describe('footer picture and automatic mail', () => {
  it('shows the replying agent’s picture in the footer when the account has no logo (A6)', async () => {
    const plain = await createSinkAccount(app, admin.token, sink, { address: 'ajuda@acme.example', account: { brand: { name: 'Acme Ajuda', url: 'https://ajuda.acme.example' } } });
    await app.runtime.database.db.update(schema.users).set({ avatarUrl: PNG_DATA_URL }).where(eq(schema.users.id, admin.userId));
    try {
      const { ticketId } = await importCustomerMail(app, plain.id, { subject: 'Sem logo', to: 'ajuda@acme.example' });
      await reply(app, admin.token, ticketId, { text: 'Olá' });
      const [message] = await sink.waitForMessages(1);
      const parsed = await parse(message!.raw);
      const avatar = parsed.attachments.find((a) => a.contentType === 'image/png')!;
      expect(avatar.content.equals(PNG_1X1)).toBe(true);
      expect(avatar.contentId).toMatch(/^<?avatar\./);
      expect(String(parsed.html)).toContain(`<img src="cid:${avatar.contentId!.replace(/^<|>$/g, '')}" alt="Beatriz Agente"`);
      expect(String(parsed.html)).toContain('>Acme Ajuda</a>');
    } finally {
      await app.runtime.database.db.update(schema.users).set({ avatarUrl: null }).where(eq(schema.users.id, admin.userId));
    }
  });

  it('marks Correio’s own automatic notifications Auto-Submitted: auto-generated (W5)', async () => {
    const { ticketId, messageId } = await importCustomerMail(app, account.id, { subject: 'Notificação automática' });
    const db = app.runtime.database.db;
    const [row] = await db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, account.id));
    const [ticket] = await db.select().from(schema.tickets).where(eq(schema.tickets.id, ticketId));
    const queued = await db.transaction((tx) =>
      enqueueEmail(
        tx,
        {
          workspaceId: row!.workspaceId,
          ticketId,
          account: row!,
          author: null,
          to: 'ana@cliente.example',
          cc: [],
          subject: `Recebemos sua mensagem [#${ticket!.number}]`,
          text: 'Seu chamado foi aberto.',
          html: '<p>Seu chamado foi aberto.</p>',
          inReplyTo: messageId,
          references: [messageId],
          attachments: [],
          automatic: true,
        },
        { blobs: app.runtime.blobs },
      ),
    );
    app.engine!.outbox.wake();
    const [message] = await sink.waitForMessages(1);
    const headers = rawHeaders(message!.raw);
    expect(headers.get('message-id')).toEqual([`<${queued.messageIds[0]}>`]);
    expect(headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(headers.get('x-auto-response-suppress')).toEqual(['All']);
  });
});

describe('delivery failures (W2: retried, visible, never lost)', () => {
  it('retries a temporary 451 with backoff and delivers exactly once', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Greylisting' });
    sink.failNext(1, 451, '4.7.1 Greylisted, please try again later');
    try {
      const action = await reply(app, admin.token, ticketId, { text: 'Resposta adiada uma vez.' });
      const delivered = await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT after the retry');
      expect(delivered.deliveryError).toBeNull();
      expect(copiesOf(action.messageId)).toHaveLength(1);
      expect(sink.transactions).toBe(2);
      const [row] = await app.runtime.database.db.select().from(schema.outbox).where(eq(schema.outbox.actionId, action.id));
      expect(row).toMatchObject({ state: 'SENT', attempts: 2 });
      expect(row!.lastResponse).toMatch(/^250 /);
    } finally {
      sink.clearFailures();
    }
  });

  it('shows a pending retry on the action while the server keeps deferring', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Servidor ocupado' });
    sink.failFor(1500, 421, '4.3.2 Service busy, closing transmission channel');
    try {
      const action = await reply(app, admin.token, ticketId, { text: 'Teste' });
      const retrying = await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'QUEUED' && !!a.deliveryError, 'a retry note');
      expect(retrying.deliveryError).toMatch(/^Not sent yet \(attempt \d\): .*421 4\.3\.2 Service busy.* Next attempt in \d+ s\.$/);
      await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT once the server recovers');
      expect(copiesOf(action.messageId)).toHaveLength(1);
    } finally {
      sink.clearFailures();
    }
  });

  it('stops at once on a 550 and shows the server’s response; "send again" reuses the Message-ID', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Filtro de spam' });
    sink.failNext(1, 550, '5.7.1 Message rejected as spam', 'DATA');
    let action: any;
    try {
      action = await reply(app, admin.token, ticketId, { text: 'Não é spam.' });
      const rejected = await waitForDelivery(app, admin.token, ticketId, action.id, failed, 'the reply to be FAILED');
      expect(rejected.deliveryError).toBe('The server refused the message: 550 5.7.1 Message rejected as spam');
      // Without Accept-Language the reader gets pt-BR; the server's own words stay as they were.
      const inPortuguese = await deliveryErrorOf(ticketId, action.id, null);
      expect(inPortuguese).toEqual({
        deliveryError: 'O servidor recusou a mensagem: 550 5.7.1 Message rejected as spam',
        deliveryErrorText: { code: 'mail.MESSAGE_REJECTED', params: [], detail: '550 5.7.1 Message rejected as spam' },
      });
      expect((await deliveryErrorOf(ticketId, action.id, 'en')).deliveryError).toBe('The server refused the message: 550 5.7.1 Message rejected as spam');
    } finally {
      sink.clearFailures();
    }
    // A negative check, so a bounded wait: a retry (the bug this guards against) would come after
    // at most the policy's longest delay plus one poll of the outbox; nothing more may happen in that time.
    await new Promise((r) => setTimeout(r, NO_RETRY_WINDOW_MS));
    expect(sink.transactions).toBe(1);
    const [row] = await app.runtime.database.db.select().from(schema.outbox).where(eq(schema.outbox.actionId, action.id));
    expect(row).toMatchObject({ state: 'FAILED', attempts: 1, lastResponse: '550 5.7.1 Message rejected as spam' });

    const again = await gqlOk(app.url, `mutation($id: ID!) { retryDelivery(actionId: $id) { delivery deliveryError deliveryErrorText { code } messageId } }`, { id: action.id }, admin.token);
    expect(again.retryDelivery).toEqual({ delivery: 'QUEUED', deliveryError: null, deliveryErrorText: null, messageId: action.messageId });
    await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the resent reply to be SENT');
    expect(copiesOf(action.messageId)).toHaveLength(1);
    const notFailed = await gql(app.url, `mutation($id: ID!) { retryDelivery(actionId: $id) { id } }`, { id: action.id }, admin.token);
    expect(notFailed.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
  });

  it('delivers to the accepted recipients and names the refused one', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Cópia errada', cc: 'ninguem@cliente.example' });
    sink.rejectRecipient('ninguem@cliente.example', 550, '5.1.1 <ninguem@cliente.example>: User unknown');
    try {
      const action = await reply(app, admin.token, ticketId, { text: 'Olá' });
      const [message] = await sink.waitForMessages(1);
      expect(message!.to).toEqual(['ana@cliente.example']);
      const done = await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT');
      expect(done.deliveryError).toBe('Not delivered to ninguem@cliente.example (550 5.1.1 <ninguem@cliente.example>: User unknown); the other recipients got it.');
      expect((await deliveryErrorOf(ticketId, action.id, 'pt-BR')).deliveryError).toBe(
        'Não entregue a ninguem@cliente.example (550 5.1.1 <ninguem@cliente.example>: User unknown); os demais destinatários receberam.',
      );
    } finally {
      sink.clearFailures();
    }
  });

  it('waits out a refused connection and sends once the admin fixes the port', async () => {
    const broken = await createSinkAccount(app, admin.token, sink, { address: 'suporte2@acme.example', outgoing: { port: closedPort } });
    const { ticketId } = await importCustomerMail(app, broken.id, { subject: 'Porta errada', to: 'suporte2@acme.example' });
    const action = await reply(app, admin.token, ticketId, { text: 'Olá' });
    const retrying = await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'QUEUED' && !!a.deliveryError, 'a retry note');
    expect(retrying.deliveryError).toMatch(/refused the connection/i);
    const status = await waitFor(async () => {
      const data = await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { outgoing { state } } lastErrors { direction code } } }`, { id: broken.id }, admin.token);
      return data.emailAccount.status.outgoing.state === 'ERROR' ? data.emailAccount : null;
    }, 'the outgoing status to show the refused connection');
    expect(status.lastErrors[0]).toEqual({ direction: 'OUTGOING', code: 'CONNECTION_REFUSED' });

    await gqlOk(
      app.url,
      UPDATE_ACCOUNT,
      {
        id: broken.id,
        input: {
          name: 'Acme Suporte 2',
          kind: 'EXTERNAL',
          address: 'suporte2@acme.example',
          outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'STARTTLS', requiresAuth: true, username: 'smtp-user', password: 'smtp-pass', useSeparateIdentity: true, authMechanism: 'PLAIN' },
        },
      },
      admin.token,
    );
    await waitForDelivery(app, admin.token, ticketId, action.id, sent, 'the reply to be SENT after the fix');
    expect(copiesOf(action.messageId)).toHaveLength(1);
    await waitFor(async () => {
      const data = await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { outgoing { state } } } }`, { id: broken.id }, admin.token);
      return data.emailAccount.status.outgoing.state === 'OK';
    }, 'the outgoing status to recover');
  });
});

describe('reply validation', () => {
  it('refuses an empty reply, a bad CC and another workspace’s ticket', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Validação' });
    const empty = await gql(app.url, `mutation($t: ID!) { replyToTicket(ticketId: $t, input: { text: "  " }) { id } }`, { t: ticketId }, admin.token);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'text'] }] });
    const badCc = await gql(app.url, `mutation($t: ID!) { replyToTicket(ticketId: $t, input: { text: "Oi", cc: ["não é e-mail"] }) { id } }`, { t: ticketId }, admin.token);
    expect(badCc.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'cc', 0] }] });
    const other = await signUp(app.url);
    const foreign = await gql(app.url, `mutation($t: ID!) { replyToTicket(ticketId: $t, input: { text: "Oi" }) { id } }`, { t: ticketId }, other.token);
    expect(foreign.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const anonymous = await gql(app.url, `mutation($t: ID!) { replyToTicket(ticketId: $t, input: { text: "Oi" }) { id } }`, { t: ticketId });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const actions = (await ticketWithActions(app, admin.token, ticketId)).actions;
    expect(actions.map((a: any) => a.kind)).toEqual(['EMAIL_IN']);
  });

  it('never logs the reply’s text or the SMTP password', () => {
    const all = app.logs.join('\n');
    expect(all).not.toContain('smtp-pass');
    expect(all).not.toContain('Olá Ana');
    expect(all).not.toContain('Não é spam');
  });
});
