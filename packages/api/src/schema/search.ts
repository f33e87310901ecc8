import { builder } from '../builder.ts';
import { SEARCH_MATCHES, type SearchHit, type SearchPage } from '../services/search-service.ts';
import type { SnippetPart } from '../services/search-snippet.ts';
import { PageInfoRef, TicketFilter, TicketRef } from './ticket.ts';

const SearchMatchEnum = builder.enumType('SearchMatch', {
  description: 'Where a ticket matched a search.',
  values: {
    SUBJECT: { description: 'Its subject.' },
    MESSAGE: { description: 'The text or CC addresses of an e-mail in it, received or sent.' },
    NOTE: { description: 'An internal note.' },
    CUSTOMER: { description: 'The customer’s name or address.' },
    ATTACHMENT: { description: 'An attachment’s file name.' },
    NUMBER: { description: 'The query was the ticket’s number (#123 or 123).' },
  } satisfies Record<(typeof SEARCH_MATCHES)[number], unknown>,
});

const SnippetPartRef = builder.objectRef<SnippetPart>('SnippetPart').implement({
  description: 'A piece of a search snippet. Plain text, never markup: render highlighted parts as marked text.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The words.' }),
    highlighted: t.exposeBoolean('highlighted', { description: 'Whether these words are what matched.' }),
  }),
});

const TicketSearchEdgeRef = builder.objectRef<SearchHit>('TicketSearchEdge').implement({
  description: 'A ticket that matched, with where and the words around the match.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this hit.' }),
    node: t.field({ type: TicketRef, description: 'The ticket.', resolve: (e) => e.node }),
    snippet: t.field({ type: [SnippetPartRef], description: 'The words around the best match, in pieces, the matching ones highlighted.', resolve: (e) => e.snippet }),
    matchedIn: t.field({ type: [SearchMatchEnum], description: 'Every place the ticket matched.', resolve: (e) => e.matchedIn }),
  }),
});

const TicketSearchConnectionRef = builder.objectRef<SearchPage>('TicketSearchConnection').implement({
  description: 'A page of search hits, most relevant first, then most recent activity.',
  fields: (t) => ({
    edges: t.field({ type: [TicketSearchEdgeRef], description: 'Hits of this page.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfoRef, description: 'Pagination state.', resolve: (c) => c.pageInfo }),
  }),
});

builder.queryField('searchTickets', (t) =>
  t.withAuth({ agent: true }).field({
    type: TicketSearchConnectionRef,
    description:
      'Full-text search (S2) over subjects, every message and note, CC addresses, customers’ names and addresses, attachment file names and ticket numbers. Portuguese and English, accents and plurals folded ("notas fiscais" finds "nota fiscal", "acao" finds "ação"); "a phrase" in quotes, -word to exclude.',
    args: {
      query: t.arg.string({ required: true, description: 'What to find (at most 200 characters).' }),
      filter: t.arg({ type: TicketFilter, description: 'Narrows the hits like the ticket list (its `search` is ignored).' }),
      first: t.arg.int({ description: 'Page size, 1–100 (default 25).' }),
      after: t.arg.string({ description: '`endCursor` of the previous page.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.search.search(ctx.viewer, args.query, args.filter ? { ...args.filter, search: null } : null, args.first, args.after),
  }),
);
