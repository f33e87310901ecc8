import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let port: number;
let address: string;
let accountId: string;

const TICKETS = `query($search: String) { tickets(first: 50, filter: { search: $search }) { edges { node { id number subject status customer { email } actions { kind text from delivery deliveryError } } } } }`;
const tickets = async (search: string) => (await gqlOk(app.url, TICKETS, { search }, admin.token)).tickets.edges.map((e: any) => e.node);
const refused = async () => (await gqlOk(app.url, `{ refusedMessages { reason detail from subject } }`, {}, admin.token)).refusedMessages as Array<{ reason: string; detail: string; from: string; subject: string }>;

async function send(mail: Parameters<typeof buildMail>[0] = {}, from = 'ana@cliente.example') {
  const built = buildMail({ to: address, from, ...mail });
  await sendToReceiver(port, { from, to: [address] }, built.raw);
  return built;
}

async function setPolicies(incoming: Record<string, unknown>) {
  await gqlOk(
    app.url,
    `mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { id } }`,
    { id: accountId, input: { name: 'Support', kind: 'BUILTIN', address: 'support', incoming: { enabled: true, protocol: 'IMAP', host: '', encryption: 'NONE', username: '', ...incoming } } },
    admin.token,
  );
}

const POLICIES = `query($id: ID!) { emailAccount(id: $id) { receiving { newTicketPolicy appendReplies sameSubjectPolicy } } }`;

/**
 * Runs `body` with these import policies on the built-in account (the body may change them
 * further), then puts back the policies the account had: the next test finds what this one found.
 */
async function withPolicies(incoming: Record<string, unknown>, body: () => Promise<void>) {
  const found = (await gqlOk(app.url, POLICIES, { id: accountId }, admin.token)).emailAccount.receiving;
  await setPolicies(incoming);
  try {
    await body();
  } finally {
    await setPolicies(found);
  }
}

beforeAll(async () => {
  app = await startTestApp({ INBOUND_MAX_MESSAGE_MB: '1' });
  admin = await signUp(app.url, { slug: 'loja' });
  port = app.engine!.inboundSmtpPort!;
  const accounts = (await gqlOk(app.url, `{ emailAccounts { id address } }`, {}, admin.token)).emailAccounts;
  address = accounts[0].address;
  accountId = accounts[0].id;
});
afterAll(() => app?.stop());

describe('built-in address (A1) over SMTP', () => {
  it('accepts mail for the built-in address and opens a ticket', async () => {
    expect(address).toBe('support@loja.correio.localhost');
    await send({ subject: 'Troca de produto', text: 'Quero trocar o tamanho.' });
    const [ticket] = await waitFor(async () => (await tickets('Troca de produto')).length && tickets('Troca de produto'), 'the ticket');
    expect(ticket).toMatchObject({ status: 'NEW', customer: { email: 'ana@cliente.example' }, actions: [{ kind: 'EMAIL_IN', text: 'Quero trocar o tamanho.' }] });
  });

  it('refuses unknown recipients at RCPT time with a clear SMTP error', async () => {
    const err = await sendToReceiver(port, { from: 'a@b.example', to: ['nobody@loja.correio.localhost'] }, buildMail().raw).catch((e: Error & { responseCode?: number; response?: string }) => e);
    expect(err).toMatchObject({ responseCode: 550 });
    expect((err as { response: string }).response).toMatch(/nobody@loja\.correio\.localhost.*no such mailbox/);
  });

  it('enforces the size limit at SMTP level', async () => {
    const big = buildMail({ to: address, text: 'x'.repeat(1_300_000) }).raw;
    const err = await sendToReceiver(port, { from: 'a@b.example', to: [address] }, big).catch((e: Error & { responseCode?: number }) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(552);
  });

  it('refuses mail once the account is inactive', async () => {
    await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { active } }`, { id: accountId }, admin.token);
    try {
      const err = await send({ subject: 'Inativa' }).catch((e: Error & { responseCode?: number }) => e);
      expect((err as { responseCode?: number }).responseCode).toBe(550);
    } finally {
      await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: true) { active } }`, { id: accountId }, admin.token);
    }
  });
});

describe('new-ticket policies (A4)', () => {
  it('REGISTERED_CLIENTS opens tickets for registered clients only, and records the refusal', async () => {
    await withPolicies({ newTicketPolicy: 'REGISTERED_CLIENTS' }, async () => {
      await gqlOk(app.url, `mutation { createClient(input: { email: "cadastrada@cliente.example", name: "Cadastrada" }) { id } }`, {}, admin.token);
      await send({ subject: 'Policy registered ok' }, 'cadastrada@cliente.example');
      await send({ subject: 'Policy registered refused' }, 'estranho@outro.example');
      await waitFor(async () => (await tickets('Policy registered ok')).length === 1, 'the registered client ticket');
      const r = await waitFor(async () => (await refused()).find((m) => m.subject === 'Policy registered refused'), 'the refusal record');
      expect(r).toMatchObject({ reason: 'NEW_TICKET_POLICY', from: 'estranho@outro.example' });
      expect(r.detail).toMatch(/not a registered client/);
      expect(await tickets('Policy registered refused')).toHaveLength(0);
    });
  });

  it('CLIENTS_OR_DOMAIN_RULES also accepts senders of a domain with a rule, and gives them its organization', async () => {
    await withPolicies({ newTicketPolicy: 'CLIENTS_OR_DOMAIN_RULES' }, async () => {
      await gqlOk(app.url, `mutation { createDomainRule(domain: "parceiro.example", organization: "Parceiro SA") { id } }`, {}, admin.token);
      await send({ subject: 'Policy domain ok' }, 'novo@parceiro.example');
      await send({ subject: 'Policy domain refused' }, 'novo@desconhecido.example');
      await waitFor(async () => (await tickets('Policy domain ok')).length === 1, 'the domain-rule ticket');
      await waitFor(async () => (await refused()).some((m) => m.subject === 'Policy domain refused'), 'the refusal');
      const clients = (await gqlOk(app.url, `{ clients(search: "novo@parceiro") { organization } }`, {}, admin.token)).clients;
      expect(clients).toEqual([{ organization: 'Parceiro SA' }]);
    });
  });

  it('NEVER opens no tickets but still appends replies to existing ones', async () => {
    await withPolicies({ newTicketPolicy: 'ANY_SENDER' }, async () => {
      const root = await send({ subject: 'Policy never root' });
      const [ticket] = await waitFor(async () => (await tickets('Policy never root')).length && tickets('Policy never root'), 'the root ticket');
      await setPolicies({ newTicketPolicy: 'NEVER' });
      await send({ subject: 'Policy never new' });
      await send({ subject: 'Re: Policy never root', inReplyTo: root.messageId, text: 'Resposta aceita' });
      await waitFor(async () => (await tickets('Policy never root'))[0]?.actions.length === 2, 'the reply on the root ticket');
      await waitFor(async () => (await refused()).some((m) => m.subject === 'Policy never new' && /never/.test(m.detail)), 'the refusal');
      expect((await tickets('Policy never root'))[0].id).toBe(ticket.id);
    });
  });
});

describe('same-subject policy and appending replies (A4, W3)', () => {
  it('ASSOCIATE_IF_CLIENT_OR_CC associates the client, not a stranger', async () => {
    await withPolicies({ sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC' }, async () => {
      await send({ subject: 'Subject policy A' }, 'cliente-a@cliente.example');
      await waitFor(async () => (await tickets('Subject policy A')).length === 1, 'the first ticket');
      await send({ subject: 'RES: Subject policy A', text: 'do cliente' }, 'cliente-a@cliente.example');
      await send({ subject: 'ENC: Subject policy A', text: 'de estranho' }, 'estranho-a@outro.example');
      await waitFor(async () => (await tickets('Subject policy A')).length === 2, 'a separate ticket for the stranger');
      const all = await tickets('Subject policy A');
      const clientTicket = all.find((t: any) => t.customer.email === 'cliente-a@cliente.example');
      expect(clientTicket.actions.map((a: any) => a.text)).toEqual([expect.any(String), 'do cliente']);
    });
  });

  it('ASSOCIATE_ANY_SENDER associates anyone; NEW_TICKET never does', async () => {
    await withPolicies({ sameSubjectPolicy: 'ASSOCIATE_ANY_SENDER' }, async () => {
      await send({ subject: 'Subject policy B' }, 'cliente-b@cliente.example');
      await waitFor(async () => (await tickets('Subject policy B')).length === 1, 'ticket B');
      await send({ subject: 'Re: Subject policy B' }, 'qualquer@outro.example');
      await waitFor(async () => (await tickets('Subject policy B'))[0]?.actions.length === 2, 'association by subject');

      await setPolicies({ sameSubjectPolicy: 'NEW_TICKET' });
      await send({ subject: 'Subject policy C' }, 'cliente-c@cliente.example');
      await waitFor(async () => (await tickets('Subject policy C')).length === 1, 'ticket C');
      await send({ subject: 'Re: Subject policy C' }, 'cliente-c@cliente.example');
      await waitFor(async () => (await tickets('Subject policy C')).length === 2, 'a new ticket despite the same subject');
    });
  });

  it('with appending replies off, a reply by headers opens a new ticket', async () => {
    await withPolicies({ sameSubjectPolicy: 'NEW_TICKET', appendReplies: false }, async () => {
      const root = await send({ subject: 'Append off root' });
      await waitFor(async () => (await tickets('Append off root')).length === 1, 'the root');
      await send({ subject: 'Re: Append off root', inReplyTo: root.messageId });
      await waitFor(async () => (await tickets('Append off root')).length === 2, 'the reply as its own ticket');
    });
  });
});

describe('no mail loops (W5)', () => {
  it('never opens tickets for auto-replies, bulk mail or mailer-daemon', async () => {
    await send({ subject: 'Ausente: Loop auto', headers: { 'Auto-Submitted': 'auto-replied' } });
    await send({ subject: 'Loop autoreply header', headers: { 'X-Autoreply': 'yes' } });
    await send({ subject: 'Loop bulk', headers: { Precedence: 'bulk' } });
    await send({ subject: 'Loop daemon' }, 'MAILER-DAEMON@mx.example');
    await waitFor(async () => (await refused()).filter((m) => m.subject?.includes('Loop')).length === 4, 'four refusals');
    const reasons = (await refused()).filter((m) => m.subject?.includes('Loop')).map((m) => m.reason).sort();
    expect(reasons).toEqual(['AUTO_REPLY', 'AUTO_REPLY', 'AUTO_REPLY', 'BOUNCE']);
    expect(await tickets('Loop')).toHaveLength(0);
  });

  it('stops a flood from one sender', async () => {
    for (let i = 0; i < 24; i++) await send({ subject: `Flood ${i}` }, 'flood@spam.example');
    await waitFor(async () => (await refused()).filter((m) => m.reason === 'RATE_LIMITED').length === 4, 'the flood to be cut at 20');
    expect((await gqlOk(app.url, `{ tickets(filter: { search: "flood@spam" }) { totalCount } }`, {}, admin.token)).tickets.totalCount).toBe(20);
  });
});

describe('reasons in the reader’s language (issue 14)', () => {
  type Localized = { code: string; params: Array<{ name: string; value: string }>; detail: string | null };
  const FAILED = `{ failedImports { error errorText { code params { name value } detail } } }`;
  const REFUSED = `{ refusedMessages { subject detail detailText { code params { name value } detail } } }`;
  // null: no Accept-Language at all, so the server's default (pt-BR).
  const failedIn = async (language: string | null) => (await gql(app.url, FAILED, {}, admin.token, language)).data!.failedImports as Array<{ error: string; errorText: Localized | null }>;
  const refusedIn = async (language: string | null) => (await gql(app.url, REFUSED, {}, admin.token, language)).data!.refusedMessages as Array<{ subject: string; detail: string; detailText: Localized | null }>;

  it('words a failed import’s reason in pt-BR by default and in English on request, with its code', async () => {
    const nobody = `To: ${address}\r\nSubject: Idioma sem remetente\r\nMessage-ID: <idioma-sem-remetente@cliente.example>\r\n\r\nOlá\r\n`;
    await sendToReceiver(port, { from: 'a@b.example', to: [address] }, nobody);
    const inPortuguese = await waitFor(async () => (await failedIn(null)).find((f) => f.errorText?.code === 'import.noSender'), 'the failed import');
    expect(inPortuguese).toEqual({
      error: 'A mensagem não indica ninguém a quem responder: From, Reply-To, Sender e Return-Path estão todos ausentes ou inutilizáveis.',
      errorText: { code: 'import.noSender', params: [], detail: null },
    });
    const inEnglish = (await failedIn('en')).find((f) => f.errorText?.code === 'import.noSender');
    expect(inEnglish?.error).toBe('The message names nobody to answer: From, Reply-To, Sender and Return-Path are all missing or unusable.');
  });

  it('words why mail was refused, the message’s own header left as it is', async () => {
    await send({ subject: 'Idioma resposta automática', headers: { 'Auto-Submitted': 'auto-replied' } });
    const inPortuguese = await waitFor(async () => (await refusedIn('pt-BR')).find((r) => r.subject === 'Idioma resposta automática'), 'the refusal');
    expect(inPortuguese).toMatchObject({
      detail: 'Mensagem automática; ela nunca abre tickets nem dispara respostas: Auto-Submitted: auto-replied',
      detailText: { code: 'refusal.autoReply', params: [], detail: 'Auto-Submitted: auto-replied' },
    });
    const inEnglish = (await refusedIn('en')).find((r) => r.subject === 'Idioma resposta automática');
    expect(inEnglish?.detail).toBe('Automatic message; it never opens tickets or triggers replies: Auto-Submitted: auto-replied');
  });
});
