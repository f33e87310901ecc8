import { schema, type AccountRow, type Runtime } from '@correio/core';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { enqueueEmail } from '../outbox/enqueue.ts';
import { fillTemplate } from '../smtp/template-variables.ts';
import { textToHtml } from '../smtp/reply-body.ts';
import { subjectWithTag, threadTopicOf } from './normalize-subject.ts';

const { tickets, ticketActions, clients, emailAccounts } = schema;

/** One acknowledgement per sender and account within this time (issue 16). */
export const ACK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Addresses that must never get an acknowledgement: they are machines, or nobody reads them,
 * and answering them is how mail loops start (RFC 3834 §2).
 */
const NO_REPLY = /^(no-?reply|do-?not-?reply|donotreply|nao-?responda|naoresponda|mailer-daemon|postmaster|bounces?|listserv|majordomo|owner-|.*-(bounces|request|owner)$)/i;

export function isNoReplyAddress(address: string): boolean {
  const local = address.split('@')[0] ?? '';
  return NO_REPLY.test(local);
}

/**
 * Acknowledges a ticket just opened from e-mail (issue 16), when its account asks for it. The mail
 * that opened it was already classified: automatic, bulk, list and bounce mail never opens a
 * ticket. Here: never to a no-reply address or one of the workspace's own, never for mail
 * imported from before the account was connected, and at most once per sender and account an
 * hour. It is sent `Auto-Submitted: auto-replied`, so well-behaved responders stay quiet, and
 * is recorded on the ticket as the e-mail it is. At most once: a crash before it is queued
 * loses it, which is better than sending two.
 */
export async function acknowledgeTicket(runtime: Runtime, account: AccountRow, ticketId: string): Promise<boolean> {
  if (!account.ackEnabled || !account.ackText?.trim()) return false;
  const db = runtime.database.db;
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!ticket || ticket.accountId !== account.id) return false;
  const [first] = await db
    .select({ kind: ticketActions.kind, historical: ticketActions.historical, messageId: ticketActions.messageId, references: ticketActions.references })
    .from(ticketActions)
    .where(eq(ticketActions.ticketId, ticketId))
    .orderBy(asc(ticketActions.createdAt), asc(ticketActions.seq))
    .limit(1);
  if (!first || first.kind !== 'EMAIL_IN' || first.historical) return false;
  const [customer] = await db.select({ name: clients.name, email: clients.email }).from(clients).where(eq(clients.id, ticket.customerId));
  if (!customer || isNoReplyAddress(customer.email)) return false;
  const own = await db.select({ address: emailAccounts.address }).from(emailAccounts).where(eq(emailAccounts.workspaceId, account.workspaceId));
  if (own.some((a) => a.address.toLowerCase() === customer.email)) return false;

  const context = { customer, ticket: { number: ticket.number, subject: ticket.subject }, agent: { name: account.name, email: account.address }, account: { name: account.name } };
  const subject = fillTemplate(account.ackSubject?.trim() || ticket.subject, context);
  const text = fillTemplate(account.ackText.trim(), context);
  const queued = await db.transaction(async (tx) => {
    // Serialized per account and sender, so two messages of one sender imported at once by two
    // processes still get one acknowledgement.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`ack:${account.id}:${customer.email}`}, 0))`);
    const [recent] = await tx
      .select({ id: ticketActions.id })
      .from(ticketActions)
      .where(
        and(
          eq(ticketActions.accountId, account.id),
          eq(ticketActions.kind, 'EMAIL_OUT'),
          isNull(ticketActions.authorId),
          gt(ticketActions.createdAt, new Date(Date.now() - ACK_INTERVAL_MS)),
          sql`${ticketActions.to} @> array[${customer.email}]::text[]`,
        ),
      )
      .limit(1);
    if (recent) return null;
    return enqueueEmail(
      tx,
      {
        workspaceId: account.workspaceId,
        ticketId,
        account,
        author: null,
        to: customer.email,
        cc: [],
        subject: subjectWithTag(subject, ticket.number),
        text,
        html: textToHtml(text),
        inReplyTo: first.messageId,
        references: [...first.references, ...(first.messageId ? [first.messageId] : [])].slice(-20),
        threadTopic: threadTopicOf(ticket.subject),
        attachments: [],
        automatic: 'auto-replied',
      },
      { blobs: runtime.blobs },
    );
  });
  if (!queued) return false;
  runtime.events.pubsub.publish('ticketChanged', account.workspaceId, { ticketId, change: 'ACTION_ADDED' });
  runtime.events.pubsub.publish('engine', { kind: 'OUTBOX_QUEUED', accountId: account.id, id: queued.actionId });
  runtime.logger.info({ workspaceId: account.workspaceId, ticketId, accountId: account.id, actionId: queued.actionId }, 'acknowledgement queued');
  return true;
}
