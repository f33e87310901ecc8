import { randomUUID } from 'node:crypto';
import { schema, type AccountRow, type Queryable, type TicketChangedEvent } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bulkInsert } from './bulk-insert.ts';
import type { Decision, InboundMessage, Known, RefusalReason } from './decide/types.ts';
import type { TicketCandidate } from './match-ticket.ts';

export type IngestOutcome =
  | { kind: 'ALREADY_IMPORTED' }
  | { kind: 'CREATED' | 'APPENDED'; ticketId: string; actionId: string; via?: string }
  | { kind: 'SAME_MESSAGE_ELSEWHERE'; ticketId: string }
  | { kind: 'REFUSED'; reason: RefusalReason; detail: ServerText }
  | { kind: 'BOUNCE'; ticketId: string | null; actionId: string | null; detail: ServerText };

/** Something to tell subscribers once the transaction has committed. */
export interface TicketEvent {
  workspaceId: string;
  ticketId: string;
  change: TicketChangedEvent['change'];
}

const { tickets, ticketActions, ticketMessageIds, clients, workspaces, attachments, importedMessages, refusedMessages, failedImports } = schema;

/**
 * Everything a batch decided, carried out in memory as each decision comes (so the next message
 * sees it in `known`) and then written with one statement per table, whatever the batch size.
 */
export class WritePlan {
  readonly newClients = new Map<string, { name: string | null; organization: string | null }>();
  readonly newTickets: Array<{ ticket: TicketCandidate; msg: InboundMessage }> = [];
  /** Tickets this batch appended to, in their final in-memory state. */
  readonly touched = new Map<string, TicketCandidate>();
  readonly actions: Array<{ id: string; ticketId: string; msg: InboundMessage; internal?: boolean }> = [];
  readonly refusals: Array<{ msg: InboundMessage; reason: RefusalReason; detail: ServerText; held?: boolean }> = [];
  /** Replies of ours that bounced, and why in the remote server's words (when the report gives them). */
  readonly bounces: Array<{ actionId: string; ticketId: string; diagnostic: string | null }> = [];
  readonly events: TicketEvent[] = [];

  constructor(
    private readonly account: AccountRow,
    private readonly known: Known,
  ) {}

  /** Carries out one decision: what to write, what later messages of the batch must know. */
  record(msg: InboundMessage, decision: Decision): IngestOutcome {
    const ws = this.account.workspaceId;
    switch (decision.kind) {
      case 'REFUSE':
        this.refusals.push({ msg, reason: decision.reason, detail: decision.detail, held: decision.held ?? false });
        return { kind: 'REFUSED', reason: decision.reason, detail: decision.detail };
      case 'BOUNCE': {
        const { detail, diagnostic, original } = decision;
        this.refusals.push({ msg, reason: 'BOUNCE', detail });
        if (original?.outgoing && original.actionId) {
          this.bounces.push({ actionId: original.actionId, ticketId: original.ticketId, diagnostic });
          return { kind: 'BOUNCE', ticketId: original.ticketId, actionId: original.actionId, detail };
        }
        return { kind: 'BOUNCE', ticketId: original?.ticketId ?? null, actionId: null, detail };
      }
      case 'SAME_MESSAGE_ELSEWHERE':
        return { kind: 'SAME_MESSAGE_ELSEWHERE', ticketId: decision.ticketId };
      case 'APPEND': {
        const ticket = decision.ticket;
        ticket.status = decision.status;
        ticket.ccs = decision.ccs;
        this.touched.set(ticket.id, ticket);
        const actionId = this.addAction(msg, ticket.id, decision.internal);
        this.events.push({ workspaceId: ws, ticketId: ticket.id, change: 'ACTION_ADDED' });
        return { kind: 'APPENDED', ticketId: ticket.id, actionId, via: decision.via };
      }
      case 'OPEN': {
        if (decision.newClient) {
          this.known.clients.set(decision.customer, randomUUID());
          this.newClients.set(decision.customer, decision.newClient);
        }
        const ticket: TicketCandidate = { id: randomUUID(), status: 'NEW', customerEmail: decision.customer, ccs: decision.ccs };
        this.known.tickets.set(ticket.id, ticket);
        if (msg.prepared.normalizedSubject) this.known.bySubject.set(msg.prepared.normalizedSubject, ticket.id);
        if (msg.prepared.outlookConversation) this.known.byConversation.set(msg.prepared.outlookConversation, ticket.id);
        this.newTickets.push({ ticket, msg });
        const actionId = this.addAction(msg, ticket.id);
        this.events.push({ workspaceId: ws, ticketId: ticket.id, change: 'CREATED' });
        return { kind: 'CREATED', ticketId: ticket.id, actionId };
      }
    }
  }

  /** Blobs this batch wrote and no longer needs (identical files already stored): remove after commit. */
  readonly discardedBlobs: string[] = [];

  /**
   * The same file in many mails (a signature logo, a letterhead) is stored once per workspace:
   * a file whose content is already stored points at that blob, and its own copy is discarded.
   */
  private async shareIdenticalFiles(tx: Queryable, files: Array<{ blobKey: string; sha256: string | null; size: number }>): Promise<void> {
    const hashes = [...new Set(files.map((f) => f.sha256).filter((h): h is string => !!h))];
    if (!hashes.length) return;
    const stored = await tx
      .selectDistinctOn([attachments.sha256], { sha256: attachments.sha256, size: attachments.size, blobKey: attachments.blobKey })
      .from(attachments)
      .where(and(eq(attachments.workspaceId, this.account.workspaceId), inArray(attachments.sha256, hashes)));
    const known = new Map(stored.map((r) => [`${r.sha256}:${r.size}`, r.blobKey]));
    for (const file of files) {
      if (!file.sha256) continue;
      const key = `${file.sha256}:${file.size}`;
      const existing = known.get(key);
      if (existing && existing !== file.blobKey) {
        this.discardedBlobs.push(file.blobKey);
        file.blobKey = existing;
      } else known.set(key, file.blobKey);
    }
  }

  private addAction(msg: InboundMessage, ticketId: string, internal = false): string {
    const id = randomUUID();
    this.actions.push({ id, ticketId, msg, internal });
    // A reply later in the batch threads to this message by its Message-ID.
    if (msg.prepared.messageId) this.known.owners.set(msg.prepared.messageId, { ticketId, actionId: id, outgoing: false });
    return id;
  }

  async write(tx: Queryable, outcomes: Map<string, IngestOutcome>): Promise<void> {
    const ws = this.account.workspaceId;
    const now = new Date();
    const clientIds = new Map<string, string>();
    if (this.newClients.size) {
      const rows = await tx
        .insert(clients)
        .values([...this.newClients].map(([email, c]) => ({ workspaceId: ws, email, name: c.name, organization: c.organization })))
        .onConflictDoUpdate({
          target: [clients.workspaceId, clients.email],
          set: { name: sql`coalesce(${clients.name}, excluded.name)`, organization: sql`coalesce(${clients.organization}, excluded.organization)` },
        })
        .returning({ id: clients.id, email: clients.email });
      for (const r of rows) clientIds.set(r.email, r.id);
    }
    const senders = this.newTickets.map((t) => t.ticket.customerEmail).filter((e) => !clientIds.has(e));
    if (senders.length) {
      const rows = await tx.select({ id: clients.id, email: clients.email }).from(clients).where(and(eq(clients.workspaceId, ws), inArray(clients.email, senders)));
      for (const r of rows) clientIds.set(r.email, r.id);
    }

    if (this.newTickets.length) {
      // Row lock on the workspace: numbers stay sequential and unique under concurrent imports.
      const [seq] = await tx
        .update(workspaces)
        .set({ ticketSeq: sql`${workspaces.ticketSeq} + ${this.newTickets.length}` })
        .where(eq(workspaces.id, ws))
        .returning({ last: workspaces.ticketSeq });
      const first = seq!.last - this.newTickets.length + 1;
      await bulkInsert(
        tx,
        tickets,
        this.newTickets.map(({ ticket, msg }, i) => {
          const at = msg.historical && msg.receivedAt ? msg.receivedAt : now;
          return {
            id: ticket.id,
            workspaceId: ws,
            number: first + i,
            subject: msg.prepared.subject || '(no subject)',
            normalizedSubject: msg.prepared.normalizedSubject,
            status: ticket.status,
            customerId: clientIds.get(ticket.customerEmail)!,
            ccs: ticket.ccs,
            accountId: this.account.id,
            typeId: this.account.ticketTypeId,
            groupId: this.account.groupId,
            outlookConversation: msg.prepared.outlookConversation,
            createdAt: at,
            updatedAt: this.touched.has(ticket.id) ? now : at,
          };
        }),
      );
    }

    if (this.actions.length) {
      await bulkInsert(
        tx,
        ticketActions,
        this.actions.map(({ id, ticketId, msg, internal }) => {
          const p = msg.prepared;
          return {
            id,
            workspaceId: ws,
            ticketId,
            kind: 'EMAIL_IN' as const,
            accountId: this.account.id,
            fromAddress: p.from.address,
            fromName: p.from.name,
            to: p.to.map((a) => a.address),
            cc: p.cc.map((a) => a.address),
            subject: p.subject,
            text: p.text,
            fullText: p.fullText,
            html: p.html,
            messageId: p.messageId,
            inReplyTo: p.inReplyTo,
            references: p.references,
            rawBlobKey: p.rawBlobKey,
            historical: msg.historical,
            smimeSigned: p.smimeSigned,
            internal: internal ?? false,
            threadIndex: p.threadIndex,
            senderVerdict: p.senderAuth?.verdict ?? null,
            authenticationResults: p.senderAuth?.results ?? null,
            createdAt: msg.historical && msg.receivedAt ? msg.receivedAt : now,
          };
        }),
      );
      const files = this.actions.flatMap(({ id, msg }) =>
        msg.prepared.attachments.map((a) => ({
          id: a.id,
          workspaceId: ws,
          actionId: id,
          filename: a.filename.slice(0, 255),
          contentType: a.contentType,
          size: a.size,
          blobKey: a.blobKey,
          sha256: a.sha256 || null,
          details: a.details,
          contentId: a.contentId,
          inline: a.shownInline,
        })),
      );
      await this.shareIdenticalFiles(tx, files);
      await bulkInsert(tx, attachments, files);
      const ids = this.actions.filter((a) => a.msg.prepared.messageId).map((a) => ({ workspaceId: ws, messageId: a.msg.prepared.messageId!, ticketId: a.ticketId, actionId: a.id }));
      await bulkInsert(tx, ticketMessageIds, ids, { onConflictDoNothing: true });
    }

    // Tickets opened in this batch were inserted in their final state; older ones are updated.
    const isNew = new Set(this.newTickets.map((t) => t.ticket.id));
    for (const [ticketId, ticket] of this.touched) {
      if (isNew.has(ticketId)) continue;
      await tx.update(tickets).set({ status: ticket.status, ccs: ticket.ccs, updatedAt: now }).where(eq(tickets.id, ticketId));
    }

    for (const b of this.bounces) {
      const error = b.diagnostic ? text('delivery.bounced', undefined, b.diagnostic) : text('delivery.bounced.noDetails');
      await tx.update(ticketActions).set({ delivery: 'FAILED', deliveryError: renderText(error, 'en'), deliveryErrorText: error }).where(eq(ticketActions.id, b.actionId));
      await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, b.ticketId));
      this.events.push({ workspaceId: ws, ticketId: b.ticketId, change: 'DELIVERY_CHANGED' });
    }

    await bulkInsert(
        tx,
        refusedMessages,
        this.refusals.map(({ msg, reason, detail, held }) => ({
          workspaceId: ws,
          accountId: this.account.id,
          reason,
          detail: renderText(detail, 'en'),
          detailText: detail,
          fromAddress: msg.prepared.from.address,
          subject: msg.prepared.subject.slice(0, 500),
          messageId: msg.prepared.messageId,
          rawBlobKey: msg.prepared.rawBlobKey,
          authenticationResults: msg.prepared.senderAuth?.results ?? null,
          held: held ?? false,
        })),
      );

    const linked = this.actions.map((a) => ({ key: a.msg.sourceKey, actionId: a.id }));
    if (linked.length)
      await tx.execute(sql`
        update ${importedMessages} set action_id = v.action_id
        from unnest(${sql.param(linked.map((l) => l.key))}::text[], ${sql.param(linked.map((l) => l.actionId))}::uuid[]) as v(source_key, action_id)
        where ${importedMessages.accountId} = ${this.account.id} and ${importedMessages.sourceKey} = v.source_key`);
    const keys = [...outcomes.keys()];
    await tx
      .update(failedImports)
      .set({ resolvedAt: now })
      .where(and(eq(failedImports.accountId, this.account.id), inArray(failedImports.sourceKey, keys), sql`${failedImports.resolvedAt} is null`));
  }
}
