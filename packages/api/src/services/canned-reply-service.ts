import { schema, type Runtime } from '@correio/core';
import { text as serverText } from '@correio/texts';
import { and, asc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, fieldError, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import { escapeLike } from './catalog-service.ts';
import { fillTemplate } from '@correio/mail-engine';
import type { TicketService } from './ticket-service.ts';
import { isUniqueViolation, parseInput, says } from './validation.ts';

const { cannedReplies, clients, emailAccounts, users } = schema;

export type CannedReplyRow = typeof cannedReplies.$inferSelect;

const inputSchema = z.object({
  title: z.string().trim().min(1, says('validation.name')).max(120),
  shortcut: z
    .string()
    .trim()
    .transform((v) => v.replace(/^:+/, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,29}$/, says('validation.canned.shortcut')))
    .nullish()
    .or(z.literal('').transform(() => null)),
  text: z.string().trim().min(1, says('validation.canned.text')).max(20_000),
  personal: z.boolean().default(false),
});

/**
 * Canned replies (issue 16): the workspace's, which admins keep, and each agent's own, which
 * nobody else sees. Filled in for a ticket on the server, so the composer, and later signatures
 * and acknowledgements, fill variables one way.
 */
export class CannedReplyService {
  constructor(
    private readonly runtime: Runtime,
    private readonly tickets: TicketService,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  /** What the viewer may use: the workspace's and their own, by title; `search` looks in title, shortcut and text. */
  list(viewer: Viewer, search?: string | null): Promise<CannedReplyRow[]> {
    const term = search?.trim().replace(/^:+/, '');
    const like = term ? `%${escapeLike(term)}%` : null;
    return this.db
      .select()
      .from(cannedReplies)
      .where(and(this.visible(viewer), like ? or(ilike(cannedReplies.title, like), ilike(cannedReplies.shortcut, like), ilike(cannedReplies.text, like)) : undefined))
      .orderBy(sql`${cannedReplies.ownerId} is null`, asc(cannedReplies.title))
      .limit(200);
  }

  canEdit(viewer: Viewer, row: CannedReplyRow): boolean {
    return row.ownerId ? row.ownerId === viewer.userId : viewer.role === 'ADMIN';
  }

  async create(viewer: Viewer, rawInput: unknown): Promise<CannedReplyRow> {
    const input = parseInput(inputSchema, rawInput, 'input');
    if (!input.personal && viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN');
    return this.unique(input.shortcut, async () => {
      const [row] = await this.db
        .insert(cannedReplies)
        .values({ workspaceId: viewer.workspaceId, ownerId: input.personal ? viewer.userId : null, title: input.title, shortcut: input.shortcut ?? null, text: input.text })
        .returning();
      return row!;
    });
  }

  async update(viewer: Viewer, id: string, rawInput: unknown): Promise<CannedReplyRow> {
    const input = parseInput(inputSchema.omit({ personal: true }), rawInput, 'input');
    const row = await this.editable(viewer, id);
    return this.unique(input.shortcut, async () => {
      const [updated] = await this.db
        .update(cannedReplies)
        .set({ title: input.title, shortcut: input.shortcut ?? null, text: input.text, updatedAt: new Date() })
        .where(eq(cannedReplies.id, row.id))
        .returning();
      return updated!;
    });
  }

  async remove(viewer: Viewer, id: string): Promise<boolean> {
    const row = await this.editable(viewer, id);
    await this.db.delete(cannedReplies).where(eq(cannedReplies.id, row.id));
    return true;
  }

  /** The reply's text with its variables filled in for a ticket, as the viewer would send it. */
  async render(viewer: Viewer, id: string, ticketId: string): Promise<string> {
    const reply = await this.find(viewer, id);
    const ticket = await this.tickets.require(viewer, ticketId);
    const [customer] = await this.db.select({ name: clients.name, email: clients.email }).from(clients).where(eq(clients.id, ticket.customerId));
    const [agent] = await this.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, viewer.userId));
    const [account] = ticket.accountId ? await this.db.select({ name: emailAccounts.name }).from(emailAccounts).where(eq(emailAccounts.id, ticket.accountId)) : [];
    return fillTemplate(reply.text, {
      customer: customer ?? { name: null, email: '' },
      ticket: { number: ticket.number, subject: ticket.subject },
      agent: agent ?? { name: '', email: '' },
      account: account ?? null,
    });
  }

  private visible(viewer: Viewer): SQL {
    return and(eq(cannedReplies.workspaceId, viewer.workspaceId), or(isNull(cannedReplies.ownerId), eq(cannedReplies.ownerId, viewer.userId)))!;
  }

  /** A reply the viewer can see; anything else (another agent's own, another workspace's) is unknown. */
  private async find(viewer: Viewer, id: string): Promise<CannedReplyRow> {
    const [row] = isUuid(id) ? await this.db.select().from(cannedReplies).where(and(eq(cannedReplies.id, id), this.visible(viewer))) : [];
    if (!row) throw validationError([fieldError(['id'], serverText('validation.canned.unknown'))]);
    return row;
  }

  private async editable(viewer: Viewer, id: string): Promise<CannedReplyRow> {
    const row = await this.find(viewer, id);
    if (!this.canEdit(viewer, row)) throw new AppError('FORBIDDEN');
    return row;
  }

  private async unique<T>(shortcut: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (shortcut && isUniqueViolation(err)) throw validationError([fieldError(['input', 'shortcut'], serverText('validation.canned.shortcutTaken', { shortcut }))]);
      throw err;
    }
  }
}
