import { schema, type Runtime } from '@correio/core';
import { enqueueEmail, newConversation, plainTextOf, requeueFailed, sanitizeReplyHtml, signatureFor, subjectWithTag, textToHtml, threadHeaders, threadTopicOf } from '@correio/mail-engine';
import { text as serverText } from '@correio/texts';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, notFound, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import type { ActionRow } from './ticket-service.ts';
import { parseInput, says } from './validation.ts';

const { tickets, ticketActions, clients, users, emailAccounts, attachments } = schema;

const MAX_ATTACHMENTS = 20;

const replySchema = z
  .object({
    text: z.string().max(200_000, says('validation.reply.tooLong')),
    html: z.string().max(2_000_000, says('validation.reply.htmlTooLong')).nullish(),
    cc: z
      .array(z.string().trim().toLowerCase().pipe(z.email(says('validation.email'))))
      .max(50, says('validation.reply.tooManyCc'))
      .nullish(),
    attachmentIds: z.array(z.string().uuid(says('validation.reply.unknownAttachment'))).max(MAX_ATTACHMENTS, says('validation.reply.tooManyAttachments')).nullish(),
  })
  .superRefine((v, ctx) => {
    if (!v.text.trim() && !v.html?.trim()) ctx.addIssue({ code: 'custom', path: ['text'], message: says('validation.reply.empty') });
  });

/**
 * An agent's reply becomes an e-mail (W2): validated here, then queued in one transaction — the
 * EMAIL_OUT action, its outbox rows and Message-IDs (mail engine `enqueueEmail`), the uploaded
 * files, the ticket's CCs — and the engine is told to send it.
 */
export class ReplyService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  async reply(viewer: Viewer, ticketId: string, rawInput: unknown): Promise<ActionRow> {
    const input = parseInput(replySchema, rawInput, 'input');
    const ticket = isUuid(ticketId) ? (await this.db.select().from(tickets).where(and(eq(tickets.id, ticketId), eq(tickets.workspaceId, viewer.workspaceId))))[0] : undefined;
    if (!ticket) throw notFound('ticket');

    const [account, [customer], [author], own, thread] = await Promise.all([
      this.sendingAccount(viewer.workspaceId, ticket.accountId),
      this.db.select({ email: clients.email, name: clients.name }).from(clients).where(eq(clients.id, ticket.customerId)),
      this.db.select({ id: users.id, name: users.name, email: users.email, avatarUrl: users.avatarUrl, signature: users.signature }).from(users).where(eq(users.id, viewer.userId)),
      this.ownAddresses(viewer.workspaceId),
      this.db
        .select({ kind: ticketActions.kind, messageId: ticketActions.messageId, inReplyTo: ticketActions.inReplyTo, references: ticketActions.references, delivery: ticketActions.delivery })
        .from(ticketActions)
        .where(eq(ticketActions.ticketId, ticket.id))
        .orderBy(asc(ticketActions.createdAt), asc(ticketActions.id)),
    ]);
    const to = customer!.email.toLowerCase();
    // Mail to one of our own addresses would come straight back in as a new message: a loop (W5).
    if (own.has(to)) throw validationError([fieldError(['ticketId'], serverText('validation.reply.loop'))]);
    // The agent decides who gets this reply: a given list is the whole Cc (empty = the customer
    // alone), what the composer showed; without one the ticket's CCs are copied as before.
    const eligible = (a: string) => a !== to && !own.has(a);
    const ticketCcs = ticket.ccs.map((a) => a.toLowerCase());
    const cc = [...new Set(input.cc ?? ticketCcs)].filter(eligible);
    const ccOfReply = cc.filter((a) => !ticketCcs.includes(a));

    const body = input.html?.trim() ? sanitizeReplyHtml(input.html) : textToHtml(input.text);
    const typed = input.text.trim() ? input.text.replace(/\r\n?/g, '\n') : plainTextOf(body);
    // The signature goes under the agent's words, after the usual "-- " line that mail
    // clients recognise (and fold away when they quote it back to us).
    const signature = signatureFor(account.signature, author?.signature ?? null, {
      customer: { name: customer!.name, email: customer!.email },
      ticket: { number: ticket.number, subject: ticket.subject },
      agent: { name: author?.name ?? '', email: author?.email ?? '' },
      account: { name: account.name },
    });
    const text = signature ? `${typed.trimEnd()}\n\n-- \n${signature.text}` : typed;
    const html = signature ? `${body}\n<div class="correio-signature">-- <br>\n${signature.html}</div>` : body;
    const { inReplyTo, references } = threadHeaders(thread);
    const attachmentIds = [...new Set(input.attachmentIds ?? [])];
    const conversation = ticket.outlookConversation ?? newConversation();

    // Composed messages go to the blob store before the rows commit; a rollback must not leave them behind.
    const written: string[] = [];
    const actionId = await this.db.transaction(async (tx) => {
      // Only the agent's own uploads of this workspace that no reply has taken yet.
      const files = attachmentIds.length
        ? await tx
            .select()
            .from(attachments)
            .where(
              and(
                inArray(attachments.id, attachmentIds),
                eq(attachments.workspaceId, viewer.workspaceId),
                eq(attachments.uploadedById, viewer.userId),
                isNull(attachments.actionId),
                // A canned reply's own file is not an upload: the composer sends a copy of it.
                isNull(attachments.cannedReplyId),
              ),
            )
            .for('update')
        : [];
      if (files.length !== attachmentIds.length)
        throw validationError([fieldError(['input', 'attachmentIds'], serverText('validation.reply.attachmentUnavailable'))]);
      const ordered = attachmentIds.map((id) => files.find((f) => f.id === id)!);
      const queued = await enqueueEmail(tx, {
        workspaceId: viewer.workspaceId,
        ticketId: ticket.id,
        account,
        author: author ? { id: author.id, name: author.name, avatarUrl: author.avatarUrl } : null,
        to,
        cc,
        // A thread without any e-mail yet is one the agent starts (startTicket): nothing to answer.
        subject: subjectWithTag(ticket.subject, ticket.number, { reply: thread.some((a) => a.kind !== 'NOTE') }),
        text,
        html,
        inReplyTo,
        references,
        // Every ticket becomes an Outlook conversation, so Outlook users see the thread as one.
        outlookConversation: conversation,
        threadTopic: threadTopicOf(ticket.subject),
        attachments: ordered.map((f) => ({ attachmentId: f.id, filename: f.filename, contentType: f.contentType, blobKey: f.blobKey, size: f.size })),
      }, { blobs: this.runtime.blobs, written });
      if (ordered.length) await tx.update(attachments).set({ actionId: queued.actionId }).where(inArray(attachments.id, attachmentIds));
      await tx
        .update(tickets)
        .set({
          // People the agent copied are now on the conversation and get the next replies too (merged in SQL:
          // an import may be adding participants at the same moment).
          ...(ccOfReply.length
            ? { ccs: sql`(select coalesce(array_agg(distinct c), '{}') from unnest(${tickets.ccs} || array[${sql.join(ccOfReply.map((a) => sql`${a}`), sql`, `)}]::text[]) as c)` }
            : {}),
          outlookConversation: sql`coalesce(${tickets.outlookConversation}, ${conversation})`,
          // The first answer takes a ticket out of NEW; other statuses are the agent's call.
          status: sql`case when ${tickets.status} = 'NEW' then 'OPEN'::ticket_status else ${tickets.status} end`,
          updatedAt: new Date(),
        })
        .where(eq(tickets.id, ticket.id));
      return queued.actionId;
    }).catch(async (err: unknown) => {
      await Promise.all(written.map((key) => this.runtime.blobs.delete(key).catch(() => undefined)));
      throw err;
    });

    this.runtime.events.pubsub.publish('ticketChanged', viewer.workspaceId, { ticketId: ticket.id, change: 'ACTION_ADDED' });
    this.runtime.events.pubsub.publish('engine', { kind: 'OUTBOX_QUEUED', accountId: account.id, id: actionId });
    this.runtime.logger.info({ workspaceId: viewer.workspaceId, ticketId: ticket.id, actionId, accountId: account.id, attachments: attachmentIds.length }, 'reply queued');
    return (await this.action(viewer, actionId))!;
  }

  /** "Send again" for a reply whose delivery FAILED (after the admin fixed the account, say). */
  async retryDelivery(viewer: Viewer, actionId: string): Promise<ActionRow> {
    const existing = isUuid(actionId) ? await this.action(viewer, actionId) : null;
    if (!existing || existing.kind !== 'EMAIL_OUT') throw notFound('reply');
    const result = await requeueFailed(this.db, viewer.workspaceId, actionId);
    if (result.kind === 'NOT_FAILED') throw validationError([fieldError(['actionId'], serverText('validation.reply.notFailed'))]);
    if (result.kind === 'NOTHING_TO_RESEND')
      throw validationError([fieldError(['actionId'], serverText('validation.reply.bounced'))]);
    this.runtime.events.pubsub.publish('ticketChanged', viewer.workspaceId, { ticketId: result.ticketId, change: 'DELIVERY_CHANGED' });
    this.runtime.events.pubsub.publish('engine', { kind: 'OUTBOX_QUEUED', id: actionId });
    return (await this.action(viewer, actionId))!;
  }

  async action(viewer: Viewer, id: string): Promise<ActionRow | null> {
    const [row] = await this.db
      .select()
      .from(ticketActions)
      .where(and(eq(ticketActions.id, id), eq(ticketActions.workspaceId, viewer.workspaceId)));
    return row ?? null;
  }

  /**
   * Replies leave through the account the ticket came in by. A ticket without one (its account was
   * removed, or it was created by hand) uses the built-in address, else the oldest active account.
   */
  async sendingAccount(workspaceId: string, accountId: string | null) {
    if (accountId) {
      const [account] = await this.db.select().from(emailAccounts).where(and(eq(emailAccounts.id, accountId), eq(emailAccounts.workspaceId, workspaceId)));
      if (account) return account;
    }
    const candidates = await this.db
      .select()
      .from(emailAccounts)
      .where(and(eq(emailAccounts.workspaceId, workspaceId), eq(emailAccounts.active, true)))
      .orderBy(asc(emailAccounts.createdAt));
    const chosen = candidates.find((a) => a.kind === 'BUILTIN') ?? candidates.find((a) => a.outgoingHost) ?? candidates[0];
    if (!chosen) throw validationError([fieldError(['ticketId'], serverText('validation.reply.noAccount'))]);
    return chosen;
  }

  async ownAddresses(workspaceId: string): Promise<Set<string>> {
    const rows = await this.db.select({ address: emailAccounts.address }).from(emailAccounts).where(eq(emailAccounts.workspaceId, workspaceId));
    return new Set(rows.map((r) => r.address.toLowerCase()));
  }
}
