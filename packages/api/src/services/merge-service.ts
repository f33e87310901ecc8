import { schema, type Runtime, type Transaction } from '@correio/core';
import { normalizeSubject } from '@correio/mail-engine';
import { type Locale, renderText, text as serverText } from '@correio/texts';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import { recordHistory } from './ticket-history.ts';
import type { TicketRow, TicketService } from './ticket-service.ts';

const { tickets, ticketActions, ticketMessageIds, clients, workspaces } = schema;

/** How many actions one split may move (a thread of thousands is split in several steps). */
export const SPLIT_MAX_ACTIONS = 500;

/**
 * Merging and splitting tickets (issue 16). Both are one transaction that locks the tickets
 * involved in id order (two agents merging A into B and B into A at once: one waits, then fails
 * cleanly), move actions together with their Message-IDs — so a customer's later answer to any
 * moved message threads to where the message is now — and leave a note and a history entry on
 * each side. Neither can be undone; both are recorded.
 */
export class MergeService {
  constructor(
    private readonly runtime: Runtime,
    private readonly tickets: TicketService,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  /** Merges `sourceId` into `targetId`; returns the target. */
  async merge(viewer: Viewer, sourceId: string, targetId: string, locale: Locale): Promise<TicketRow> {
    if (sourceId === targetId) throw validationError([fieldError(['targetId'], serverText('validation.merge.same'))]);
    const merged = await this.db.transaction(async (tx) => {
      const [source, target] = await this.lockBoth(tx, viewer, sourceId, targetId);
      if (source.mergedIntoId) throw validationError([fieldError(['sourceId'], serverText('validation.merge.alreadyMerged', { number: source.number }))]);
      if (target.mergedIntoId) {
        const [into] = await tx.select({ number: tickets.number }).from(tickets).where(eq(tickets.id, target.mergedIntoId));
        throw validationError([fieldError(['targetId'], serverText('validation.merge.targetMerged', { number: target.number, into: into?.number ?? '?' }))]);
      }
      const now = new Date();
      await tx.update(ticketActions).set({ ticketId: target.id }).where(eq(ticketActions.ticketId, source.id));
      await tx.update(ticketMessageIds).set({ ticketId: target.id }).where(eq(ticketMessageIds.ticketId, source.id));
      // Everyone who was on the source's conversation stays on it: its copies, and its customer
      // when the two tickets were opened by different people.
      const [sourceCustomer] = await tx.select({ email: clients.email }).from(clients).where(eq(clients.id, source.customerId));
      const [targetCustomer] = await tx.select({ email: clients.email }).from(clients).where(eq(clients.id, target.customerId));
      const extra = [...source.ccs, ...(sourceCustomer && sourceCustomer.email !== targetCustomer?.email ? [sourceCustomer.email] : [])];
      const ccs = [...new Set([...target.ccs, ...extra.map((a) => a.toLowerCase())])].filter((a) => a !== targetCustomer?.email);
      const [result] = await tx.update(tickets).set({ ccs, updatedAt: now }).where(eq(tickets.id, target.id)).returning();
      await tx.update(tickets).set({ status: 'CLOSED', mergedIntoId: target.id, updatedAt: now }).where(eq(tickets.id, source.id));
      await tx.insert(ticketActions).values([
        { workspaceId: viewer.workspaceId, ticketId: source.id, kind: 'NOTE', authorId: viewer.userId, text: renderText(serverText('ticket.mergedInto', { number: target.number }), locale) },
        { workspaceId: viewer.workspaceId, ticketId: target.id, kind: 'NOTE', authorId: viewer.userId, text: renderText(serverText('ticket.mergedFrom', { number: source.number }), locale) },
      ]);
      await recordHistory(tx, viewer, [
        { ticketId: source.id, kind: 'MERGED_INTO', relatedTicketId: target.id, before: source.status, after: 'CLOSED' },
        { ticketId: target.id, kind: 'MERGED_FROM', relatedTicketId: source.id },
      ]);
      return result!;
    });
    this.tickets.publish(viewer.workspaceId, sourceId, 'UPDATED');
    this.tickets.publish(viewer.workspaceId, targetId, 'ACTION_ADDED');
    return merged;
  }

  /** Moves `actionIds` of a ticket to a new ticket of the same customer; returns the new ticket. */
  async split(viewer: Viewer, ticketId: string, actionIds: string[], locale: Locale): Promise<TicketRow> {
    const wanted = [...new Set(actionIds)];
    if (!wanted.length) throw validationError([fieldError(['actionIds'], serverText('validation.split.noActions'))]);
    if (wanted.length > SPLIT_MAX_ACTIONS || !wanted.every(isUuid)) throw validationError([fieldError(['actionIds'], serverText('validation.split.unknownAction'))]);
    const created = await this.db.transaction(async (tx) => {
      const [ticket] = await tx
        .select()
        .from(tickets)
        .where(and(eq(tickets.id, isUuid(ticketId) ? ticketId : '00000000-0000-0000-0000-000000000000'), eq(tickets.workspaceId, viewer.workspaceId)))
        .for('update');
      if (!ticket) throw validationError([fieldError(['ticketId'], serverText('validation.merge.unknownTicket'))]);
      if (ticket.mergedIntoId) throw validationError([fieldError(['ticketId'], serverText('validation.split.merged', { number: ticket.number }))]);
      const thread = await tx
        .select({ id: ticketActions.id, subject: ticketActions.subject, cc: ticketActions.cc, kind: ticketActions.kind, createdAt: ticketActions.createdAt })
        .from(ticketActions)
        .where(eq(ticketActions.ticketId, ticket.id))
        .orderBy(asc(ticketActions.createdAt), asc(ticketActions.seq));
      const moving = thread.filter((a) => wanted.includes(a.id));
      if (moving.length !== wanted.length) throw validationError([fieldError(['actionIds'], serverText('validation.split.unknownAction'))]);
      if (moving.length === thread.length) throw validationError([fieldError(['actionIds'], serverText('validation.split.allActions'))]);
      const [seq] = await tx
        .update(workspaces)
        .set({ ticketSeq: sql`${workspaces.ticketSeq} + 1` })
        .where(eq(workspaces.id, viewer.workspaceId))
        .returning({ number: workspaces.ticketSeq });
      const subject = moving.find((a) => a.subject)?.subject ?? ticket.subject;
      const now = new Date();
      const [fresh] = await tx
        .insert(tickets)
        .values({
          workspaceId: viewer.workspaceId,
          number: seq!.number,
          subject,
          normalizedSubject: normalizeSubject(subject),
          status: 'OPEN',
          customerId: ticket.customerId,
          ccs: ticket.ccs,
          accountId: ticket.accountId,
          typeId: ticket.typeId,
          groupId: ticket.groupId,
          assigneeId: ticket.assigneeId,
          createdAt: moving[0]!.createdAt,
          updatedAt: now,
        })
        .returning();
      await tx.update(ticketActions).set({ ticketId: fresh!.id }).where(inArray(ticketActions.id, wanted));
      await tx.update(ticketMessageIds).set({ ticketId: fresh!.id }).where(inArray(ticketMessageIds.actionId, wanted));
      await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, ticket.id));
      await tx.insert(ticketActions).values([
        { workspaceId: viewer.workspaceId, ticketId: ticket.id, kind: 'NOTE', authorId: viewer.userId, text: renderText(serverText('ticket.splitTo', { number: fresh!.number }), locale) },
        { workspaceId: viewer.workspaceId, ticketId: fresh!.id, kind: 'NOTE', authorId: viewer.userId, text: renderText(serverText('ticket.splitFrom', { number: ticket.number }), locale) },
      ]);
      await recordHistory(tx, viewer, [
        { ticketId: ticket.id, kind: 'SPLIT_TO', relatedTicketId: fresh!.id },
        { ticketId: fresh!.id, kind: 'SPLIT_FROM', relatedTicketId: ticket.id },
      ]);
      return fresh!;
    });
    this.tickets.publish(viewer.workspaceId, ticketId, 'UPDATED');
    this.runtime.events.pubsub.publish('ticketChanged', viewer.workspaceId, { ticketId: created.id, change: 'CREATED' });
    return created;
  }

  /** Both tickets of a merge, locked in id order so concurrent merges never deadlock. */
  private async lockBoth(tx: Transaction, viewer: Viewer, sourceId: string, targetId: string): Promise<[TicketRow, TicketRow]> {
    const ids = [sourceId, targetId].filter(isUuid);
    const rows = ids.length
      ? await tx
          .select()
          .from(tickets)
          .where(and(inArray(tickets.id, ids), eq(tickets.workspaceId, viewer.workspaceId)))
          .orderBy(asc(tickets.id))
          .for('update')
      : [];
    const source = rows.find((r) => r.id === sourceId);
    const target = rows.find((r) => r.id === targetId);
    if (!source) throw validationError([fieldError(['sourceId'], serverText('validation.merge.unknownTicket'))]);
    if (!target) throw validationError([fieldError(['targetId'], serverText('validation.merge.unknownTicket'))]);
    return [source, target];
  }
}
