import type { TicketStatus } from '#graphql/enums.ts';
import type { ResultOf, VariablesOf } from '#graphql/graphql.ts';
import type { TicketsQuery } from '../graphql/tickets.ts';

export type InboxRow = ResultOf<typeof TicketsQuery>['tickets']['edges'][number]['node'];
export type TicketFilter = NonNullable<VariablesOf<typeof TicketsQuery>['filter']>;

/** The inbox's filters as the URL holds them (`?view=…&q=…&group=…`), '' where unset. */
export interface InboxQuery {
  /** `open` (the default), `all`, or one status. */
  view: string;
  q: string;
  group: string;
  type: string;
  account: string;
  /** `me`, or an agent's id. */
  assignee: string;
}

/** What the default "Open tickets" view shows. */
export const OPEN_STATUSES: TicketStatus[] = ['NEW', 'OPEN', 'PENDING'];

/**
 * The URL's filters as the API's `TicketFilter`; `me` is the logged-in agent. The URL's `q` is
 * not among them: a search goes to `searchTickets`, see `searchFromQuery`.
 */
export function filterFromQuery(query: InboxQuery, me: string | null): TicketFilter {
  const f: TicketFilter = {};
  const view = query.view || 'open';
  if (view === 'open') f.status = OPEN_STATUSES;
  else if (view !== 'all') f.status = [view as TicketStatus];
  if (query.group) f.groupId = query.group;
  if (query.type) f.typeId = query.type;
  if (query.account) f.accountId = query.account;
  if (query.assignee === 'me') f.assigneeId = me;
  else if (query.assignee) f.assigneeId = query.assignee;
  return f;
}

/** What to search for, from the URL; '' is the plain inbox. */
export function searchFromQuery(query: Pick<InboxQuery, 'q'>): string {
  return query.q.trim();
}

/** The URL's `q` for what is typed in the search box (null takes it out of the URL). */
export function searchParam(typed: string): string | null {
  return typed.trim() || null;
}

/** Whether a ticket that changed live belongs in the list as it is filtered now. */
export function matchesFilter(ticket: InboxRow, f: TicketFilter): boolean {
  if (f.status && !f.status.includes(ticket.status)) return false;
  if (f.groupId && ticket.group?.id !== f.groupId) return false;
  if (f.typeId && ticket.type?.id !== f.typeId) return false;
  if (f.accountId && ticket.account?.id !== f.accountId) return false;
  if (f.assigneeId && ticket.assignee?.id !== f.assigneeId) return false;
  return true;
}

/**
 * The rows after a live change of `ticket`: taken out, or put in its place by last activity
 * (newest first); `totalDelta` is how the filtered total changes.
 */
export function applyLiveTicket(rows: InboxRow[], ticket: InboxRow, belongs: boolean): { rows: InboxRow[]; totalDelta: -1 | 0 | 1 } {
  const index = rows.findIndex((r) => r.id === ticket.id);
  const next = rows.slice();
  if (index >= 0) next.splice(index, 1);
  if (belongs) {
    next.unshift(ticket);
    next.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  }
  const totalDelta = index < 0 && belongs ? 1 : index >= 0 && !belongs ? -1 : 0;
  return { rows: next, totalDelta };
}

/**
 * Search hits after a live change of `ticket`: updated in place, or taken out when it no longer
 * passes the filters. Hits keep their place and new tickets are not added: whether and where a
 * ticket matches only the server knows, and re-ranking would move rows under the keyboard.
 */
export function applyLiveHit(rows: InboxRow[], ticket: InboxRow, belongs: boolean): InboxRow[] {
  const index = rows.findIndex((r) => r.id === ticket.id);
  if (index < 0) return rows;
  const next = rows.slice();
  if (belongs) next[index] = ticket;
  else next.splice(index, 1);
  return next;
}
