import { schema, type Runtime, type Transaction } from '@correio/core';
import { text as serverText } from '@correio/texts';
import { and, asc, eq, ilike, inArray, isNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, fieldError, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';
import { escapeLike } from './catalog-service.ts';
import { agentHtmlOf, fillTemplate, plainTextOf, type TemplateContext } from '@correio/mail-engine';
import type { TicketService } from './ticket-service.ts';
import { isUniqueViolation, parseInput, says } from './validation.ts';

const { attachments, cannedReplies, clients, emailAccounts, users } = schema;

export type CannedReplyRow = typeof cannedReplies.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
export interface CannedInsert {
  text: string;
  html: string;
  attachments: AttachmentRow[];
}

/** Files a canned reply carries: a price list, a form; not an archive of everything (the texts say 10). */
const MAX_FILES = 10;

const inputSchema = z.object({
  title: z.string().trim().min(1, says('validation.name')).max(120),
  shortcut: z
    .string()
    .trim()
    .transform((v) => v.replace(/^:+/, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,29}$/, says('validation.canned.shortcut')))
    .nullish()
    .or(z.literal('').transform(() => null)),
  // The body: HTML (the SPA's editor), or text without any tag (its lines kept).
  text: z.string().max(20_000).nullish(),
  html: z.string().max(200_000, says('validation.canned.tooLong')).nullish(),
  personal: z.boolean().default(false),
  // The reply's whole list of files: those it has, and the caller's new uploads. Omitted: unchanged.
  attachmentIds: z.array(z.string()).max(MAX_FILES, says('validation.canned.tooManyFiles')).nullish(),
});

/** The reply's body as kept: sanitized HTML, and what it reads as. An empty one is refused on `text`. */
function bodyOf(input: { text?: string | null; html?: string | null }): { html: string; text: string } {
  const html = agentHtmlOf(input.html?.trim() ? input.html : input.text);
  const text = html ? plainTextOf(html) : '';
  if (!html || !text.trim()) throw validationError([fieldError(['input', 'text'], serverText('validation.canned.text'))]);
  if (text.length > 20_000) throw validationError([fieldError(['input', 'text'], serverText('validation.canned.tooLong'))]);
  return { html, text };
}

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
    const body = bodyOf(input);
    return this.unique(input.shortcut, () =>
      this.withFiles(viewer, input.attachmentIds, async (tx) => {
        const [row] = await tx
          .insert(cannedReplies)
          .values({ workspaceId: viewer.workspaceId, ownerId: input.personal ? viewer.userId : null, title: input.title, shortcut: input.shortcut ?? null, ...body })
          .returning();
        return row!;
      }),
    );
  }

  async update(viewer: Viewer, id: string, rawInput: unknown): Promise<CannedReplyRow> {
    const input = parseInput(inputSchema.omit({ personal: true }), rawInput, 'input');
    const row = await this.editable(viewer, id);
    const body = bodyOf(input);
    return this.unique(input.shortcut, () =>
      this.withFiles(viewer, input.attachmentIds, async (tx) => {
        const [updated] = await tx
          .update(cannedReplies)
          .set({ title: input.title, shortcut: input.shortcut ?? null, ...body, updatedAt: new Date() })
          .where(eq(cannedReplies.id, row.id))
          .returning();
        return updated!;
      }),
    );
  }

  async remove(viewer: Viewer, id: string): Promise<boolean> {
    const row = await this.editable(viewer, id);
    const files = await this.db.delete(attachments).where(eq(attachments.cannedReplyId, row.id)).returning({ blobKey: attachments.blobKey });
    await this.db.delete(cannedReplies).where(eq(cannedReplies.id, row.id));
    await this.deleteBlobs(files.map((f) => f.blobKey));
    return true;
  }

  /** A reply's files, in the order they were added. */
  files(replyId: string): Promise<AttachmentRow[]> {
    return this.db.select().from(attachments).where(eq(attachments.cannedReplyId, replyId)).orderBy(asc(attachments.createdAt), asc(attachments.id));
  }

  /**
   * What the composer inserts: the text filled in for the ticket, and a copy of each of the
   * reply's files as the caller's own upload, which the message then sends like any other (and
   * which is swept if never sent). Copies, so sending or discarding them never touches the reply's.
   */
  async insert(viewer: Viewer, id: string, ticketId: string): Promise<CannedInsert> {
    const reply = await this.find(viewer, id);
    const context = await this.context(viewer, ticketId);
    const text = fillTemplate(reply.text, context);
    const html = fillTemplate(reply.html, context, { html: true });
    const originals = await this.files(reply.id);
    const written: string[] = [];
    try {
      const copies: AttachmentRow[] = [];
      for (const file of originals) {
        const stored = await this.runtime.blobs.put(this.runtime.blobs.read(file.blobKey));
        written.push(stored.key);
        const [copy] = await this.db
          .insert(attachments)
          .values({ workspaceId: viewer.workspaceId, actionId: null, filename: file.filename, contentType: file.contentType, size: stored.size, blobKey: stored.key, uploadedById: viewer.userId })
          .returning();
        copies.push(copy!);
      }
      return { text, html, attachments: copies };
    } catch (err) {
      await this.db.delete(attachments).where(inArray(attachments.blobKey, written.length ? written : ['']));
      await this.deleteBlobs(written);
      throw err;
    }
  }

  /**
   * Writes a reply and makes `attachmentIds` its files, in one transaction: ids it has stay,
   * the caller's pending uploads join it, the rest of its files go. An id that is neither (another
   * agent's upload, a file already sent, another reply's) fails the whole write.
   */
  private async withFiles(viewer: Viewer, ids: string[] | null | undefined, write: (tx: Transaction) => Promise<CannedReplyRow>): Promise<CannedReplyRow> {
    const wanted = [...new Set(ids ?? [])];
    const removed: string[] = [];
    const row = await this.db.transaction(async (tx) => {
      const reply = await write(tx);
      if (ids === undefined || ids === null) return reply;
      const usable = wanted.filter(isUuid);
      const claimed = usable.length
        ? await tx
            .update(attachments)
            .set({ cannedReplyId: reply.id })
            .where(
              and(
                inArray(attachments.id, usable),
                eq(attachments.workspaceId, viewer.workspaceId),
                isNull(attachments.actionId),
                or(eq(attachments.cannedReplyId, reply.id), and(isNull(attachments.cannedReplyId), eq(attachments.uploadedById, viewer.userId))),
              ),
            )
            .returning({ id: attachments.id })
        : [];
      if (claimed.length !== wanted.length) throw validationError([fieldError(['input', 'attachmentIds'], serverText('validation.reply.attachmentUnavailable'))]);
      const gone = await tx
        .delete(attachments)
        .where(and(eq(attachments.cannedReplyId, reply.id), wanted.length ? notInArray(attachments.id, wanted) : undefined))
        .returning({ blobKey: attachments.blobKey });
      removed.push(...gone.map((g) => g.blobKey));
      return reply;
    });
    await this.deleteBlobs(removed);
    return row;
  }

  private async deleteBlobs(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.runtime.blobs.delete(key).catch(() => undefined)));
  }

  /** The reply's text with its variables filled in for a ticket, as the viewer would send it. */
  async render(viewer: Viewer, id: string, ticketId: string): Promise<string> {
    const reply = await this.find(viewer, id);
    return fillTemplate(reply.text, await this.context(viewer, ticketId));
  }

  private async context(viewer: Viewer, ticketId: string): Promise<TemplateContext> {
    const ticket = await this.tickets.require(viewer, ticketId);
    const [customer] = await this.db.select({ name: clients.name, email: clients.email }).from(clients).where(eq(clients.id, ticket.customerId));
    const [agent] = await this.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, viewer.userId));
    const [account] = ticket.accountId ? await this.db.select({ name: emailAccounts.name }).from(emailAccounts).where(eq(emailAccounts.id, ticket.accountId)) : [];
    return {
      customer: customer ?? { name: null, email: '' },
      ticket: { number: ticket.number, subject: ticket.subject },
      agent: agent ?? { name: '', email: '' },
      account: account ?? null,
    };
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
