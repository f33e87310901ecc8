import { randomUUID } from 'node:crypto';
import { schema, type Queryable } from '@correio/core';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { classifyMessage } from './classify.ts';
import { parseDeliveryReport } from './dsn.ts';
import { matchTicket, newTicketRefusal, statusAfterCustomerReply, type TicketCandidate } from './match-ticket.ts';
import { extractTicketNumber, normalizeSubject } from './normalize-subject.ts';
import type { ParsedEmail } from './parse.ts';
import { extractReplyText } from './reply-text.ts';
import { sanitizeEmailHtml } from './sanitize-html.ts';

const { tickets, ticketActions, ticketMessageIds, clients, domainRules, workspaces, attachments, importedMessages, refusedMessages, emailAccounts } = schema;

export type AccountRow = typeof emailAccounts.$inferSelect;
type RefusalReason = (typeof refusedMessages.$inferInsert)['reason'];

export interface InboundMessage {
  account: AccountRow;
  /** Idempotency key within the account: `imap:<folder>:<uidvalidity>:<uid>`, `pop3:<uidl>`, `smtp:<id>`. */
  sourceKey: string;
  rawBlobKey: string;
  parsed: ParsedEmail;
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

/**
 * Turns one parsed message into the right ticket or action, inside the caller's transaction.
 * The first statement claims the message's idempotency key, so a message that was committed
 * before a crash is recognised and skipped, and a rolled-back one is imported again (W7).
 */
export async function ingestMessage(tx: Queryable, msg: InboundMessage, ctx: IngestContext, events: TicketEvent[]): Promise<IngestOutcome> {
  const { account, parsed } = msg;
  const workspaceId = account.workspaceId;
  const claimed = await tx
    .insert(importedMessages)
    .values({ accountId: account.id, sourceKey: msg.sourceKey, messageId: parsed.messageId, receivedAt: msg.receivedAt })
    .onConflictDoNothing()
    .returning({ sourceKey: importedMessages.sourceKey });
  if (!claimed.length) return { kind: 'ALREADY_IMPORTED' };

  // The same mail can reach two mailboxes at once (customer wrote to both): serialize on its
  // Message-ID so the second import sees the first one's ticket instead of opening another.
  if (parsed.messageId) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${workspaceId}:${parsed.messageId}`}, 0))`);
  const outcome = await decide(tx, msg, ctx, events);
  const actionId = outcome.kind === 'CREATED' || outcome.kind === 'APPENDED' ? outcome.actionId : null;
  if (actionId) await tx.update(importedMessages).set({ actionId }).where(and(eq(importedMessages.accountId, account.id), eq(importedMessages.sourceKey, msg.sourceKey)));
  if (outcome.kind === 'REFUSED' || outcome.kind === 'BOUNCE') {
    await tx.insert(refusedMessages).values({
      workspaceId,
      accountId: account.id,
      reason: outcome.kind === 'BOUNCE' ? 'BOUNCE' : outcome.reason,
      detail: outcome.detail,
      fromAddress: parsed.from?.address ?? null,
      subject: parsed.subject.slice(0, 500),
      messageId: parsed.messageId,
      rawBlobKey: msg.rawBlobKey,
    });
  }
  return outcome;
}

async function decide(tx: Queryable, msg: InboundMessage, ctx: IngestContext, events: TicketEvent[]): Promise<IngestOutcome> {
  const { account, parsed } = msg;
  const workspaceId = account.workspaceId;
  const sender = (parsed.from?.address ?? '').toLowerCase();
  const ownAddresses = await workspaceAddresses(tx, workspaceId);

  const known = parsed.messageId ? await messageIdOwner(tx, workspaceId, parsed.messageId) : null;
  if (known?.outgoing || ownAddresses.has(sender))
    return { kind: 'REFUSED', reason: 'OWN_MESSAGE', detail: 'A copy of a message Correio itself sent; never imported as customer mail.' };

  const classification = classifyMessage(parsed.headers, parsed.from, parsed.contentType);
  if (classification.kind === 'BOUNCE') return recordBounce(tx, msg, events);
  if (classification.kind !== 'NORMAL')
    return { kind: 'REFUSED', reason: 'AUTO_REPLY', detail: classification.reason ?? 'Automatic message; it never opens tickets or triggers replies.' };
  if (!sender) return { kind: 'REFUSED', reason: 'NEW_TICKET_POLICY', detail: 'The message has no sender address.' };

  // The same mail sent to two support addresses (or CC'ing both) is one conversation.
  if (known) return { kind: 'SAME_MESSAGE_ELSEWHERE', ticketId: known.ticketId };

  if (!msg.historical && ctx.senderOverLimit(workspaceId, sender))
    return { kind: 'REFUSED', reason: 'RATE_LIMITED', detail: `Too many messages from ${sender} in a short time; a flood is not turned into tickets.` };

  const normalized = normalizeSubject(parsed.subject);
  const tagNumber = extractTicketNumber(parsed.subject);
  const refs = [parsed.inReplyTo, ...[...parsed.references].reverse()].filter((id): id is string => !!id);
  const [byHeaders, byTag, bySubject] = await Promise.all([
    refs.length ? ticketByMessageIds(tx, workspaceId, refs) : null,
    tagNumber !== null ? ticketByNumber(tx, workspaceId, tagNumber) : null,
    normalized ? ticketBySubject(tx, workspaceId, normalized) : null,
  ]);
  const match = matchTicket({
    sender,
    byHeaders,
    byTag,
    bySubject,
    appendReplies: account.appendReplies,
    sameSubjectPolicy: account.sameSubjectPolicy,
  });

  if (match) {
    const actionId = await appendAction(tx, msg, match.ticket, ownAddresses);
    events.push({ workspaceId, ticketId: match.ticket.id, change: 'ACTION_ADDED' });
    return { kind: 'APPENDED', ticketId: match.ticket.id, actionId, via: match.via };
  }

  const domain = sender.split('@')[1] ?? '';
  const [client] = await tx.select({ id: clients.id }).from(clients).where(and(eq(clients.workspaceId, workspaceId), eq(clients.email, sender)));
  const [rule] = await tx
    .select({ organization: domainRules.organization })
    .from(domainRules)
    .where(and(eq(domainRules.workspaceId, workspaceId), eq(domainRules.domain, domain)));
  const refusal = newTicketRefusal(account.newTicketPolicy, { isClient: !!client, domainHasRule: !!rule });
  if (refusal) return { kind: 'REFUSED', reason: 'NEW_TICKET_POLICY', detail: refusal };

  const { ticketId, actionId } = await createTicket(tx, msg, normalized, rule?.organization ?? null, ownAddresses);
  events.push({ workspaceId, ticketId, change: 'CREATED' });
  return { kind: 'CREATED', ticketId, actionId };
}

async function createTicket(tx: Queryable, msg: InboundMessage, normalized: string, organization: string | null, ownAddresses: Set<string>) {
  const { account, parsed } = msg;
  const workspaceId = account.workspaceId;
  const sender = parsed.from!.address;
  const [client] = await tx
    .insert(clients)
    .values({ workspaceId, email: sender, name: parsed.from?.name ?? null, organization })
    .onConflictDoUpdate({
      target: [clients.workspaceId, clients.email],
      set: { name: sql`coalesce(${clients.name}, excluded.name)`, organization: sql`coalesce(${clients.organization}, excluded.organization)` },
    })
    .returning({ id: clients.id });
  // Row lock on the workspace: numbers stay sequential and unique under concurrent imports.
  const [seq] = await tx
    .update(workspaces)
    .set({ ticketSeq: sql`${workspaces.ticketSeq} + 1` })
    .where(eq(workspaces.id, workspaceId))
    .returning({ n: workspaces.ticketSeq });
  const ticketId = randomUUID();
  const at = msg.receivedAt && msg.historical ? msg.receivedAt : new Date();
  await tx.insert(tickets).values({
    id: ticketId,
    workspaceId,
    number: seq!.n,
    subject: parsed.subject || '(no subject)',
    normalizedSubject: normalized,
    status: 'NEW',
    customerId: client!.id,
    ccs: participants(parsed, sender, ownAddresses, []),
    accountId: account.id,
    typeId: account.ticketTypeId,
    groupId: account.groupId,
    createdAt: at,
    updatedAt: at,
  });
  const actionId = await insertAction(tx, msg, ticketId);
  return { ticketId, actionId };
}

async function appendAction(tx: Queryable, msg: InboundMessage, ticket: TicketCandidate, ownAddresses: Set<string>): Promise<string> {
  const actionId = await insertAction(tx, msg, ticket.id);
  await tx
    .update(tickets)
    .set({
      status: statusAfterCustomerReply(ticket.status),
      ccs: participants(msg.parsed, ticket.customerEmail, ownAddresses, ticket.ccs),
      updatedAt: new Date(),
    })
    .where(eq(tickets.id, ticket.id));
  return actionId;
}

async function insertAction(tx: Queryable, msg: InboundMessage, ticketId: string): Promise<string> {
  const { parsed, account } = msg;
  const actionId = randomUUID();
  const attachmentIds = parsed.attachments.map(() => randomUUID());
  const cidMap = new Map<string, string>();
  parsed.attachments.forEach((a, i) => a.contentId && cidMap.set(a.contentId, attachmentIds[i]!));
  const reply = extractReplyText(parsed.text);
  await tx.insert(ticketActions).values({
    id: actionId,
    workspaceId: account.workspaceId,
    ticketId,
    kind: 'EMAIL_IN',
    accountId: account.id,
    fromAddress: parsed.from?.address ?? null,
    fromName: parsed.from?.name ?? null,
    to: parsed.to.map((a) => a.address),
    cc: parsed.cc.map((a) => a.address),
    subject: parsed.subject,
    text: reply.visible,
    fullText: parsed.text,
    html: parsed.html ? sanitizeEmailHtml(parsed.html, { cidMap }).html : null,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    rawBlobKey: msg.rawBlobKey,
    historical: msg.historical,
    ...(msg.historical && msg.receivedAt ? { createdAt: msg.receivedAt } : {}),
  });
  if (parsed.attachments.length)
    await tx.insert(attachments).values(
      parsed.attachments.map((a, i) => ({
        id: attachmentIds[i]!,
        workspaceId: account.workspaceId,
        actionId,
        filename: a.filename.slice(0, 255),
        contentType: a.contentType,
        size: a.size,
        blobKey: a.blobKey,
        contentId: a.contentId,
        inline: a.inline && cidMap.has(a.contentId ?? ''),
      })),
    );
  if (parsed.messageId)
    await tx.insert(ticketMessageIds).values({ workspaceId: account.workspaceId, messageId: parsed.messageId, ticketId, actionId }).onConflictDoNothing();
  return actionId;
}

/** A DSN about a message Correio sent marks that outgoing action FAILED with the reason. */
async function recordBounce(tx: Queryable, msg: InboundMessage, events: TicketEvent[]): Promise<IngestOutcome> {
  const report = parseDeliveryReport(msg.parsed);
  const detail = report.reason || 'Delivery failed.';
  if (!report.originalMessageId) return { kind: 'BOUNCE', ticketId: null, actionId: null, detail };
  const owner = await messageIdOwner(tx, msg.account.workspaceId, report.originalMessageId);
  if (!owner?.outgoing || !owner.actionId) return { kind: 'BOUNCE', ticketId: owner?.ticketId ?? null, actionId: null, detail };
  await tx
    .update(ticketActions)
    .set({ delivery: 'FAILED', deliveryError: `Bounced: ${detail}` })
    .where(eq(ticketActions.id, owner.actionId));
  await tx.update(tickets).set({ updatedAt: new Date() }).where(eq(tickets.id, owner.ticketId));
  events.push({ workspaceId: msg.account.workspaceId, ticketId: owner.ticketId, change: 'DELIVERY_CHANGED' });
  return { kind: 'BOUNCE', ticketId: owner.ticketId, actionId: owner.actionId, detail };
}

async function messageIdOwner(tx: Queryable, workspaceId: string, messageId: string) {
  const [row] = await tx
    .select({ ticketId: ticketMessageIds.ticketId, actionId: ticketMessageIds.actionId, outgoing: ticketMessageIds.outgoing })
    .from(ticketMessageIds)
    .where(and(eq(ticketMessageIds.workspaceId, workspaceId), eq(ticketMessageIds.messageId, messageId)));
  return row ?? null;
}

const candidateColumns = { id: tickets.id, status: tickets.status, customerEmail: clients.email, ccs: tickets.ccs };

async function ticketByMessageIds(tx: Queryable, workspaceId: string, ids: string[]): Promise<TicketCandidate | null> {
  const rows = await tx
    .select({ ...candidateColumns, messageId: ticketMessageIds.messageId })
    .from(ticketMessageIds)
    .innerJoin(tickets, eq(tickets.id, ticketMessageIds.ticketId))
    .innerJoin(clients, eq(clients.id, tickets.customerId))
    .where(and(eq(ticketMessageIds.workspaceId, workspaceId), inArray(ticketMessageIds.messageId, ids)));
  // In-Reply-To first, then References from the newest: the closest ancestor wins.
  for (const id of ids) {
    const row = rows.find((r) => r.messageId === id);
    if (row) return { id: row.id, status: row.status, customerEmail: row.customerEmail, ccs: row.ccs };
  }
  return null;
}

async function ticketByNumber(tx: Queryable, workspaceId: string, number: number): Promise<TicketCandidate | null> {
  const [row] = await tx
    .select(candidateColumns)
    .from(tickets)
    .innerJoin(clients, eq(clients.id, tickets.customerId))
    .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.number, number)));
  return row ?? null;
}

async function ticketBySubject(tx: Queryable, workspaceId: string, normalized: string): Promise<TicketCandidate | null> {
  const [row] = await tx
    .select(candidateColumns)
    .from(tickets)
    .innerJoin(clients, eq(clients.id, tickets.customerId))
    .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.normalizedSubject, normalized), ne(tickets.status, 'CLOSED')))
    .orderBy(desc(tickets.updatedAt))
    .limit(1);
  return row ?? null;
}

async function workspaceAddresses(tx: Queryable, workspaceId: string): Promise<Set<string>> {
  const rows = await tx.select({ address: emailAccounts.address }).from(emailAccounts).where(eq(emailAccounts.workspaceId, workspaceId));
  return new Set(rows.map((r) => r.address.toLowerCase()));
}

/** Everyone on the conversation except the customer and our own support addresses. */
function participants(parsed: ParsedEmail, customer: string, own: Set<string>, existing: string[]): string[] {
  const all = new Set(existing.map((a) => a.toLowerCase()));
  for (const a of [...parsed.to, ...parsed.cc, ...(parsed.from ? [parsed.from] : [])]) all.add(a.address);
  all.delete(customer.toLowerCase());
  for (const mine of own) all.delete(mine);
  return [...all].slice(0, 100);
}
