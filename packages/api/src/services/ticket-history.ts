import { schema, type Queryable } from '@correio/core';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Viewer } from '../auth/tokens.ts';
import type { TicketRow } from './ticket-service.ts';

const { ticketHistory, groups, ticketTypes, users } = schema;

export type HistoryRow = typeof ticketHistory.$inferSelect;
export type HistoryEntry = Pick<typeof ticketHistory.$inferInsert, 'ticketId' | 'kind' | 'before' | 'after' | 'relatedTicketId'>;

/** Writes history entries in the caller's transaction, as the viewer's doing. */
export async function recordHistory(tx: Queryable, viewer: Viewer, entries: HistoryEntry[]): Promise<void> {
  if (!entries.length) return;
  await tx.insert(ticketHistory).values(entries.map((e) => ({ ...e, workspaceId: viewer.workspaceId, actorId: viewer.userId })));
}

/** A ticket's history, oldest first. */
export function historyOf(db: Queryable, viewer: Viewer, ticketId: string): Promise<HistoryRow[]> {
  return db
    .select()
    .from(ticketHistory)
    .where(and(eq(ticketHistory.ticketId, ticketId), eq(ticketHistory.workspaceId, viewer.workspaceId)))
    .orderBy(asc(ticketHistory.seq));
}

type Patch = Partial<Pick<TicketRow, 'status' | 'groupId' | 'typeId' | 'assigneeId'>>;

/**
 * The entries a change of fields makes: one per field that really changed, with the group's,
 * type's or agent's name as it is now (names are kept, so a later rename or removal still reads).
 */
export async function historyOfChange(db: Queryable, before: TicketRow, patch: Patch): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  if (patch.status && patch.status !== before.status) entries.push({ ticketId: before.id, kind: 'STATUS', before: before.status, after: patch.status });
  const named: Array<['GROUP' | 'TYPE' | 'ASSIGNEE', string | null | undefined, string | null, typeof groups | typeof ticketTypes | typeof users]> = [
    ['GROUP', patch.groupId, before.groupId, groups],
    ['TYPE', patch.typeId, before.typeId, ticketTypes],
    ['ASSIGNEE', patch.assigneeId, before.assigneeId, users],
  ];
  for (const [kind, next, previous, table] of named) {
    if (next === undefined || next === previous) continue;
    const ids = [next, previous].filter((id): id is string => !!id);
    const rows = ids.length ? await db.select({ id: table.id, name: table.name }).from(table).where(inArray(table.id, ids)) : [];
    const nameOf = (id: string | null) => (id ? (rows.find((r) => r.id === id)?.name ?? null) : null);
    entries.push({ ticketId: before.id, kind, before: nameOf(previous), after: nameOf(next) });
  }
  return entries;
}
