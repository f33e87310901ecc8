import { createHash } from 'node:crypto';
import { rowsOf } from '@correio/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Full-text search (issue 15, S2) over mail that came in through Correio's own SMTP receiver, on
 * the suite's database (PostgreSQL in CI, PGlite on a fresh machine): the same SQL on both.
 */
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let port: number;

const SEARCH = `query($q: String!, $filter: TicketFilter, $first: Int, $after: String) {
  searchTickets(query: $q, filter: $filter, first: $first, after: $after) {
    edges { cursor node { number subject status } matchedIn snippet { text highlighted } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Hit = { node: { number: number; subject: string; status: string }; matchedIn: string[]; snippet: Array<{ text: string; highlighted: boolean }> };
const search = async (q: string, token = admin.token, extra: Record<string, unknown> = {}) =>
  (await gqlOk(app.url, SEARCH, { q, ...extra }, token)).searchTickets.edges as Hit[];
const subjects = async (q: string, token = admin.token) => (await search(q, token)).map((h) => h.node.subject).sort();
const highlighted = (hit: Hit) => hit.snippet.filter((p) => p.highlighted).map((p) => p.text);

async function receive(slug: string, mail: Parameters<typeof buildMail>[0], raw?: string) {
  const to = `support@${slug}.correio.localhost`;
  const from = 'cliente@loja.example';
  await sendToReceiver(port, { from, to: [to] }, raw ?? buildMail({ to, from: `Carla Menezes <${from}>`, ...mail }).raw);
}

async function ticketCount(token: string) {
  return (await gqlOk(app.url, `{ tickets(first: 1) { totalCount } }`, {}, token)).tickets.totalCount as number;
}

const attachmentMail = (to: string) =>
  buildMail({
    from: 'Bruno <bruno@fornecedor.example>',
    to,
    subject: 'Segue o documento',
    text: 'Em anexo.',
    attachments: [{ headers: ['Content-Type: application/pdf; name="comprovante-pagamento_7731.pdf"', 'Content-Disposition: attachment; filename="comprovante-pagamento_7731.pdf"'], content: '%PDF-1.4 test' }],
  }).raw;

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url, { slug: `busca${Date.now().toString(36)}` });
  other = await signUp(app.url, { slug: `outra${Date.now().toString(36)}` });
  port = app.engine!.inboundSmtpPort!;
  await receive(admin.slug, { subject: 'Problema com a NF', text: 'Bom dia, a nota fiscal 4521 veio com o valor errado.\nPodem corrigir?' });
  await receive(admin.slug, { subject: 'Quero cancelar', text: 'Gostaria de cancelar minha assinatura a partir de hoje.' });
  await receive(admin.slug, { subject: 'Boleto', text: 'O boleto vencido não abre no aplicativo do banco.' });
  await receive(admin.slug, { subject: 'Dúvida', text: 'O boleto está certo, mas a data venceu ontem.' });
  await receive(admin.slug, { subject: 'Ação judicial', text: 'Recebemos uma notificação.' });
  await receive(admin.slug, { subject: 'Invoices for November', text: 'Please send the invoices again.', cc: 'financeiro@loja.example' });
  await receive(admin.slug, {}, attachmentMail(`support@${admin.slug}.correio.localhost`));
  // Another workspace with the very same words: never found from the first.
  await receive(other.slug, { subject: 'Nota fiscal da outra empresa', text: 'A nota fiscal 4521 é nossa.' });
  await waitFor(async () => ((await ticketCount(admin.token)) === 7 && (await ticketCount(other.token)) === 1) || null, 'eight tickets', 30_000);
});
afterAll(() => app?.stop());

describe('searchTickets (S2)', () => {
  it('finds what the customer wrote, plural or singular, with the match highlighted', async () => {
    const [hit, ...more] = await search('notas fiscais');
    expect(more).toEqual([]);
    expect(hit!.node.subject).toBe('Problema com a NF');
    expect(hit!.matchedIn).toEqual(['MESSAGE']);
    expect(highlighted(hit!)).toEqual(['nota', 'fiscal']);
    expect(hit!.snippet.map((p) => p.text).join('')).toContain('nota fiscal 4521 veio com o valor errado');
  });

  it('stems Portuguese and English, and folds accents', async () => {
    expect(await subjects('cancelamento')).toEqual(['Quero cancelar']);
    expect(await subjects('acao')).toEqual(['Ação judicial']);
    expect(await subjects('invoice')).toEqual(['Invoices for November']);
  });

  it('keeps a quoted phrase together and leaves out -excluded words', async () => {
    expect(await subjects('boleto')).toEqual(['Boleto', 'Dúvida']);
    expect(await subjects('"boleto vencido"')).toEqual(['Boleto']);
    expect(await subjects('boleto -aplicativo')).toEqual(['Dúvida']);
  });

  it('finds by subject, customer, CC address, attachment name and ticket number, and says where', async () => {
    const [bySubject] = await search('judicial');
    expect(bySubject!.matchedIn).toContain('SUBJECT');
    const byCustomer = await search('Menezes');
    expect(byCustomer.length).toBe(6);
    expect(byCustomer.every((h) => h.matchedIn.includes('CUSTOMER'))).toBe(true);
    expect(highlighted(byCustomer[0]!)).toEqual(['Menezes']);
    expect(await subjects('financeiro@loja.example')).toEqual(['Invoices for November']);
    const [byFile] = await search('comprovante pagamento');
    expect(byFile).toMatchObject({ node: { subject: 'Segue o documento' }, matchedIn: ['ATTACHMENT'] });
    expect(highlighted(byFile!)).toEqual(['comprovante', 'pagamento']);
    const number = (await search('Quero cancelar'))[0]!.node.number;
    const [byNumber] = await search(`#${number}`);
    expect(byNumber).toMatchObject({ node: { subject: 'Quero cancelar' }, matchedIn: ['NUMBER'] });
  });

  it('finds internal notes, as soon as they are written', async () => {
    const id = (await gqlOk(app.url, `{ tickets(first: 50) { edges { node { id subject } } } }`, {}, admin.token)).tickets.edges.find((e: any) => e.node.subject === 'Dúvida').node.id;
    await gqlOk(app.url, `mutation($id: ID!) { addNote(ticketId: $id, text: "Cliente pediu segunda via pelo telefone") { id } }`, { id }, admin.token);
    const [hit] = await search('segunda via');
    expect(hit).toMatchObject({ node: { subject: 'Dúvida' }, matchedIn: ['NOTE'] });
  });

  it('keeps the list’s filters and pages through hits', async () => {
    expect(await search('boleto', admin.token, { filter: { status: ['CLOSED'] } })).toEqual([]);
    const first = (await gqlOk(app.url, SEARCH, { q: 'Menezes', first: 4 }, admin.token)).searchTickets;
    expect(first.edges).toHaveLength(4);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await gqlOk(app.url, SEARCH, { q: 'Menezes', first: 4, after: first.pageInfo.endCursor }, admin.token)).searchTickets;
    expect(rest.edges).toHaveLength(2);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const all = [...first.edges, ...rest.edges].map((e: Hit) => e.node.number);
    expect(new Set(all).size).toBe(6);
  });

  it('never shows another workspace’s tickets', async () => {
    expect(await subjects('nota fiscal')).toEqual(['Problema com a NF']);
    expect(await subjects('nota fiscal', other.token)).toEqual(['Nota fiscal da outra empresa']);
  });

  it('plans a rare-word search once per session, generically, and finds the same each time', async () => {
    const database = app.runtime.database;
    const planning = async (db: typeof database.db) => rowsOf<{ plan_cache_mode: string }>(await db.execute(sql`show plan_cache_mode`))[0]!.plan_cache_mode;
    for (let i = 0; i < 8; i++) {
      expect(await subjects('cancelamento')).toEqual(['Quero cancelar']);
      expect(await subjects('nota fiscal', other.token)).toEqual(['Nota fiscal da outra empresa']);
    }
    if (database.kind === 'pglite') {
      // One session: PGlite plans as PostgreSQL chooses, and lists share it.
      expect(database.genericPlans).toBe(database.db);
      return;
    }
    // Lists keep plans made for their values; only the search's own sessions are generic.
    expect(await planning(database.db)).toBe('auto');
    expect(await planning(database.genericPlans)).toBe('force_generic_plan');
    // The session the searches just ran on (the pool hands back the last one returned): one
    // statement for both workspaces, never re-planned with the words.
    const statements = rowsOf<{ generic_plans: string; custom_plans: string }>(
      await database.genericPlans.execute(sql`select generic_plans, custom_plans from pg_prepared_statements where name like 'correio_search_%'`),
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.reduce((n, s) => n + Number(s.generic_plans), 0)).toBeGreaterThan(0);
    expect(statements.every((s) => Number(s.custom_plans) === 0)).toBe(true);
  });

  it('takes whatever a user types without an error, and refuses what is not a query', async () => {
    for (const q of [`'; drop table tickets; --`, 'a & b | !c <-> d:*', '((((', '"unclosed', '-', 'OR OR', 'ção', '\u0000']) {
      const r = await gql(app.url, SEARCH, { q }, admin.token);
      if (q === '-' || q === '\u0000') expect(r.errors?.[0]?.extensions?.['code'] === 'VALIDATION_FAILED' || Array.isArray(r.data?.searchTickets?.edges)).toBe(true);
      else expect(r.errors).toBeUndefined();
    }
    const empty = await gql(app.url, SEARCH, { q: '   ' }, admin.token);
    expect(empty.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
    const long = await gql(app.url, SEARCH, { q: 'x'.repeat(201) }, admin.token, 'pt-BR');
    expect(long.errors?.[0]?.message).toBe('Procure por no máximo 200 caracteres.');
    const badCursor = await gql(app.url, SEARCH, { q: 'boleto', after: 'bm90LWEtY3Vyc29y' }, admin.token);
    expect(badCursor.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
    expect((await gql(app.url, SEARCH, { q: 'boleto' })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('cannot be made to highlight words that did not match', async () => {
    // The private-use marks the snippet is cut by, sent inside a message, are dropped.
    await receive(admin.slug, { subject: 'Marcas', text: 'texto \uE000falso\uE001 e a palavra tangerina' });
    await waitFor(async () => (await search('tangerina')).length === 1 || null, 'the new ticket', 20_000);
    const [hit] = await search('tangerina');
    expect(highlighted(hit!)).toEqual(['tangerina']);
    expect(hit!.snippet.map((p) => p.text).join('')).toContain('texto falso e a palavra');
  });

  it('imports a message too long to index whole, and finds it by what it starts with', async () => {
    // A customer pastes 40,000 transaction ids into the mail. Indexed whole, its search document
    // would pass PostgreSQL's 1 MB limit for a tsvector, the insert would fail and so would the
    // import. The first 50,000 characters are indexed; the whole text is kept.
    const ws = await signUp(app.url, { slug: `longa${Date.now().toString(36)}` });
    const ids = Array.from({ length: 40_000 }, (_, i) => createHash('md5').update(`transacao ${i}`).digest('hex'));
    const text = `Segue o relatório do faturamento com erro:\n${ids.join('\n')}\nfim do relatório`;
    expect(text.length).toBeGreaterThan(1_300_000);
    await receive(ws.slug, { subject: 'Exportação', text });
    await waitFor(async () => ((await ticketCount(ws.token)) === 1 ? true : null), 'the long message as a ticket', 30_000);
    const [hit, ...more] = await search('faturamento', ws.token);
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ node: { subject: 'Exportação' }, matchedIn: ['MESSAGE'] });
    expect(highlighted(hit!)).toEqual(['faturamento']);
    // An id near the start is found; one past the indexed part is not (said in the README).
    expect(await subjects(ids[10]!, ws.token)).toEqual(['Exportação']);
    expect(await subjects(ids[39_000]!, ws.token)).toEqual([]);
    const { tickets } = await gqlOk(app.url, `{ tickets(first: 1) { edges { node { id } } } }`, {}, ws.token);
    const ticket = await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { actions { text } } }`, { id: tickets.edges[0].node.id }, ws.token);
    expect(ticket.ticket.actions[0].text).toContain(ids[39_999]);
  });

  it('cuts a long message around its match and highlights only the words that matched', async () => {
    const ws = await signUp(app.url, { slug: `trecho${Date.now().toString(36)}` });
    const filler = (word: string) => Array.from({ length: 120 }, (_, i) => `${word}${i}`).join(' ');
    // "notícias" and "notável" begin like "nota" but are other words; "fiscais" is its plural.
    const text = `Recebemos notícias notáveis. ${filler('antes')}\nAs notas fiscais do pedido 88 vieram sem o CNPJ. ${filler('depois')}`;
    await receive(ws.slug, { subject: 'Cadastro', text });
    await waitFor(async () => ((await ticketCount(ws.token)) === 1 ? true : null), 'the ticket', 20_000);
    const [hit] = await search('nota fiscal', ws.token);
    expect(highlighted(hit!)).toEqual(['notas', 'fiscais']);
    const snippet = hit!.snippet.map((p) => p.text).join('');
    expect(snippet).toContain('As notas fiscais do pedido 88 vieram sem o CNPJ.');
    expect(snippet).not.toContain('notícias');
    expect(snippet.split(' ').length).toBeLessThanOrEqual(28);
    // English stems "dying" to "die", a word it does not begin like: the snippet is then PostgreSQL's own.
    await receive(ws.slug, { subject: 'Customs', text: 'My parcel is dying in customs since Monday.' });
    await waitFor(async () => ((await ticketCount(ws.token)) === 2 ? true : null), 'the second ticket', 20_000);
    const [byException] = await search('die', ws.token);
    expect(byException).toMatchObject({ node: { subject: 'Customs' }, matchedIn: ['MESSAGE'] });
    expect(byException!.snippet.map((p) => p.text).join('')).toContain('My parcel is dying in customs');
    // A hyphenated query is one lexeme with a hyphen in it; its highlight pattern must still compile.
    await receive(ws.slug, { subject: 'Reenvio', text: 'Podem mandar o e-mail de confirmação de novo?' });
    await waitFor(async () => ((await ticketCount(ws.token)) === 3 ? true : null), 'the third ticket', 20_000);
    const [byHyphen] = await search('e-mail', ws.token);
    expect(byHyphen).toMatchObject({ node: { subject: 'Reenvio' }, matchedIn: ['MESSAGE'] });
    expect(highlighted(byHyphen!)).toContain('e-mail');
  });
});
