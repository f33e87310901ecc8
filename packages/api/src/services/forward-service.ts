import { schema, type Runtime } from '@correio/core';
import { enqueueEmail, subjectWithTag, textToHtml } from '@correio/mail-engine';
import { renderText, text as serverText, type Locale } from '@correio/texts';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import type { ReplyService } from './reply-service.ts';
import { recordHistory } from './ticket-history.ts';
import type { ActionRow } from './ticket-service.ts';
import { parseInput, says } from './validation.ts';

const { tickets, ticketActions, ticketMessageIds, attachments, users } = schema;

const forwardSchema = z.object({
  to: z
    .array(z.string().trim().toLowerCase().pipe(z.email(says('validation.email'))))
    .min(1, says('validation.forward.recipients'))
    .max(10, says('validation.forward.recipients')),
  text: z.string().max(20_000).nullish(),
});

/**
 * Forwarding an action to outside addresses (issue 16): a supplier, a carrier, another team. The
 * message goes out from the ticket's account with the action's text and files, and shows on the
 * ticket as a forward; its Message-ID is marked, so the outside party's answer lands on the
 * ticket as an internal action — for agents, never added to the customer's conversation (no
 * CC, no status change) — and replies to the customer never copy that party.
 */
export class ForwardService {
  constructor(
    private readonly runtime: Runtime,
    private readonly replies: ReplyService,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  /** `locale`: the forwarding agent's language, which the forwarded header is written in. */
  async forward(viewer: Viewer, actionId: string, rawInput: unknown, locale: Locale): Promise<ActionRow> {
    const input = parseInput(forwardSchema, rawInput, 'input');
    const original = isUuid(actionId) ? await this.replies.action(viewer, actionId) : null;
    if (!original) throw validationError([fieldError(['actionId'], serverText('validation.forward.unknownAction'))]);
    const [ticket] = await this.db.select().from(tickets).where(and(eq(tickets.id, original.ticketId), eq(tickets.workspaceId, viewer.workspaceId)));
    if (!ticket) throw validationError([fieldError(['actionId'], serverText('validation.forward.unknownAction'))]);
    const own = await this.replies.ownAddresses(viewer.workspaceId);
    const to = [...new Set(input.to)];
    const ownIndex = to.findIndex((a) => own.has(a));
    if (ownIndex >= 0) throw validationError([fieldError(['input', 'to', ownIndex], serverText('validation.forward.ownAddress', { address: to[ownIndex]! }))]);
    const account = await this.replies.sendingAccount(viewer.workspaceId, ticket.accountId);
    const [author] = await this.db.select({ id: users.id, name: users.name, avatarUrl: users.avatarUrl }).from(users).where(eq(users.id, viewer.userId));
    const files = await this.db.select().from(attachments).where(eq(attachments.actionId, original.id));

    // The forwarded part as mail clients write it, in the agent's language (the note above it is
    // theirs too), so the outside party reads who said what and when.
    const from = original.fromName ? `${original.fromName} <${original.fromAddress ?? ''}>` : (original.fromAddress ?? account.address);
    const date = `${new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(original.createdAt)} UTC`;
    const header = [
      renderText(serverText('ticket.forward.header'), locale),
      renderText(serverText('ticket.forward.from', { from }), locale),
      renderText(serverText('ticket.forward.date', { date }), locale),
      renderText(serverText('ticket.forward.subject', { subject: original.subject ?? ticket.subject }), locale),
      ...(original.to.length ? [renderText(serverText('ticket.forward.to', { to: original.to.join(', ') }), locale)] : []),
    ].join('\n');
    const note = input.text?.trim() ?? '';
    const text = `${note ? `${note}\n\n` : ''}${header}\n\n${original.text}`;
    const written: string[] = [];
    const queued = await this.db
      .transaction(async (tx) => {
        const sent = await enqueueEmail(
          tx,
          {
            workspaceId: viewer.workspaceId,
            ticketId: ticket.id,
            account,
            author: author ?? null,
            to: to[0]!,
            cc: to.slice(1),
            subject: `Fwd: ${subjectWithTag(ticket.subject, ticket.number, { reply: false })}`,
            text,
            html: textToHtml(text),
            inReplyTo: null,
            references: [],
            attachments: files.filter((f) => !f.inline).map((f) => ({ attachmentId: f.id, filename: f.filename, contentType: f.contentType, blobKey: f.blobKey, size: f.size })),
          },
          { blobs: this.runtime.blobs, written },
        );
        await tx.update(ticketActions).set({ forwarded: true }).where(eq(ticketActions.id, sent.actionId));
        await tx.update(ticketMessageIds).set({ forwarded: true }).where(eq(ticketMessageIds.actionId, sent.actionId));
        await tx.update(tickets).set({ updatedAt: new Date() }).where(eq(tickets.id, ticket.id));
        await recordHistory(tx, viewer, [{ ticketId: ticket.id, kind: 'FORWARDED', after: to.join(', ') }]);
        return sent;
      })
      .catch(async (err: unknown) => {
        await Promise.all(written.map((key) => this.runtime.blobs.delete(key).catch(() => undefined)));
        throw err;
      });
    this.runtime.events.pubsub.publish('ticketChanged', viewer.workspaceId, { ticketId: ticket.id, change: 'ACTION_ADDED' });
    this.runtime.events.pubsub.publish('engine', { kind: 'OUTBOX_QUEUED', accountId: account.id, id: queued.actionId });
    return (await this.replies.action(viewer, queued.actionId))!;
  }
}
