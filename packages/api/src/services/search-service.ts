import { rowsOf, schema, type Runtime } from '@correio/core';
import { text as serverText } from '@correio/texts';
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, validationError } from '../errors.ts';
import { isRareQuery, type LexemeStats } from './search-selectivity.ts';
import { MARK_START, MARK_STOP, candidateFinder, occurrencesOf, snippetCandidates, snippetOf, snippetParts, type SnippetPart } from './search-snippet.ts';
import { queryLexemes } from './tsquery.ts';
import type { TicketFilter, TicketRow, TicketService } from './ticket-service.ts';

const { tickets } = schema;

/** Where a ticket matched a search (S2). NUMBER: the query was its number. */
export const SEARCH_MATCHES = ['SUBJECT', 'MESSAGE', 'NOTE', 'CUSTOMER', 'ATTACHMENT', 'NUMBER'] as const;
export type SearchMatch = (typeof SEARCH_MATCHES)[number];

export interface SearchHit {
  cursor: string;
  node: TicketRow;
  snippet: SnippetPart[];
  matchedIn: SearchMatch[];
}

/** The search column's statistics of each source's table. */
interface SourceStats {
  actions: LexemeStats;
  subjects: LexemeStats;
  customers: LexemeStats;
  attachments: LexemeStats;
}

/** Per source, whether it reads its GIN index (a rare word there) rather than walking newest first. */
type SourcePaths = Record<keyof SourceStats, boolean>;

export interface SearchPage {
  edges: SearchHit[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const SEARCH_QUERY_MAX = 200;
/** Matches each source ranks, the most recent first (see `search`). */
const CANDIDATES = 300;
/** How long the search column's statistics are trusted before they are read again (ANALYZE runs on its own schedule). */
const STATS_TTL_MS = 5 * 60_000;
/** The highlight marks of ts_headline's output, never taken from a message (search-snippet.ts). */
const MARKS = new RegExp(`[${MARK_START}${MARK_STOP}]`, 'g');
/** Parsed queries kept per process. */
const PARSED_QUERIES = 2_000;
/** Search statements kept per process: a workspace and list filters each (a few KB). */
const SEARCH_SHAPES = 1_000;
/** Words whose lexemes are kept per process, for snippets (~1–2 MB). */
const KNOWN_WORDS = 20_000;
const HEADLINE = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, MaxWords=28, MinWords=10, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
const WHOLE = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, HighlightAll=true`;

/**
 * Full-text search over every ticket of a workspace (issue 15, S2): subjects, the text of every
 * action (messages and notes) and its CC addresses, customers' names and addresses, attachment
 * file names and ticket numbers — PostgreSQL full-text search with Portuguese and English
 * stemming, accents folded (migration 0005), the same on PGlite. Ranked by relevance, then by
 * recent activity; each hit says where it matched and shows the words around the match.
 */
export class SearchService {
  constructor(
    private readonly runtime: Runtime,
    private readonly tickets: TicketService,
  ) {}

  private stats: { value: SourceStats; at: number } | null = null;
  private statsLoading: Promise<SourceStats> | null = null;

  private get db() {
    return this.runtime.database.db;
  }

  /** The most common lexemes of each source's search column and their frequencies, as ANALYZE last saw them. */
  private lexemeStats(): Promise<SourceStats> {
    if (this.stats && Date.now() - this.stats.at < STATS_TTL_MS) return Promise.resolve(this.stats.value);
    this.statsLoading ??= this.loadLexemeStats()
      .then((value) => {
        this.stats = { value, at: Date.now() };
        return value;
      })
      .finally(() => {
        this.statsLoading = null;
      });
    return this.statsLoading;
  }

  private async loadLexemeStats(): Promise<SourceStats> {
    const rows = rowsOf<{ table: string; rows: number | null; elems: string[] | null; freqs: number[] | null }>(
      await this.db.execute(sql`
        select c.relname as table, c.reltuples as rows, s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs as freqs
        from pg_class c
        left join pg_stats s on s.schemaname = current_schema() and s.tablename = c.relname and s.attname = 'search'
        where c.oid in ('ticket_actions'::regclass, 'tickets'::regclass, 'clients'::regclass, 'attachments'::regclass)`),
    );
    const of = (table: string): LexemeStats => {
      const row = rows.find((r) => r.table === table);
      const frequencies = new Map<string, number>();
      (row?.elems ?? []).forEach((lexeme, i) => frequencies.set(lexeme, Number(row?.freqs?.[i] ?? 0)));
      return { frequencies, rows: Number(row?.rows ?? 0) };
    };
    return { actions: of('ticket_actions'), subjects: of('tickets'), customers: of('clients'), attachments: of('attachments') };
  }

  /** Texts typed → their tsqueries (a page of results asks again; agents search alike). */
  private readonly parsed = new LRUCache<string, { wanted: string; excluded: string | null }>({ max: PARSED_QUERIES });
  /** Search statements by shape (searchStatement). */
  private readonly statements = new LRUCache<string, ReturnType<SearchService['searchStatement']>>({ max: SEARCH_SHAPES });
  /** A word → the lexemes its search document holds, as correio_document makes them (snippets). */
  private readonly wordLexemes = new LRUCache<string, string[]>({ max: KNOWN_WORDS });

  /**
   * correio_query is IMMUTABLE (the dictionaries of this install), so its answer is kept: the
   * round trip is a third of a rare search's statements.
   */
  private async tsqueries(wanted: string, excluded: string): Promise<{ wanted: string; excluded: string | null } | undefined> {
    const key = `${wanted}\u0000${excluded}`;
    const known = this.parsed.get(key);
    if (known) return known;
    const [row] = rowsOf<{ wanted: string; excluded: string | null }>(
      await this.db.execute(sql`select correio_query(${wanted})::text as wanted, ${excluded ? sql`correio_query(${excluded})::text` : sql`null`} as excluded`),
    );
    if (row) this.parsed.set(key, row);
    return row;
  }

  /**
   * The words of these that hold one of the lexemes, each with the ones it holds (a snippet counts
   * "nota" and "notas" as one match). Each word's lexemes are asked for once: correio_document is
   * IMMUTABLE too.
   */
  private async wordsMatching(words: string[], lexemes: string[]): Promise<Map<string, string>> {
    const unknown = words.filter((w) => !this.wordLexemes.has(w));
    if (unknown.length) {
      const rows = rowsOf<{ word: string; lexemes: string[] }>(
        await this.db.execute(sql`select w as word, tsvector_to_array(correio_document(w)) as lexemes from unnest(${sql.param(unknown)}::text[]) w`),
      );
      for (const r of rows) this.wordLexemes.set(r.word, r.lexemes);
    }
    const wanted = new Set(lexemes);
    const matched = new Map<string, string>();
    for (const word of words) {
      const held = (this.wordLexemes.get(word) ?? []).filter((l) => wanted.has(l));
      if (held.length) matched.set(word, held.sort().join(' '));
    }
    return matched;
  }

  async search(viewer: Viewer, rawQuery: string, filter: TicketFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<SearchPage> {
    const query = rawQuery.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
    if (!query) throw validationError([fieldError(['query'], serverText('validation.search.empty'))]);
    if (query.length > SEARCH_QUERY_MAX) throw validationError([fieldError(['query'], serverText('validation.search.tooLong', { maximum: SEARCH_QUERY_MAX }))]);
    if (first != null && (first < 1 || first > 100)) throw validationError([fieldError(['first'], serverText('validation.tickets.pageSize'))]);
    const limit = first ?? 25;
    const offset = after ? decodeOffset(after) : 0;
    if (offset === null) throw validationError([fieldError(['after'], serverText('validation.tickets.cursor'))]);

    const { wanted, excluded } = splitExclusions(query);
    if (!wanted) throw validationError([fieldError(['query'], serverText('validation.search.onlyExcluded'))]);
    // The tsqueries first (remembered per text): the search statement gets them as values, which
    // PostgreSQL plans an unnamed statement with, so each word is estimated from the column's
    // statistics rather than through correio_query(), which the planner cannot see into.
    const queries = await this.tsqueries(wanted, excluded);
    if (!queries || !queries.wanted) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    // Each source either reads its matches through its GIN index and sorts them (a rare word) or
    // walks its rows newest first until it has enough (a common one). Which, is decided here from
    // each table's statistics, not left to the planner's guess for words they do not hold
    // (search-selectivity.ts); the statement then has one plan whatever its words.
    const stats = await this.lexemeStats();
    const paths: SourcePaths = {
      actions: isRareQuery(queries.wanted, stats.actions, CANDIDATES),
      subjects: isRareQuery(queries.wanted, stats.subjects, CANDIDATES),
      customers: isRareQuery(queries.wanted, stats.customers, CANDIDATES),
      attachments: isRareQuery(queries.wanted, stats.attachments, CANDIDATES),
    };
    const number = /^#?(\d{1,9})$/.exec(wanted)?.[1];
    const list = filter ?? {};
    const narrowing: TicketFilter = { status: list.status ?? null, accountId: list.accountId ?? null, groupId: list.groupId ?? null, typeId: list.typeId ?? null, assigneeId: list.assigneeId ?? null };
    const shape = JSON.stringify([viewer.workspaceId, narrowing, paths, Boolean(number), Boolean(queries.excluded)]);
    let statement = this.statements.get(shape);
    if (!statement) {
      statement = this.searchStatement(viewer, narrowing, paths, Boolean(number), Boolean(queries.excluded));
      this.statements.set(shape, statement);
    }
    const found = await statement.execute({ q: queries.wanted, excluded: queries.excluded ?? '', number: Number(number ?? 0), limit: limit + 1, offset });
    const page = found.slice(0, limit);
    const snippets = await this.messageSnippets(page, queries.wanted);
    const edges = page.map((hit, i) => ({
      cursor: encodeOffset(offset + i + 1),
      node: hit.node,
      matchedIn: SEARCH_MATCHES.filter((m) => hit.matchedIn.includes(m)),
      snippet: snippets.get(hit.sourceId ?? '') ?? snippetParts(hit.headline ?? hit.node.subject),
    }));
    return { edges, pageInfo: { hasNextPage: found.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /**
   * The search statement of one shape (workspace, list filters, each source's path, with a ticket
   * number or an exclusion), built by drizzle once and kept: the query's own values are
   * placeholders. Building it was ~7 % of a search's CPU in Correio.
   */
  private searchStatement(viewer: Viewer, filter: TicketFilter, paths: SourcePaths, withNumber: boolean, withExclusion: boolean) {
    const ws = viewer.workspaceId;
    const q = sql`${sql.placeholder('q')}::tsquery`;
    const filters = this.tickets.filterConditions(viewer, filter);
    // With criteria beyond the workspace, each source is narrowed before its limit, so a filter
    // never finds its page cut short; without, the sources stay join-free (a rare word is then a
    // few GIN lookups, not a hash of every ticket), and the page applies the workspace anyway.
    const narrowed = Boolean(filter.status?.length || filter.accountId || filter.groupId || filter.typeId || filter.assigneeId);
    const narrow = (ticketId: SQL) => (narrowed ? sql`and exists (select 1 from ${tickets} where ${tickets.id} = ${ticketId} and ${filters})` : sql``);
    // A rare source reads its GIN index, fenced; a common one walks newest first, its match
    // hidden from the GIN index so that no plan can read every match of a word in half the mail.
    const source = (table: SQL, alias: SQL, rare: boolean) => (rare ? sql`${fenced(table, q)} ${alias}` : sql`${table} ${alias}`);
    const matches = (column: SQL, rare: boolean) => (rare ? sql`${column} @@ ${q}` : unindexed(sql`${column} @@ ${q}`));
    const byNumber = withNumber ? sql`union all (select ${tickets.id}, 100::real, 'NUMBER', null::uuid from ${tickets} where ${filters} and ${tickets.number} = ${sql.placeholder('number')})` : sql``;
    // Each source gives its CANDIDATES most recent matches, ranked among themselves: a word in
    // half of all mail ("nota fiscal" in a Brazilian inbox) costs a few hundred rows, not half
    // the table, and a rare word is found through the GIN index. Every source is scoped to the
    // caller's workspace on its own and narrowed by the list's filters before the limit.
    // The ranked page, then its tickets joined to it in the same statement (one round trip).
    const ranked = this.db
      .$with('ranked', {
        ticketId: sql<string>`ticket_id`.as('ticket_id'),
        matchedIn: sql<string[]>`matched_in`.as('matched_in'),
        best: sql<string>`best`.as('best'),
        sourceId: sql<string | null>`source_id`.as('source_id'),
        headline: sql<string | null>`headline`.as('headline'),
        sourceText: sql<string | null>`source_text`.as('source_text'),
        ord: sql<number>`ord`.as('ord'),
      })
      .as(sql`
        with hits as (
          (select a.ticket_id, ts_rank(a.search, ${q}) as rank, case when a.kind = 'NOTE' then 'NOTE' else 'MESSAGE' end as matched, a.id as source_id
            from ${source(sql`ticket_actions`, sql`a`, paths.actions)}
            where a.workspace_id = ${ws} and ${matches(sql`a.search`, paths.actions)} ${narrow(sql`a.ticket_id`)}
            order by a.created_at desc limit ${CANDIDATES})
          union all
          (select ${tickets.id}, ts_rank(${tickets}.search, ${q}) * 2, 'SUBJECT', null::uuid from ${source(sql`${tickets}`, sql`${tickets}`, paths.subjects)}
            where ${filters} and ${matches(sql`${tickets}.search`, paths.subjects)} order by ${tickets.updatedAt} desc limit ${CANDIDATES})
          union all
          (select ${tickets.id}, 0.3::real, 'CUSTOMER', c.id from ${source(sql`clients`, sql`c`, paths.customers)} join ${tickets} on ${tickets.customerId} = c.id
            where c.workspace_id = ${ws} and ${matches(sql`c.search`, paths.customers)} and ${filters} order by ${tickets.updatedAt} desc limit ${CANDIDATES})
          union all
          (select a.ticket_id, 0.2::real, 'ATTACHMENT', f.id from ${source(sql`attachments`, sql`f`, paths.attachments)} join ticket_actions a on a.id = f.action_id
            where f.workspace_id = ${ws} and a.workspace_id = ${ws} and ${matches(sql`f.search`, paths.attachments)} ${narrow(sql`a.ticket_id`)} order by a.created_at desc limit ${CANDIDATES})
          ${byNumber}
        ),
        matched as (
          -- Each ticket's best match, and every place it matched (repeats are dropped in Correio):
          -- one sort of the hits, where three aggregates sorted each ticket's hits again (~10 %
          -- of a common search's statement).
          select distinct on (ticket_id) ticket_id, rank, array_agg(matched) over (partition by ticket_id) as matched_in, matched as best, source_id
          from hits order by ticket_id, rank desc
        ),
        page as (
          -- One ticket looked up by its key per match ("offset 0" keeps it a nested loop): a hash
          -- join would read every ticket of the table to find a few hundred.
          select m.*, t.updated_at from matched m
          cross join lateral (select ${tickets.updatedAt} as updated_at from ${tickets} where ${tickets.id} = m.ticket_id and ${filters} offset 0) t
          ${withExclusion ? sql`where not exists (${anywhereIn(sql`m.ticket_id`, sql`${sql.placeholder('excluded')}::tsquery`)})` : sql``}
          order by m.rank desc, t.updated_at desc, m.ticket_id desc
          limit ${sql.placeholder('limit')} offset ${sql.placeholder('offset')}
        )
        select p.ticket_id, p.matched_in, p.best, p.source_id, ${headlineOf(q)} as headline, ${messageTextOf()} as source_text,
          row_number() over (order by p.rank desc, p.updated_at desc, p.ticket_id desc) as ord
        from page p
      `);
    // Every shape runs on sessions that plan it once (see the prepare below).
    const query = this.runtime.database.genericPlans
      .with(ranked)
      .select({ node: tickets, matchedIn: ranked.matchedIn, sourceId: ranked.sourceId, headline: ranked.headline, sourceText: ranked.sourceText })
      .from(ranked)
      .innerJoin(tickets, eq(tickets.id, ranked.ticketId))
      .orderBy(asc(ranked.ord));
    // Each source's path is fixed in the text, so a shape has one right plan whatever its words:
    // it is a named statement, planned once per session, on the sessions that keep a generic plan
    // (PostgreSQL's own choice re-planned whenever a custom plan looked cheaper than its generic
    // estimate: in a workspace of 50,000 actions, every time, 1.9 ms of planning for a 0.18 ms
    // rare search; a common search spent 2.4 of its 6 ms in parsing and planning). The name is
    // the text's hash, so the workspaces share it (their ids are values) and each session holds a
    // few at most.
    return query.prepare(`correio_search_${createHash('sha256').update(query.toSQL().sql).digest('hex').slice(0, 24)}`);
  }

  /**
   * Snippets of the hits that matched in a message or note (search-snippet.ts): the candidate
   * words of their texts not seen before are checked in one statement; a text where none matched (a word our
   * splitting reads otherwise than PostgreSQL's parser) gets ts_headline, as before.
   */
  private async messageSnippets(page: Array<{ sourceId: string | null; sourceText: string | null }>, tsquery: string): Promise<Map<string, SnippetPart[]>> {
    const texts = page.flatMap((hit) => (hit.sourceId && hit.sourceText != null ? [{ id: hit.sourceId, text: hit.sourceText.replace(MARKS, '') }] : []));
    const snippets = new Map<string, SnippetPart[]>();
    if (!texts.length) return snippets;
    const lexemes = queryLexemes(tsquery);
    const finder = candidateFinder(lexemes);
    const occurrences = texts.map((t) => (finder ? occurrencesOf(t.text, finder) : []));
    const candidates = snippetCandidates(occurrences);
    const matched = await this.wordsMatching(candidates, lexemes);
    const unmatched: string[] = [];
    for (const [i, { id, text }] of texts.entries()) {
      const parts = snippetOf(text, occurrences[i]!, matched);
      if (parts) snippets.set(id, parts);
      else unmatched.push(id);
    }
    if (unmatched.length) {
      const headlines = rowsOf<{ id: string; snippet: string }>(
        await this.db.execute(sql`select a.id, ${headline(sql`a.text`, sql`${tsquery}::tsquery`, HEADLINE)} as snippet from ticket_actions a where a.id = any(${sql.param(unmatched)}::uuid[])`),
      );
      for (const h of headlines) snippets.set(h.id, snippetParts(h.snippet));
    }
    return snippets;
  }
}

/**
 * `-word` and `-"a phrase"` exclude a ticket that has them anywhere — in any message, the
 * subject, the customer or a file name — not only the one source the other words matched in.
 */
export function splitExclusions(query: string): { wanted: string; excluded: string } {
  const excluded: string[] = [];
  const wanted = query
    .replace(/(^|\s)-("[^"]*"?|[^\s"]+)/g, (_whole, lead: string, term: string) => {
      excluded.push(term);
      return lead;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { wanted, excluded: excluded.filter((t) => t.replace(/"/g, '').trim()).join(' or ') };
}

/** Whether a ticket has the query anywhere: a message or note, its subject, its customer, a file name. */
function anywhereIn(ticketId: SQL, query: SQL): SQL {
  return sql`
    select 1 from ticket_actions x where x.ticket_id = ${ticketId} and x.search @@ ${query}
    union all select 1 from tickets x where x.id = ${ticketId} and x.search @@ ${query}
    union all select 1 from tickets x join clients c on c.id = x.customer_id where x.id = ${ticketId} and c.search @@ ${query}
    union all select 1 from ticket_actions x join attachments f on f.action_id = x.id where x.ticket_id = ${ticketId} and f.search @@ ${query}`;
}

/**
 * Characters of a text its search document is built from (migration 0016): a snippet is cut from
 * the same ones, where every match is, and never re-parses a pasted megabyte for each search.
 */
const INDEXED_CHARS = 50_000;

const cleanText = (column: SQL) => sql`translate(left(${column}, ${sql.raw(String(INDEXED_CHARS))}), ${MARK_START + MARK_STOP}, '')`;
const headline = (doc: SQL, query: SQL, options: string) => sql`ts_headline('public.correio_pt', ${cleanText(doc)}, ${query}, ${options})`;

/** The words around the match of a hit found in a subject, a customer or a file name: short texts, highlighted whole by PostgreSQL. */
function headlineOf(query: SQL): SQL {
  return sql`case p.best
    when 'MESSAGE' then null
    when 'NOTE' then null
    when 'CUSTOMER' then (select ${headline(sql`coalesce(c.name || ' <' || c.email || '>', c.email)`, query, WHOLE)} from clients c where c.id = p.source_id)
    when 'ATTACHMENT' then (select ${headline(sql`regexp_replace(f.filename, '[._-]+', ' ', 'g')`, query, WHOLE)} from attachments f where f.id = p.source_id)
    else (select ${headline(sql`t.subject`, query, WHOLE)} from tickets t where t.id = p.ticket_id)
  end`;
}

/**
 * The text a hit found in a message or note matched in: its snippet is cut in JavaScript
 * (messageSnippets), which also drops the highlight marks (PostgreSQL's translate() took 20 µs a text).
 */
function messageTextOf(): SQL {
  return sql`case when p.best in ('MESSAGE', 'NOTE') then (select left(a.text, ${sql.raw(String(INDEXED_CHARS))}) from ticket_actions a where a.id = p.source_id) end`;
}

/**
 * A match a plan cannot read through the GIN index: a common source walks its rows newest first
 * and stops at CANDIDATES matches. A generic plan, which cannot tell "nota fiscal" from an order
 * number, would otherwise be free to read all of a common word's matches through the index.
 */
function unindexed(match: SQL): SQL {
  return sql`coalesce(${match}, false)`;
}

/**
 * A table's rows that hold the query, read through its GIN index alone: the workspace, the filters
 * and the order are applied to what it returns ("offset 0" keeps PostgreSQL from merging them in).
 * A named statement's generic plan, which knows neither the words nor how rare they are, has no
 * other path to choose: left a choice, it ANDed the GIN bitmap with the workspace's whole index
 * (72 ms instead of 1.5 ms).
 */
function fenced(table: SQL, query: SQL): SQL {
  return sql`(select * from ${table} where search @@ ${query} offset 0)`;
}

function encodeOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeOffset(cursor: string): number | null {
  const match = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : null;
}
