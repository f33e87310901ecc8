import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '@correio/core';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { waitFor } from '../../helpers/wait.ts';

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string };

const TICKETS = `query($search: String) { tickets(first: 50, filter: { search: $search }) { totalCount edges { node { id number subject status ccs customer { email name } type { name } group { name } account { id }
  actions { kind from subject text fullText html messageId attachments { filename contentType size inline url } } } } } }`;

async function ticketsMatching(search: string) {
  return (await gqlOk(app.url, TICKETS, { search }, admin.token)).tickets.edges.map((e: any) => e.node);
}

async function waitForTicket(search: string, predicate: (t: any) => boolean = () => true) {
  return waitFor(async () => (await ticketsMatching(search)).find(predicate), `a ticket matching "${search}"`);
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }, { user: 'sales', password: 'secret2' }] });
  app = await startTestApp();
  admin = await signUp(app.url);
  const type = (await gqlOk(app.url, `mutation { createTicketType(name: "Question") { id } }`, {}, admin.token)).createTicketType;
  const group = (await gqlOk(app.url, `mutation { createGroup(name: "First line") { id } }`, {}, admin.token)).createGroup;
  account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', { account: { ticketTypeId: type.id, groupId: group.id } });
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect');
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('IMAP import (W1, W3)', () => {
  it('turns a customer e-mail into a typed, grouped ticket with the sender as client', async () => {
    const { messageId } = buildMail();
    await dovecot.deliver('support', buildMail({ subject: 'Nota fiscal não chegou', text: 'Bom dia, a nota fiscal de outubro não chegou.', messageId: 'first-1@cliente.example' }).raw);
    const ticket = await waitForTicket('Nota fiscal');
    expect(ticket).toMatchObject({
      subject: 'Nota fiscal não chegou',
      status: 'NEW',
      customer: { email: 'ana@cliente.example', name: 'Ana Cliente' },
      type: { name: 'Question' },
      group: { name: 'First line' },
      account: { id: account.id },
      actions: [{ kind: 'EMAIL_IN', from: 'ana@cliente.example', text: 'Bom dia, a nota fiscal de outubro não chegou.', messageId: 'first-1@cliente.example' }],
    });
    expect(messageId).toBeTruthy();
  });

  it('threads replies by In-Reply-To, by References alone, and by the [#n] tag', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Pedido 4411 atrasado', messageId: 'root-2@cliente.example' }).raw);
    const ticket = await waitForTicket('Pedido 4411');
    await dovecot.deliver('support', buildMail({ subject: 'Re: Pedido 4411 atrasado', inReplyTo: 'root-2@cliente.example', text: 'Alguma novidade?' }).raw);
    await dovecot.deliver('support', buildMail({ subject: 'outra coisa', references: ['unknown@x', 'root-2@cliente.example'], text: 'Só References.' }).raw);
    await dovecot.deliver('support', buildMail({ subject: `Sem relação [#${ticket.number}]`, text: 'Pela etiqueta.' }).raw);
    const updated = await waitForTicket('Pedido 4411', (t) => t.actions.length === 4);
    expect(updated.id).toBe(ticket.id);
    expect(updated.actions.map((a: any) => a.text)).toEqual([expect.any(String), 'Alguma novidade?', 'Só References.', 'Pela etiqueta.']);
    expect((await ticketsMatching('outra coisa')).length).toBe(0);
  });

  it('folds quoted history away but keeps the full body', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Dúvida sobre boleto', messageId: 'root-3@cliente.example' }).raw);
    await waitForTicket('Dúvida sobre boleto');
    const text = 'Consegui pagar, obrigado!\r\n\r\nEm seg., 3 de nov. de 2026 às 10:00, Suporte Acme <support@acme.example> escreveu:\r\n> Segue o boleto.\r\n> Abraço';
    await dovecot.deliver('support', buildMail({ subject: 'Re: Dúvida sobre boleto', inReplyTo: 'root-3@cliente.example', text }).raw);
    const ticket = await waitForTicket('Dúvida sobre boleto', (t) => t.actions.length === 2);
    expect(ticket.actions[1].text).toBe('Consegui pagar, obrigado!');
    expect(ticket.actions[1].fullText).toContain('Segue o boleto.');
  });

  it('decodes ISO-8859-1 and UTF-8 encoded-word subjects and bodies', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('From: =?ISO-8859-1?Q?Jo=E3o_Concei=E7=E3o?= <joao@cliente.example>\r\nTo: support@acme.example\r\nSubject: =?ISO-8859-1?Q?Cota=E7=E3o_de_pre=E7os?=\r\nMessage-ID: <latin1@cliente.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n', 'latin1'),
      Buffer.from('Preciso de uma cota\xe7\xe3o \x80 urgente.\r\n', 'latin1'),
    ]);
    await dovecot.deliver('support', latin1);
    await dovecot.deliver('support', buildMail({ subject: '=?UTF-8?B?' + Buffer.from('Reclamação 😡 urgente').toString('base64') + '?=', text: 'Texto' }).raw);
    const t1 = await waitForTicket('Cotação');
    expect(t1.subject).toBe('Cotação de preços');
    expect(t1.customer.name).toBe('João Conceição');
    expect(t1.actions[0].text).toBe('Preciso de uma cotação € urgente.'.replace('€', '\u20ac'));
    const t2 = await waitForTicket('Reclamação');
    expect(t2.subject).toBe('Reclamação 😡 urgente');
  });

  it('imports HTML-only mail sanitized, with inline images pointing at attachment URLs', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const raw = [
      'From: Ana <ana@cliente.example>',
      'To: support@acme.example',
      'Subject: Print do erro',
      'Message-ID: <html-1@cliente.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><p onclick="steal()">Veja o print:</p><img src="cid:shot@x"><script>alert(1)</script><img src="https://tracker.example/pixel.gif"><a href="javascript:alert(1)">clique</a></body></html>',
      '--rel',
      'Content-Type: image/png; name="print.png"',
      'Content-ID: <shot@x>',
      'Content-Disposition: inline; filename="print.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--rel--',
      '',
    ].join('\r\n');
    await dovecot.deliver('support', raw);
    const ticket = await waitForTicket('Print do erro');
    const action = ticket.actions[0];
    expect(action.text).toMatch(/Veja o print/);
    expect(action.html).not.toMatch(/script|onclick|javascript:|tracker\.example"/i);
    const attachment = action.attachments[0];
    expect(attachment).toMatchObject({ filename: 'print.png', contentType: 'image/png', inline: true, size: png.length });
    expect(action.html).toContain(attachment.url.replace(/&/g, '&amp;'));
    const served = await fetch(`${app.url}${attachment.url}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
  });

  it('imports mail another client already read, and sets \\Seen only when configured', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Lida em outro cliente' }).raw, { seen: true });
    await waitForTicket('Lida em outro cliente');
  });

  it('makes one ticket of the same mail sent to two support mailboxes', async () => {
    const sales = await connectDovecotAccount(app.url, admin.token, dovecot, 'sales');
    await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: sales.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'sales mailbox');
    const mail = buildMail({ subject: 'Para os dois setores', to: 'support@acme.example, sales@acme.example' }).raw;
    await dovecot.deliver('support', mail);
    await dovecot.deliver('sales', mail);
    await waitForTicket('Para os dois setores');
    await waitFor(async () => {
      const rows = rowsOf<{ n: number }>(await app.runtime.database.db.execute(sql`select count(*)::int as n from imported_messages where source_key like 'imap:%' and message_id like '%' and account_id in (select id from email_accounts where address like 'sales@%')`));
      return rows[0]!.n > 0;
    }, 'the sales mailbox to process its copy');
    const tickets = await ticketsMatching('Para os dois setores');
    expect(tickets).toHaveLength(1);
    expect(tickets[0].actions).toHaveLength(1);
  });

  it('reopens a resolved ticket when the customer answers, and tracks CCs', async () => {
    await dovecot.deliver('support', buildMail({ subject: 'Acesso bloqueado', messageId: 'root-4@cliente.example', cc: 'Chefe <chefe@cliente.example>' }).raw);
    const ticket = await waitForTicket('Acesso bloqueado');
    expect(ticket.ccs).toEqual(['chefe@cliente.example']);
    await gqlOk(app.url, `mutation($id: ID!) { updateTicket(id: $id, input: { status: RESOLVED }) { status } }`, { id: ticket.id }, admin.token);
    await dovecot.deliver('support', buildMail({ subject: 'Re: Acesso bloqueado', inReplyTo: 'root-4@cliente.example', cc: 'ti@cliente.example' }).raw);
    await waitForTicket('Acesso bloqueado', (t) => t.actions.length === 2);
    // The list's ticket row and its actions are separate reads: one answer can show the new
    // action beside the status from just before the import's commit. The next one is whole.
    const reopened = await waitFor(async () => (await ticketsMatching('Acesso bloqueado')).find((t: any) => t.status === 'OPEN'), 'the ticket reopened', 5000, 100);
    expect(reopened.actions).toHaveLength(2);
    expect(reopened.ccs.sort()).toEqual(['chefe@cliente.example', 'ti@cliente.example']);
  });
});
