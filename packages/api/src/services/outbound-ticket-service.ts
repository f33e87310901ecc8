import { schema, type Runtime } from '@correio/core';
import { normalizeSubject } from '@correio/mail-engine';
import { text as serverText } from '@correio/texts';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import type { ReplyService } from './reply-service.ts';
import type { TicketRow, TicketService } from './ticket-service.ts';
import { optionalText, parseInput, says } from './validation.ts';

const { tickets, clients, emailAccounts, workspaces } = schema;

const outboundSchema = z.object({
  accountId: z.string(),
  to: z.string().trim().toLowerCase().pipe(z.email(says('validation.email'))),
  name: optionalText(200),
  subject: z.string().trim().min(1, says('validation.outbound.subject')).max(998),
});

/**
 * A conversation an agent starts by e-mail (issue 16): a ticket for the customer, waiting for
 * their answer (PENDING), whose first action is the agent's message, sent like any reply — so
 * the answer threads to it by its Message-ID, or by the [#n] tag in its subject.
 */
export class OutboundTicketService {
  constructor(
    private readonly runtime: Runtime,
    private readonly tickets: TicketService,
    private readonly replies: ReplyService,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  async start(viewer: Viewer, rawInput: Record<string, unknown>): Promise<TicketRow> {
    const input = parseInput(outboundSchema, rawInput, 'input');
    const [account] = isUuid(input.accountId)
      ? await this.db.select().from(emailAccounts).where(and(eq(emailAccounts.id, input.accountId), eq(emailAccounts.workspaceId, viewer.workspaceId), eq(emailAccounts.active, true)))
      : [];
    if (!account || (account.kind === 'EXTERNAL' && !account.outgoingHost)) throw validationError([fieldError(['input', 'accountId'], serverText('validation.outbound.account'))]);
    const own = await this.db.select({ address: emailAccounts.address }).from(emailAccounts).where(eq(emailAccounts.workspaceId, viewer.workspaceId));
    if (own.some((a) => a.address.toLowerCase() === input.to)) throw validationError([fieldError(['input', 'to'], serverText('validation.outbound.ownAddress'))]);

    const ticket = await this.db.transaction(async (tx) => {
      await tx.insert(clients).values({ workspaceId: viewer.workspaceId, email: input.to, name: input.name }).onConflictDoNothing();
      const [client] = await tx.select({ id: clients.id }).from(clients).where(and(eq(clients.workspaceId, viewer.workspaceId), eq(clients.email, input.to)));
      const [seq] = await tx
        .update(workspaces)
        .set({ ticketSeq: sql`${workspaces.ticketSeq} + 1` })
        .where(eq(workspaces.id, viewer.workspaceId))
        .returning({ number: workspaces.ticketSeq });
      const [created] = await tx
        .insert(tickets)
        .values({
          workspaceId: viewer.workspaceId,
          number: seq!.number,
          subject: input.subject,
          normalizedSubject: normalizeSubject(input.subject),
          status: 'PENDING',
          customerId: client!.id,
          accountId: account.id,
          typeId: account.ticketTypeId,
          groupId: account.groupId,
          assigneeId: viewer.userId,
        })
        .returning();
      return created!;
    });
    // The message is the ticket's first action, queued exactly as a reply; a message the reply
    // refuses (empty text, a bad CC, a file that is not the agent's) leaves no ticket behind.
    try {
      await this.replies.reply(viewer, ticket.id, { text: rawInput['text'], html: rawInput['html'], cc: rawInput['cc'], attachmentIds: rawInput['attachmentIds'] });
    } catch (err) {
      await this.db.delete(tickets).where(eq(tickets.id, ticket.id));
      throw err;
    }
    this.runtime.events.pubsub.publish('ticketChanged', viewer.workspaceId, { ticketId: ticket.id, change: 'CREATED' });
    return this.tickets.require(viewer, ticket.id);
  }
}
