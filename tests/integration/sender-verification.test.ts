import { promises as nodeDns } from 'node:dns';
import { authenticate, sealMessage } from 'mailauth';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { dkimKey, publishKey, startTestDns, type DkimKey, type TestDns } from '../helpers/dns-server.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { waitFor } from '../helpers/wait.ts';

// W9 end to end: a real DNS server on loopback publishes SPF, DKIM and DMARC records; messages
// are DKIM-signed by nodemailer and delivered to Correio's own SMTP receiver from 127.0.0.1, so
// SPF is checked against the connecting IP exactly as for mail from the internet.

let dns: TestDns;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let port: number;
let address: string;
let accountId: string;

const LOJA = 'lojagenuina.com.br'; // p=reject, SPF allows 127.0.0.1, signs with DKIM
const BANCO = 'banco-seguro.com.br'; // p=reject, sends only from 203.0.113.5
const PADARIA = 'padaria.com.br'; // p=quarantine
const LISTA = 'lista.org.br'; // a mailing list that forwards and ARC-seals
const GOLPE = 'golpista.net'; // the forger: SPF passes for its own domain
let lojaKey: DkimKey;
let golpeKey: DkimKey;
let listaKey: DkimKey;
let padariaKey: DkimKey;

const ACTION = `query($search: String) { tickets(first: 5, filter: { search: $search }) { edges { node { id subject actions { kind from senderVerdict authenticationResults { source fromDomain reasonCode reason spf { result domain } dkim { result domain } dmarc { result policy domain } arc { result domain } } } } } } }`;

async function incomingAction(subject: string) {
  const ticket = await waitFor(async () => (await gqlOk(app.url, ACTION, { search: subject }, admin.token)).tickets.edges[0]?.node, `the ticket “${subject}”`);
  return ticket.actions.find((a: { kind: string }) => a.kind === 'EMAIL_IN');
}

/** A message as nodemailer writes and signs it. */
async function signed(mail: { from: string; subject: string; text: string }, key: DkimKey | null): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, ...(key ? { dkim: { domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey } } : {}) });
  const info = await composer.sendMail({ ...mail, to: address, messageId: `<${crypto.randomUUID()}@${mail.from.split('@')[1]!.replace(/>$/, '')}>` });
  return info.message as Buffer;
}

const deliver = (mailFrom: string, raw: Buffer) => sendToReceiver(port, { from: mailFrom, to: [address] }, raw);

async function setDmarcPolicy(dmarcFailPolicy: 'FLAG' | 'HOLD' | 'REFUSE') {
  await gqlOk(
    app.url,
    `mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { id } }`,
    { id: accountId, input: { name: 'Support', kind: 'BUILTIN', address: 'support', incoming: { enabled: true, protocol: 'IMAP', host: '', encryption: 'NONE', username: '', dmarcFailPolicy } } },
    admin.token,
  );
}

beforeAll(async () => {
  dns = await startTestDns();
  lojaKey = dkimKey(LOJA, 's1');
  golpeKey = dkimKey(GOLPE, 'g');
  listaKey = dkimKey(LISTA, 'arc');
  padariaKey = dkimKey(PADARIA, 'p1');
  for (const key of [lojaKey, golpeKey, listaKey, padariaKey]) publishKey(dns, key);
  dns.txt(LOJA, 'v=spf1 ip4:127.0.0.1 -all');
  dns.txt(`_dmarc.${LOJA}`, 'v=DMARC1; p=reject; adkim=r; aspf=r');
  dns.txt(BANCO, 'v=spf1 ip4:203.0.113.5 -all');
  dns.txt(`_dmarc.${BANCO}`, 'v=DMARC1; p=reject');
  dns.txt(PADARIA, 'v=spf1 ip4:203.0.113.9 -all');
  dns.txt(`_dmarc.${PADARIA}`, 'v=DMARC1; p=quarantine');
  dns.txt(GOLPE, 'v=spf1 ip4:127.0.0.1 -all');
  dns.txt(LISTA, 'v=spf1 ip4:127.0.0.1 -all');
  app = await startTestApp({ CORREIO_DNS_SERVERS: dns.server });
  admin = await signUp(app.url, { slug: 'verifica' });
  port = app.engine!.inboundSmtpPort!;
  const [account] = (await gqlOk(app.url, `{ emailAccounts { id address } }`, {}, admin.token)).emailAccounts;
  address = account.address;
  accountId = account.id;
});
afterAll(async () => {
  await app?.stop();
  await dns?.close();
});

describe('sender verification (W9) through Correio’s SMTP receiver', () => {
  it('verifies a genuine message: SPF from the connecting IP, an aligned DKIM signature, DMARC pass', async () => {
    await deliver(`avisos@${LOJA}`, await signed({ from: `Loja Genuína <avisos@${LOJA}>`, subject: 'Seu pedido 4521 foi enviado', text: 'Segue o código de rastreio.' }, lojaKey));
    const action = await incomingAction('Seu pedido 4521 foi enviado');
    expect(action.senderVerdict).toBe('VERIFIED');
    expect(action.authenticationResults).toMatchObject({
      source: 'CORREIO',
      fromDomain: LOJA,
      reasonCode: 'DMARC_PASS',
      spf: { result: 'pass', domain: LOJA },
      dkim: [{ result: 'pass', domain: LOJA }],
      dmarc: { result: 'pass', policy: 'reject', domain: LOJA },
    });
    expect(dns.asked).toContain(`s1._domainkey.${LOJA}`);
  });

  it('calls a forged From of a p=reject domain FORGED, and imports it flagged by default', async () => {
    // The forger's own server and signature are fine; the From says it is the bank.
    await deliver(`bounce@${GOLPE}`, await signed({ from: `Banco Seguro <seguranca@${BANCO}>`, subject: 'Atualize seus dados bancários', text: 'Clique no link.' }, golpeKey));
    const action = await incomingAction('Atualize seus dados bancários');
    expect(action.senderVerdict).toBe('FORGED');
    expect(action.authenticationResults).toMatchObject({
      reasonCode: 'DMARC_FAIL_POLICY',
      spf: { result: 'pass', domain: GOLPE },
      dkim: [{ result: 'pass', domain: GOLPE }],
      dmarc: { result: 'fail', policy: 'reject', domain: BANCO },
    });
    expect(action.authenticationResults.reason).toMatch(/banco-seguro\.com\.br did not send this/);
  });

  it('does not verify a message whose signature was broken on the way', async () => {
    const raw = (await signed({ from: `Padaria <pedidos@${PADARIA}>`, subject: 'Encomenda de bolo', text: 'Para sábado, 40 pessoas.' }, padariaKey)).toString('utf8');
    // Someone changed the text after it was signed (the body hash no longer matches).
    const tampered = Buffer.from(raw.replace('40 pessoas', '400 pessoas'));
    await deliver(`pedidos@${PADARIA}`, tampered);
    const action = await incomingAction('Encomenda de bolo');
    expect(action.authenticationResults.dkim).toHaveLength(1);
    expect(action.authenticationResults.dkim[0]).toMatchObject({ domain: PADARIA });
    expect(action.authenticationResults.dkim[0].result).not.toBe('pass');
    expect(action.authenticationResults.spf.result).toBe('fail');
    expect(action.authenticationResults.dmarc).toMatchObject({ result: 'fail', policy: 'quarantine' });
    expect(action.senderVerdict).toBe('FORGED');
  });

  it('trusts a mailing list’s ARC seal over the DMARC failure its rewriting caused', async () => {
    const original = await signed({ from: `Loja Genuína <contato@${LOJA}>`, subject: 'Promoção de aniversário', text: 'Descontos até domingo.' }, lojaKey);
    // The list receives the genuine message (DKIM pass), adds its footer — which breaks the
    // signature's body hash — and seals what it saw with ARC before forwarding.
    const received = await authenticate(original, { ip: '127.0.0.1', helo: `mail.${LOJA}`, sender: `contato@${LOJA}`, mta: `mx.${LISTA}`, resolver: nodeResolver(dns) });
    expect(received.dmarc && received.dmarc.status.result).toBe('pass');
    if (!received.arc) throw new Error('mailauth returned no ARC result for the list to seal');
    const seen = received.arc as unknown as { authResults: string; status: { result: string } };
    const rewritten = Buffer.concat([original, Buffer.from('\r\n-- \r\nLista Clientes: para sair, https://lista.org.br/sair\r\n')]);
    const seal = await sealMessage(rewritten, { signingDomain: LISTA, selector: 'arc', privateKey: listaKey.privateKey, authResults: seen.authResults, cv: seen.status.result } as never);
    await deliver(`lista-bounces@${LISTA}`, Buffer.concat([seal, rewritten]));
    const action = await incomingAction('Promoção de aniversário');
    expect(action.authenticationResults).toMatchObject({ reasonCode: 'DMARC_FAIL_FORWARDED', dkim: [{ domain: LOJA }], dmarc: { result: 'fail' }, arc: { result: 'pass', domain: LISTA } });
    expect(action.authenticationResults.dkim[0].result).not.toBe('pass');
    expect(action.senderVerdict).toBe('NOT_VERIFIED');
  });

  it('without a record or signature, says nothing proves the sender (NOT_VERIFIED)', async () => {
    await deliver('ana@sem-dmarc.example', await signed({ from: 'Ana <ana@sem-dmarc.example>', subject: 'Dúvida sobre prazo', text: 'Quando chega?' }, null));
    const action = await incomingAction('Dúvida sobre prazo');
    expect(action).toMatchObject({ senderVerdict: 'NOT_VERIFIED', authenticationResults: { reasonCode: 'NO_EVIDENCE', dkim: [] } });
  });
});

describe('switched off (CORREIO_SENDER_VERIFICATION=off)', () => {
  it('imports without asking DNS, and says “not checked” rather than guessing', async () => {
    const quiet = await startTestApp({ CORREIO_DNS_SERVERS: dns.server, CORREIO_SENDER_VERIFICATION: 'off' });
    try {
      const owner = await signUp(quiet.url, { slug: 'sem-verificacao' });
      const [account] = (await gqlOk(quiet.url, `{ emailAccounts { address } }`, {}, owner.token)).emailAccounts;
      const asked = dns.asked.length;
      const raw = await signed({ from: `Banco Seguro <aviso@${BANCO}>`, subject: 'Sem verificação', text: 'Teste.' }, golpeKey);
      await sendToReceiver(quiet.engine!.inboundSmtpPort!, { from: `x@${GOLPE}`, to: [account.address] }, raw);
      const ticket = await waitFor(async () => (await gqlOk(quiet.url, ACTION, { search: 'Sem verificação' }, owner.token)).tickets.edges[0]?.node, 'the ticket');
      expect(ticket.actions[0]).toMatchObject({ senderVerdict: null, authenticationResults: null });
      expect(dns.asked.length).toBe(asked);
    } finally {
      await quiet.stop();
    }
  });
});

describe('what an account does with DMARC-failed mail (A4)', () => {
  const REFUSED = `{ refusedMessages { id reason held releasedAt subject detail authenticationResults { reasonCode dmarc { result domain } } } }`;
  const refused = async () => (await gqlOk(app.url, REFUSED, {}, admin.token)).refusedMessages as Array<{ id: string; reason: string; held: boolean; releasedAt: string | null; subject: string; detail: string; authenticationResults: { reasonCode: string } | null }>;
  const ticketCount = async (subject: string) => (await gqlOk(app.url, `query($s: String) { tickets(first: 5, filter: { search: $s }) { totalCount } }`, { s: subject }, admin.token)).tickets.totalCount as number;

  it('holds it for review, and an admin releases it into a ticket that still says FORGED', async () => {
    await setDmarcPolicy('HOLD');
    try {
      await deliver(`x@${GOLPE}`, await signed({ from: `Banco Seguro <pix@${BANCO}>`, subject: 'Confirme seu Pix agora', text: 'Urgente.' }, golpeKey));
      const held = await waitFor(async () => (await refused()).find((r) => r.subject === 'Confirme seu Pix agora'), 'the held message');
      expect(held).toMatchObject({ reason: 'DMARC_FAILED', held: true, releasedAt: null, authenticationResults: { reasonCode: 'DMARC_FAIL_POLICY' } });
      expect(await ticketCount('Confirme seu Pix agora')).toBe(0);

      // An agent may not release it; an admin may, once.
      const agentToken = await agentOf();
      const denied = await gql(app.url, `mutation($id: ID!) { releaseHeldMessage(id: $id) { id } }`, { id: held.id }, agentToken);
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const released = await gqlOk(app.url, `mutation($id: ID!) { releaseHeldMessage(id: $id) { held releasedAt } }`, { id: held.id }, admin.token);
      expect(released.releaseHeldMessage.releasedAt).toBeTruthy();
      const action = await incomingAction('Confirme seu Pix agora');
      expect(action.senderVerdict).toBe('FORGED');
      // Two admins clicking at once, or a retried request: still one ticket.
      const again = await gqlOk(app.url, `mutation($id: ID!) { releaseHeldMessage(id: $id) { releasedAt } }`, { id: held.id }, admin.token);
      expect(again.releaseHeldMessage.releasedAt).toBe(released.releaseHeldMessage.releasedAt);
      expect(await ticketCount('Confirme seu Pix agora')).toBe(1);
    } finally {
      await setDmarcPolicy('FLAG');
    }
  });

  it('refuses it when told to: listed, not held, not releasable, no ticket', async () => {
    await setDmarcPolicy('REFUSE');
    try {
      await deliver(`x@${GOLPE}`, await signed({ from: `Banco Seguro <boleto@${BANCO}>`, subject: 'Boleto vencido hoje', text: 'Pague já.' }, golpeKey));
      const row = await waitFor(async () => (await refused()).find((r) => r.subject === 'Boleto vencido hoje'), 'the refused message');
      expect(row).toMatchObject({ reason: 'DMARC_FAILED', held: false });
      const release = await gql(app.url, `mutation($id: ID!) { releaseHeldMessage(id: $id) { id } }`, { id: row.id }, admin.token);
      expect(release.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED' }, message: expect.stringMatching(/Only a message held/) });
      expect(await ticketCount('Boleto vencido hoje')).toBe(0);
      // Genuine mail still goes through under the strictest setting.
      await deliver(`avisos@${LOJA}`, await signed({ from: `Loja <avisos@${LOJA}>`, subject: 'Nota fiscal disponível', text: 'Em anexo.' }, lojaKey));
      expect((await incomingAction('Nota fiscal disponível')).senderVerdict).toBe('VERIFIED');
    } finally {
      await setDmarcPolicy('FLAG');
    }
  });

  it('never lets another workspace see or release the held mail', async () => {
    await setDmarcPolicy('HOLD');
    try {
      await deliver(`x@${GOLPE}`, await signed({ from: `Banco Seguro <cartao@${BANCO}>`, subject: 'Cartão bloqueado', text: 'Ligue para nós.' }, golpeKey));
      const held = await waitFor(async () => (await refused()).find((r) => r.subject === 'Cartão bloqueado'), 'the held message');
      const stranger = await signUp(app.url, { slug: 'estranho' });
      expect((await gqlOk(app.url, REFUSED, {}, stranger.token)).refusedMessages).toEqual([]);
      const attempt = await gql(app.url, `mutation($id: ID!) { releaseHeldMessage(id: $id) { id } }`, { id: held.id }, stranger.token);
      expect(attempt.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(await ticketCount('Cartão bloqueado')).toBe(0);
    } finally {
      await setDmarcPolicy('FLAG');
    }
  });
});

async function agentOf(): Promise<string> {
  const email = `agente-${crypto.randomUUID().slice(0, 8)}@verifica.example`;
  await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { name: 'Agente', email, password: 'senha-do-agente-1', role: 'AGENT' } }, admin.token);
  const login = await gqlOk(app.url, `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`, { email, password: 'senha-do-agente-1' });
  return login.login.token;
}

/** mailauth's resolver for the forwarding list, asking the same loopback DNS server. */
function nodeResolver(server: TestDns) {
  const resolver = new nodeDns.Resolver();
  resolver.setServers([server.server]);
  return (name: string, rrtype: string) => resolver.resolve(name, rrtype as 'TXT');
}
