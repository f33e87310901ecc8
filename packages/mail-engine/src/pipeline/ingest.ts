import { randomUUID } from 'node:crypto';
import { schema, type AccountRow, type Queryable } from '@correio/core';
import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { matchTicket, newTicketRefusal, statusAfterCustomerReply, type TicketCandidate } from './match-ticket.ts';
import { bulkInsert } from './bulk-insert.ts';
import type { PreparedEmail } from './prepare.ts';

const { tickets, ticketActions, ticketMessageIds, clients, domainRules, workspaces, attachments, importedMessages, refusedMessages, emailAccounts, failedImports } = schema;

type RefusalReason = (typeof refusedMessages.$inferInsert)['reason'];

export interface InboundMessage {
  /** Idempotency key within the account: `imap:<folder>:<uidvalidity>:<uid>`, `pop3:<uidl>`, `smtp:<id>`. */
  sourceKey: string;
  prepared: PreparedEmail;
  receivedAt: Date | null;
  /** Imported from before the account was connected: never notifies anyone. */
  historical: boolean;
}

export type IngestOutcome =
  | { kind: 'ALREADY_IMPORTED' }
  | { kind: 'CREATED' | 'APPENDED'; ticketId: string; actionId: string; via?: string }
  | { kind: 'SAME_MESSAGE_ELSEWHERE'; ticketId: string }
  | { kind: 'REFUSED'; reason: RefusalReason; detail: string }
  | { kind: 'BOUNCE'; ticketId: string | null; actionId: string | null; detail: string };

/** Something to tell subscribers once the transaction has committed. */
export interface TicketEvent {
  workspaceId: string;
  ticketId: string;
  change: 'CREATED' | 'ACTION_ADDED' | 'UPDATED' | 'DELIVERY_CHANGED';
}

export interface IngestContext {
  /** Per-sender flood protection for live mail (W5); returns true when the sender is over the limit. */
  senderOverLimit(workspaceId: string, sender: string): boolean;
}

// Threading looks at In-Reply-To and the nearest References; older ancestors add nothing but parameters.
const REFERENCES_CONSIDERED = 20;

/**
 * Turns a batch of prepared messages of one account into tickets and actions inside the
 * caller's transaction, with a fixed number of statements however large the batch: a handful
 * of round trips per batch instead of twenty per message.
 *
 * Decisions are taken in arrival order against what the database knew plus what this batch
 * already decided, so a reply later in a batch finds the ticket its original opened. The first
 * statement claims every message's idempotency key (W7): a message committed before a crash is
 * recognised and skipped, a rolled-back one is simply imported again.
 */
export async function ingestBatch(tx: Queryable, account: AccountRow, messages: InboundMessage[], ctx: IngestContext, events: TicketEvent[]): Promise<IngestOutcome[]> {
  if (!messages.length) return [];
  const claimed = new Set(
    (
      await bulkInsert(
        tx,
        importedMessages,
        messages.map((m) => ({
          accountId: account.id,
          sourceKey: m.sourceKey,
          messageId: m.prepared.messageId ?? (m.prepared.rawSha256 ? `sha256:${m.prepared.rawSha256}` : null),
          receivedAt: m.receivedAt,
        })),
        { onConflictDoNothing: true, returning: ['sourceKey'] },
      )
    ).map((r) => r['sourceKey'] as string),
  );
  const fresh = messages.filter((m) => claimed.has(m.sourceKey));
  const outcomes = new Map<string, IngestOutcome>();
  if (fresh.length) {
    await lockMessageIds(tx, account.workspaceId, fresh);
    const known = await prefetch(tx, account, fresh);
    const plan = new WritePlan(account);
    for (const msg of fresh) outcomes.set(msg.sourceKey, decide(msg, account, known, plan, ctx));
    await plan.write(tx, outcomes);
    events.push(...plan.events);
  }
  return messages.map((m) => outcomes.get(m.sourceKey) ?? { kind: 'ALREADY_IMPORTED' });
}

/**
 * The same mail can reach two mailboxes at once (a customer wrote to both): serialize on its
 * Message-ID so the second import sees the first one's ticket instead of opening another.
 * Sorted, so two batches never wait on each other in opposite orders.
 */
async function lockMessageIds(tx: Queryable, workspaceId: string, batch: InboundMessage[]): Promise<void> {
  const keys = [...new Set(batch.map((m) => m.prepared.messageId).filter((id): id is string => !!id))].map((id) => `${workspaceId}:${id}`).sort();
  if (keys.length) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${sql.param(keys)}::text[]) as k order by k`);
}

interface Known {
  own: Set<string>;
  owners: Map<string, { ticketId: string; actionId: string | null; outgoing: boolean }>;
  tickets: Map<string, TicketCandidate>;
  byNumber: Map<number, string>;
  bySubject: Map<string, string>;
  clients: Map<string, string>;
  rules: Map<string, string>;
}

async function prefetch(tx: Queryable, account: AccountRow, batch: InboundMessage[]): Promise<Known> {
  const ws = account.workspaceId;
  const p = batch.map((m) => m.prepared);
  const ids = new Set<string>();
  for (const m of p) {
    if (m.messageId) ids.add(m.messageId);
    if (m.inReplyTo) ids.add(m.inReplyTo);
    for (const r of m.references.slice(-REFERENCES_CONSIDERED)) ids.add(r);
    if (m.deliveryReport?.originalMessageId) ids.add(m.deliveryReport.originalMessageId);
  }
  const numbers = [...new Set(p.map((m) => m.tagNumber).filter((n): n is number => n !== null))];
  const subjects = [...new Set(p.map((m) => m.normalizedSubject).filter(Boolean))];
  const senders = [...new Set(p.map((m) => m.from.address))];
  const domains = [...new Set(senders.map((s) => s.split('@')[1] ?? ''))];

  // One connection runs a transaction's statements one at a time anyway: await them in turn.
  const own = await tx.select({ address: emailAccounts.address }).from(emailAccounts).where(eq(emailAccounts.workspaceId, ws));
  const owners = ids.size
      ? await tx
          .select({ messageId: ticketMessageIds.messageId, ticketId: ticketMessageIds.ticketId, actionId: ticketMessageIds.actionId, outgoing: ticketMessageIds.outgoing })
          .from(ticketMessageIds)
          .where(and(eq(ticketMessageIds.workspaceId, ws), inArray(ticketMessageIds.messageId, [...ids])))
      : [];
  const rules = await tx.select({ domain: domainRules.domain, organization: domainRules.organization }).from(domainRules).where(and(eq(domainRules.workspaceId, ws), inArray(domainRules.domain, domains)));
  const known = await tx.select({ id: clients.id, email: clients.email }).from(clients).where(and(eq(clients.workspaceId, ws), inArray(clients.email, senders)));
  const ticketIds = [...new Set(owners.map((o) => o.ticketId))];
  const candidateColumns = { id: tickets.id, status: tickets.status, ccs: tickets.ccs, number: tickets.number, normalizedSubject: tickets.normalizedSubject, customerEmail: clients.email };
  const direct =
    ticketIds.length || numbers.length
      ? await tx
          .select(candidateColumns)
          .from(tickets)
          .innerJoin(clients, eq(clients.id, tickets.customerId))
          .where(and(eq(tickets.workspaceId, ws), or(ticketIds.length ? inArray(tickets.id, ticketIds) : undefined, numbers.length ? inArray(tickets.number, numbers) : undefined)))
      : [];
  const sameSubject = subjects.length
      ? await tx
          .selectDistinctOn([tickets.normalizedSubject], candidateColumns)
          .from(tickets)
          .innerJoin(clients, eq(clients.id, tickets.customerId))
          .where(and(eq(tickets.workspaceId, ws), inArray(tickets.normalizedSubject, subjects), ne(tickets.status, 'CLOSED')))
          .orderBy(tickets.normalizedSubject, desc(tickets.updatedAt))
      : [];
  const result: Known = {
    own: new Set(own.map((a) => a.address.toLowerCase())),
    owners: new Map(owners.map((o) => [o.messageId, o])),
    tickets: new Map(),
    byNumber: new Map(),
    bySubject: new Map(),
    clients: new Map(known.map((c) => [c.email, c.id])),
    rules: new Map(rules.map((r) => [r.domain, r.organization])),
  };
  for (const t of [...direct, ...sameSubject]) {
    result.tickets.set(t.id, { id: t.id, status: t.status, ccs: t.ccs, customerEmail: t.customerEmail });
    result.byNumber.set(t.number, t.id);
  }
  for (const t of sameSubject) result.bySubject.set(t.normalizedSubject, t.id);
  return result;
}

function decide(msg: InboundMessage, account: AccountRow, known: Known, plan: WritePlan, ctx: IngestContext): IngestOutcome {
  const p = msg.prepared;
  const ws = account.workspaceId;
  const sender = p.from.address;
  const owner = p.messageId ? known.owners.get(p.messageId) : undefined;

  const refuse = (reason: RefusalReason, detail: string): IngestOutcome => {
    plan.refusals.push({ msg, reason, detail });
    return { kind: 'REFUSED', reason, detail };
  };

  if (owner?.outgoing || known.own.has(sender)) return refuse('OWN_MESSAGE', 'A copy of a message Correio itself sent; never imported as customer mail.');
  if (p.classification.kind === 'BOUNCE') {
    const detail = p.deliveryReport?.reason || 'Delivery failed.';
    const original = p.deliveryReport?.originalMessageId ? known.owners.get(p.deliveryReport.originalMessageId) : undefined;
    plan.refusals.push({ msg, reason: 'BOUNCE', detail });
    if (original?.outgoing && original.actionId) {
      plan.bounces.push({ actionId: original.actionId, ticketId: original.ticketId, detail });
      return { kind: 'BOUNCE', ticketId: original.ticketId, actionId: original.actionId, detail };
    }
    return { kind: 'BOUNCE', ticketId: original?.ticketId ?? null, actionId: null, detail };
  }
  if (p.classification.kind !== 'NORMAL') return refuse('AUTO_REPLY', p.classification.reason ?? 'Automatic message; it never opens tickets or triggers replies.');
  if (owner) return { kind: 'SAME_MESSAGE_ELSEWHERE', ticketId: owner.ticketId };
  if (!msg.historical && ctx.senderOverLimit(ws, sender)) return refuse('RATE_LIMITED', `Too many messages from ${sender} in a short time; a flood is not turned into tickets.`);

  const refs = [p.inReplyTo, ...p.references.slice(-REFERENCES_CONSIDERED).reverse()].filter((id): id is string => !!id);
  const headerOwner = refs.map((r) => known.owners.get(r)).find((o) => o);
  const candidate = (id: string | undefined) => (id ? (known.tickets.get(id) ?? null) : null);
  const match = matchTicket({
    sender,
    byHeaders: candidate(headerOwner?.ticketId),
    byTag: p.tagNumber !== null ? candidate(known.byNumber.get(p.tagNumber)) : null,
    bySubject: p.normalizedSubject ? candidate(known.bySubject.get(p.normalizedSubject)) : null,
    appendReplies: account.appendReplies,
    sameSubjectPolicy: account.sameSubjectPolicy,
  });

  if (match) {
    const ticket = match.ticket;
    ticket.status = statusAfterCustomerReply(ticket.status);
    ticket.ccs = participants(p, ticket.customerEmail, known.own, ticket.ccs);
    const actionId = plan.addAction(msg, ticket.id);
    plan.touched.set(ticket.id, ticket);
    remember(known, p, ticket.id, actionId);
    plan.events.push({ workspaceId: ws, ticketId: ticket.id, change: 'ACTION_ADDED' });
    return { kind: 'APPENDED', ticketId: ticket.id, actionId, via: match.via };
  }

  const domain = sender.split('@')[1] ?? '';
  const isClient = known.clients.has(sender);
  const organization = known.rules.get(domain) ?? null;
  const refusal = newTicketRefusal(account.newTicketPolicy, { isClient, domainHasRule: organization !== null });
  if (refusal) return refuse('NEW_TICKET_POLICY', refusal);

  if (!isClient) {
    known.clients.set(sender, randomUUID());
    plan.newClients.set(sender, { name: p.from.name, organization });
  }
  const ticket: TicketCandidate = { id: randomUUID(), status: 'NEW', customerEmail: sender, ccs: participants(p, sender, known.own, []) };
  known.tickets.set(ticket.id, ticket);
  if (p.normalizedSubject) known.bySubject.set(p.normalizedSubject, ticket.id);
  plan.newTickets.push({ ticket, msg });
  const actionId = plan.addAction(msg, ticket.id);
  remember(known, p, ticket.id, actionId);
  plan.events.push({ workspaceId: ws, ticketId: ticket.id, change: 'CREATED' });
  return { kind: 'CREATED', ticketId: ticket.id, actionId };
}

function remember(known: Known, p: PreparedEmail, ticketId: string, actionId: string): void {
  if (p.messageId) known.owners.set(p.messageId, { ticketId, actionId, outgoing: false });
}

/** Everything a batch decided, written with one statement per table. */
class WritePlan {
  readonly newClients = new Map<string, { name: string | null; organization: string | null }>();
  readonly newTickets: Array<{ ticket: TicketCandidate; msg: InboundMessage }> = [];
  /** Tickets this batch appended to, in their final in-memory state. */
  readonly touched = new Map<string, TicketCandidate>();
  readonly actions: Array<{ id: string; ticketId: string; msg: InboundMessage }> = [];
  readonly refusals: Array<{ msg: InboundMessage; reason: RefusalReason; detail: string }> = [];
  readonly bounces: Array<{ actionId: string; ticketId: string; detail: string }> = [];
  readonly events: TicketEvent[] = [];

  constructor(private readonly account: AccountRow) {}

  addAction(msg: InboundMessage, ticketId: string): string {
    const id = randomUUID();
    this.actions.push({ id, ticketId, msg });
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
        this.actions.map(({ id, ticketId, msg }) => {
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
          contentId: a.contentId,
          inline: a.shownInline,
        })),
      );
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
      await tx.update(ticketActions).set({ delivery: 'FAILED', deliveryError: `Bounced: ${b.detail}` }).where(eq(ticketActions.id, b.actionId));
      await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, b.ticketId));
      this.events.push({ workspaceId: ws, ticketId: b.ticketId, change: 'DELIVERY_CHANGED' });
    }

    await bulkInsert(
        tx,
        refusedMessages,
        this.refusals.map(({ msg, reason, detail }) => ({
          workspaceId: ws,
          accountId: this.account.id,
          reason,
          detail,
          fromAddress: msg.prepared.from.address,
          subject: msg.prepared.subject.slice(0, 500),
          messageId: msg.prepared.messageId,
          rawBlobKey: msg.prepared.rawBlobKey,
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

/** Inbound mail copies at most this many people onto a ticket; an agent may add more by hand. */
export const INBOUND_CC_LIMIT = 20;

/**
 * Everyone on the conversation except the customer and our own support addresses. A stranger's
 * mail with 500 addresses in Cc must not make every later reply go to all of them: inbound mail
 * grows a ticket's CCs only up to INBOUND_CC_LIMIT (the action itself still lists everyone).
 */
function participants(p: PreparedEmail, customer: string, own: Set<string>, existing: string[]): string[] {
  const all = new Set(existing.map((a) => a.toLowerCase()));
  const skip = (a: string) => a === customer.toLowerCase() || own.has(a);
  for (const a of [p.from, ...p.to, ...p.cc]) {
    if (all.size >= INBOUND_CC_LIMIT) break;
    if (!skip(a.address)) all.add(a.address);
  }
  return [...all].filter((a) => !skip(a));
}
