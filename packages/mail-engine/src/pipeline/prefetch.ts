import { schema, type AccountRow, type Queryable } from '@correio/core';
import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { REFERENCES_CONSIDERED } from './decide/reply-to-ticket.ts';
import type { InboundMessage, Known } from './decide/types.ts';

const { tickets, ticketMessageIds, clients, domainRules, emailAccounts } = schema;

/** Merges of merges followed from a ticket number (a longer chain ends at its last ticket found). */
const MERGE_HOPS = 5;

/**
 * The same mail can reach two mailboxes at once (a customer wrote to both): serialize on its
 * Message-ID so the second import sees the first one's ticket instead of opening another.
 * Sorted, so two batches never wait on each other in opposite orders.
 */
export async function lockMessageIds(tx: Queryable, workspaceId: string, batch: InboundMessage[]): Promise<void> {
  const keys = [...new Set(batch.map((m) => m.prepared.messageId).filter((id): id is string => !!id))].map((id) => `${workspaceId}:${id}`).sort();
  if (keys.length) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${sql.param(keys)}::text[]) as k order by k`);
}

/** Everything the rules need to know from the database about one batch, in a fixed number of queries. */
export async function prefetch(tx: Queryable, account: AccountRow, batch: InboundMessage[]): Promise<Known> {
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
          .select({ messageId: ticketMessageIds.messageId, ticketId: ticketMessageIds.ticketId, actionId: ticketMessageIds.actionId, outgoing: ticketMessageIds.outgoing, forwarded: ticketMessageIds.forwarded })
          .from(ticketMessageIds)
          .where(and(eq(ticketMessageIds.workspaceId, ws), inArray(ticketMessageIds.messageId, [...ids])))
      : [];
  const rules = await tx.select({ domain: domainRules.domain, organization: domainRules.organization }).from(domainRules).where(and(eq(domainRules.workspaceId, ws), inArray(domainRules.domain, domains)));
  const known = await tx.select({ id: clients.id, email: clients.email }).from(clients).where(and(eq(clients.workspaceId, ws), inArray(clients.email, senders)));
  const ticketIds = [...new Set(owners.map((o) => o.ticketId))];
  const candidateColumns = { id: tickets.id, status: tickets.status, ccs: tickets.ccs, number: tickets.number, normalizedSubject: tickets.normalizedSubject, customerEmail: clients.email, mergedIntoId: tickets.mergedIntoId };
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
  const conversations = [...new Set(p.map((m) => m.outlookConversation).filter((c): c is string => !!c))];
  const byConversation = conversations.length
    ? await tx
        .selectDistinctOn([tickets.outlookConversation], { ...candidateColumns, outlookConversation: tickets.outlookConversation })
        .from(tickets)
        .innerJoin(clients, eq(clients.id, tickets.customerId))
        .where(and(eq(tickets.workspaceId, ws), inArray(tickets.outlookConversation, conversations), ne(tickets.status, 'CLOSED')))
        .orderBy(tickets.outlookConversation, desc(tickets.updatedAt))
    : [];
  const result: Known = {
    own: new Set(own.map((a) => a.address.toLowerCase())),
    owners: new Map(owners.map((o) => [o.messageId, o])),
    tickets: new Map(),
    byNumber: new Map(),
    bySubject: new Map(),
    byConversation: new Map(byConversation.map((t) => [t.outlookConversation!, t.id])),
    clients: new Map(known.map((c) => [c.email, c.id])),
    rules: new Map(rules.map((r) => [r.domain, r.organization])),
  };
  // A ticket merged into another (issue 16) answers for it: its [#n] tag leads to where its
  // conversation is now, following merges of merges. Its Message-IDs moved with its messages.
  const mergedInto = new Map<string, string>();
  let pending = direct.filter((t) => t.mergedIntoId);
  for (let hop = 0; pending.length && hop < MERGE_HOPS; hop++) {
    const targets = await tx
      .select(candidateColumns)
      .from(tickets)
      .innerJoin(clients, eq(clients.id, tickets.customerId))
      .where(and(eq(tickets.workspaceId, ws), inArray(tickets.id, [...new Set(pending.map((t) => t.mergedIntoId!))])));
    for (const t of pending) mergedInto.set(t.id, t.mergedIntoId!);
    direct.push(...targets);
    pending = targets.filter((t) => t.mergedIntoId && !mergedInto.has(t.id));
  }
  const finalTicket = (id: string) => {
    let at = id;
    for (let hop = 0; mergedInto.has(at) && hop <= MERGE_HOPS; hop++) at = mergedInto.get(at)!;
    return at;
  };
  for (const t of [...direct, ...sameSubject, ...byConversation]) {
    if (!t.mergedIntoId) result.tickets.set(t.id, { id: t.id, status: t.status, ccs: t.ccs, customerEmail: t.customerEmail });
    result.byNumber.set(t.number, finalTicket(t.id));
  }
  for (const t of sameSubject) result.bySubject.set(t.normalizedSubject, t.id);
  return result;
}
