import { rowsOf } from '@correio/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRareQuery } from '../../packages/api/src/services/search-selectivity.ts';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { seedTicket } from '../helpers/seed.ts';

/**
 * A word in nearly every message (issue 15, S2). Such a search takes its own path: each source
 * walks the workspace's mail newest first and ranks the first matches, instead of reading the
 * GIN index (search-selectivity.ts). search.test.ts never takes it — in its few messages every
 * word is rare — so this workspace's statistics are made to say "common", on the suite's
 * database (PostgreSQL in CI, PGlite on a fresh machine).
 */
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;

const TICKETS = 400;
const SEARCH = `query($q: String!, $filter: TicketFilter, $first: Int, $after: String) {
  searchTickets(query: $q, filter: $filter, first: $first, after: $after) {
    edges { node { number subject status updatedAt } matchedIn snippet { text highlighted } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Page = {
  edges: Array<{ node: { number: number; subject: string; status: string; updatedAt: string }; matchedIn: string[]; snippet: Array<{ text: string; highlighted: boolean }> }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};
const search = async (q: string, extra: Record<string, unknown> = {}, token = admin.token) => (await gqlOk(app.url, SEARCH, { q, ...extra }, token)).searchTickets as Page;
const workspaceOf = async (token: string) => (await gqlOk(app.url, `{ workspace { id } }`, {}, token)).workspace.id as string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url);
  other = await signUp(app.url);
  const db = app.runtime.database.db;
  const [mine, theirs] = [await workspaceOf(admin.token), await workspaceOf(other.token)];
  const now = Date.now();
  // Ticket i was last active i minutes ago, and its message written in that order (oldest first,
  // as mail arrives). Every message asks about the warranty in the same words, so they rank alike
  // and the most recent come first; one in ten is closed; ticket 3 also asks for a refund.
  for (let i = TICKETS - 1; i >= 0; i--) {
    await seedTicket(db, mine, {
      subject: `Pedido ${i}`,
      status: i % 10 === 5 ? 'CLOSED' : 'OPEN',
      updatedAt: new Date(now - i * 60_000),
      text: `Bom dia, quero saber da garantia do pedido ${i}.${i === 3 ? ' Se não tiver, quero o reembolso.' : ''}`,
    });
  }
  // The same words in another workspace, more recent than any of the first's.
  for (let i = 0; i < 5; i++) await seedTicket(db, theirs, { subject: `Outra empresa ${i}`, updatedAt: new Date(now + 60_000), text: 'Garantia do pedido da outra empresa.' });
  await db.execute(sql`analyze ticket_actions`);
  await db.execute(sql`analyze tickets`);
}, 120_000);
afterAll(() => app?.stop());

describe('searchTickets for a word in nearly every message', () => {
  it('is judged common from the statistics, as the search service reads them', async () => {
    const db = app.runtime.database.db;
    const [row] = rowsOf<{ rows: number; elems: string[] | null; freqs: number[] | null }>(
      await db.execute(sql`select (select reltuples from pg_class where oid = 'ticket_actions'::regclass) as rows, s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs as freqs
        from pg_stats s where s.tablename = 'ticket_actions' and s.attname = 'search'`),
    );
    const [query] = rowsOf<{ q: string }>(await db.execute(sql`select correio_query('garantia')::text as q`));
    const frequencies = new Map((row?.elems ?? []).map((lexeme, i) => [lexeme, Number(row!.freqs![i])]));
    expect(isRareQuery(query!.q, { frequencies, rows: Number(row?.rows ?? 0) }, 300)).toBe(false);
  });

  it('finds the most recent first, highlighted, and only in the caller’s workspace', async () => {
    const first = await search('garantia');
    expect(first.edges).toHaveLength(25);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges.map((e) => e.node.subject)).toEqual(Array.from({ length: 25 }, (_, i) => `Pedido ${i}`));
    for (const edge of first.edges) {
      expect(edge.matchedIn).toEqual(['MESSAGE']);
      expect(edge.snippet.filter((p) => p.highlighted).map((p) => p.text)).toEqual(['garantia']);
    }
    const theirs = await search('garantia', {}, other.token);
    expect(theirs.edges.map((e) => e.node.subject).sort()).toEqual(['Outra empresa 0', 'Outra empresa 1', 'Outra empresa 2', 'Outra empresa 3', 'Outra empresa 4']);
  });

  it('pages on without repeating or skipping a ticket', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const result: Page = await search('garantia', { first: 50, ...(after ? { after } : {}) });
      seen.push(...result.edges.map((e) => e.node.subject));
      after = result.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => `Pedido ${i}`));
  });

  it('keeps the list’s filters and leaves out -excluded words', async () => {
    const closed = await search('garantia', { filter: { status: ['CLOSED'] } });
    expect(closed.edges.map((e) => e.node.subject)).toEqual(Array.from({ length: 25 }, (_, i) => `Pedido ${i * 10 + 5}`));
    expect(closed.edges.every((e) => e.node.status === 'CLOSED')).toBe(true);
    const withoutRefunds = (await search('garantia -reembolso')).edges.map((e) => e.node.subject);
    expect(withoutRefunds).toHaveLength(25);
    expect(withoutRefunds).not.toContain('Pedido 3');
    expect(withoutRefunds.slice(0, 4)).toEqual(['Pedido 0', 'Pedido 1', 'Pedido 2', 'Pedido 4']);
  });

  it('walks every source a word is common in, with one plan for any words', async () => {
    // "pedido" is in every subject as well as every message: both sources walk newest first.
    const hits = await search('pedido');
    expect(hits.edges.map((e) => e.node.subject)).toEqual(Array.from({ length: 25 }, (_, i) => `Pedido ${i}`));
    for (const edge of hits.edges) {
      expect([...edge.matchedIn].sort()).toEqual(['MESSAGE', 'SUBJECT']);
      expect(edge.snippet.filter((p) => p.highlighted).map((p) => p.text)).toEqual(['Pedido']);
    }
    const database = app.runtime.database;
    if (database.kind === 'pglite') return; // one session, planned as PGlite chooses
    // The session the searches just ran on (the pool hands back the last one returned): the
    // common statements are named and planned once, generically, like the rare ones.
    for (let i = 0; i < 6; i++) await search(i % 2 ? 'pedido' : 'garantia');
    const statements = rowsOf<{ statement: string; generic_plans: string; custom_plans: string }>(
      await database.genericPlans.execute(sql`select statement, generic_plans, custom_plans from pg_prepared_statements where name like 'correio_search_%'`),
    );
    const walking = (column: string) => statements.filter((s) => s.statement.includes(`coalesce(${column} @@`));
    expect(walking('a.search').length).toBeGreaterThan(0);
    expect(walking('"tickets".search').length).toBeGreaterThan(0);
    expect(statements.reduce((n, s) => n + Number(s.generic_plans), 0)).toBeGreaterThan(0);
    expect(statements.every((s) => Number(s.custom_plans) === 0)).toBe(true);
  });
});
