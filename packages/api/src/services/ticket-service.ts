import { schema, type Runtime } from '@correio/core';
import { text as serverText, type TextCode } from '@correio/texts';
import { and, asc, count, desc, eq, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, notFound, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import { escapeLike } from './catalog-service.ts';
import { historyOfChange, recordHistory } from './ticket-history.ts';
import { parseInput, says } from './validation.ts';

const { tickets, ticketActions, clients, groups, ticketTypes, users } = schema;

export type TicketRow = typeof tickets.$inferSelect;
export type ActionRow = typeof ticketActions.$inferSelect;
export type TicketStatus = TicketRow['status'];

export interface TicketFilter {
  status?: TicketStatus[] | null;
  accountId?: string | null;
  groupId?: string | null;
  typeId?: string | null;
  assigneeId?: string | null;
  search?: string | null;
}

export interface TicketPage {
  edges: Array<{ cursor: string; node: TicketRow }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * Counted only when a client asks for it, and only up to TOTAL_COUNT_CAP: counting a million
   * matches would cost more than the page itself, and "10,000+" tells an agent as much.
   */
  totalCount: () => Promise<{ count: number; capped: boolean }>;
}

export const TOTAL_COUNT_CAP = 10_000;

const updateSchema = z.object({
  status: z.enum(schema.ticketStatusEnum.enumValues).nullish(),
  typeId: z.string().nullish(),
  groupId: z.string().nullish(),
  assigneeId: z.string().nullish(),
});

const noteSchema = z.string().trim().min(1, says('validation.note.empty')).max(100_000);

export class TicketService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  async list(viewer: Viewer, first: number | null | undefined, after: string | null | undefined, filter: TicketFilter | null | undefined): Promise<TicketPage> {
    if (first != null && (first < 1 || first > 100)) throw validationError([fieldError(['first'], serverText('validation.tickets.pageSize'))]);
    const limit = first ?? 25;
    const where = this.filterConditions(viewer, filter ?? {});
    const cursor = after ? decodeCursor(after) : null;
    const pageWhere = cursor
      ? and(where, or(lt(tickets.updatedAt, cursor.updatedAt), and(eq(tickets.updatedAt, cursor.updatedAt), lt(tickets.id, cursor.id))))
      : where;
    const rows = await this.db.select().from(tickets).where(pageWhere).orderBy(desc(tickets.updatedAt), desc(tickets.id)).limit(limit + 1);
    const page = rows.slice(0, limit);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: once(async () => {
        const upTo = this.db.select({ one: sql`1` }).from(tickets).where(where).limit(TOTAL_COUNT_CAP + 1).as('up_to');
        const n = (await this.db.select({ n: count() }).from(upTo))[0]?.n ?? 0;
        return { count: Math.min(n, TOTAL_COUNT_CAP), capped: n > TOTAL_COUNT_CAP };
      }),
    };
  }

  /** The list's filters as one condition on `tickets` (search narrows by the same ones). */
  filterConditions(viewer: Viewer, filter: TicketFilter): SQL {
    const conditions: SQL[] = [eq(tickets.workspaceId, viewer.workspaceId)];
    if (filter.status?.length) conditions.push(inArray(tickets.status, filter.status));
    // An id that is not even a UUID matches nothing rather than erroring: filters come from URLs.
    const byId = (column: PgColumn, id: string | null | undefined) => {
      if (id) conditions.push(isUuid(id) ? eq(column, id) : sql`false`);
    };
    byId(tickets.accountId, filter.accountId);
    byId(tickets.groupId, filter.groupId);
    byId(tickets.typeId, filter.typeId);
    byId(tickets.assigneeId, filter.assigneeId);
    const term = filter.search?.trim();
    if (term) {
      const like = `%${escapeLike(term)}%`;
      const number = /^#?(\d{1,9})$/.exec(term)?.[1];
      const matchingClients = this.db
        .select({ id: clients.id })
        .from(clients)
        .where(and(eq(clients.workspaceId, viewer.workspaceId), or(ilike(clients.email, like), ilike(clients.name, like))));
      conditions.push(
        or(ilike(tickets.subject, like), inArray(tickets.customerId, matchingClients), number ? eq(tickets.number, Number(number)) : undefined)!,
      );
    }
    return and(...conditions)!;
  }

  async get(viewer: Viewer, id: string): Promise<TicketRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(tickets).where(and(eq(tickets.id, id), eq(tickets.workspaceId, viewer.workspaceId)));
    return row ?? null;
  }

  async require(viewer: Viewer, id: string): Promise<TicketRow> {
    const row = await this.get(viewer, id);
    if (!row) throw notFound('ticket');
    return row;
  }

  actions(viewer: Viewer, ticketId: string): Promise<ActionRow[]> {
    return this.db
      .select()
      .from(ticketActions)
      .where(and(eq(ticketActions.ticketId, ticketId), eq(ticketActions.workspaceId, viewer.workspaceId)))
      .orderBy(asc(ticketActions.createdAt), asc(ticketActions.seq));
  }

  async update(viewer: Viewer, id: string, rawInput: unknown): Promise<TicketRow> {
    const input = parseInput(updateSchema, rawInput, 'input');
    await this.require(viewer, id);
    await this.assertInWorkspace(viewer, input);
    const patch: Partial<typeof tickets.$inferInsert> = { updatedAt: new Date() };
    if (input.status) patch.status = input.status;
    if (input.typeId !== undefined) patch.typeId = input.typeId;
    if (input.groupId !== undefined) patch.groupId = input.groupId;
    if (input.assigneeId !== undefined) patch.assigneeId = input.assigneeId;
    const row = await this.db.transaction(async (tx) => {
      // Locked, so two agents changing the same field at once each record what they really replaced.
      const [before] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
      const [updated] = await tx
        .update(tickets)
        .set(patch)
        .where(and(eq(tickets.id, id), eq(tickets.workspaceId, viewer.workspaceId)))
        .returning();
      await recordHistory(tx, viewer, await historyOfChange(tx, before!, patch));
      return updated;
    });
    this.publish(viewer.workspaceId, id, 'UPDATED');
    return row!;
  }

  async addNote(viewer: Viewer, ticketId: string, rawText: unknown): Promise<ActionRow> {
    const text = parseInput(noteSchema, rawText, 'text');
    await this.require(viewer, ticketId);
    const action = await this.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(ticketActions)
        .values({ workspaceId: viewer.workspaceId, ticketId, kind: 'NOTE', text, authorId: viewer.userId })
        .returning();
      await tx.update(tickets).set({ updatedAt: new Date() }).where(eq(tickets.id, ticketId));
      return created!;
    });
    this.publish(viewer.workspaceId, ticketId, 'ACTION_ADDED');
    return action;
  }

  private async assertInWorkspace(viewer: Viewer, input: z.output<typeof updateSchema>): Promise<void> {
    const checks: Array<[string, string | null | undefined, typeof groups | typeof ticketTypes | typeof users, TextCode]> = [
      ['typeId', input.typeId, ticketTypes, 'validation.ticket.unknownType'],
      ['groupId', input.groupId, groups, 'validation.ticket.unknownGroup'],
      ['assigneeId', input.assigneeId, users, 'validation.ticket.unknownAssignee'],
    ];
    for (const [field, id, table, unknown] of checks) {
      if (!id) continue;
      const found = isUuid(id)
        ? await this.db
            .select({ id: table.id })
            .from(table)
            .where(and(eq(table.id, id), eq(table.workspaceId, viewer.workspaceId)))
        : [];
      if (!found.length) throw validationError([fieldError(['input', field], { code: unknown })]);
    }
  }

  publish(workspaceId: string, ticketId: string, change: 'UPDATED' | 'ACTION_ADDED'): void {
    this.runtime.events.pubsub.publish('ticketChanged', workspaceId, { ticketId, change });
  }
}

function encodeCursor(row: TicketRow): string {
  return Buffer.from(JSON.stringify([row.updatedAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const updatedAt = new Date(at);
    if (Number.isNaN(updatedAt.getTime()) || !isUuid(id)) throw new Error('bad cursor');
    return { updatedAt, id };
  } catch {
    throw validationError([fieldError(['after'], serverText('validation.tickets.cursor'))]);
  }
}

/** A lazy value computed once however many fields ask for it. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => (value ??= compute());
}
