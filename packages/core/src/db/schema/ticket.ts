import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ServerText } from '@correio/texts';
import { emailAccounts } from './account.ts';
import { cannedReplies } from './canned-reply.ts';
import { clients, groups, ticketTypes } from './catalog.ts';
import { actionKindEnum, deliveryStateEnum, senderVerdictEnum, ticketHistoryKindEnum, ticketStatusEnum } from './enums.ts';
import { users, workspaces } from './workspace.ts';

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    subject: text('subject').notNull(),
    // Subject with reply/forward prefixes and the ticket tag stripped: the key of the same-subject policy.
    normalizedSubject: text('normalized_subject').notNull(),
    status: ticketStatusEnum('status').notNull().default('NEW'),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'restrict' }),
    ccs: text('ccs').array().notNull().default(sql`'{}'::text[]`),
    accountId: uuid('account_id').references(() => emailAccounts.id, { onDelete: 'set null' }),
    typeId: uuid('type_id').references(() => ticketTypes.id, { onDelete: 'set null' }),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'set null' }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    // Outlook's conversation (the first 22 bytes of Thread-Index, base64): its replies thread here
    // even when a client drops In-Reply-To, and Correio's replies carry it on.
    outlookConversation: text('outlook_conversation'),
    // Set when this ticket was merged into another (issue 16): its number still leads there.
    mergedIntoId: uuid('merged_into_id').references((): AnyPgColumn => tickets.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_workspace_number').on(t.workspaceId, t.number),
    index('tickets_workspace_updated').on(t.workspaceId, t.updatedAt, t.id),
    index('tickets_workspace_subject').on(t.workspaceId, t.normalizedSubject),
    // Every inbox filter column in one index: counting the matches of a filter is then an
    // index-only scan instead of a heap visit per ticket (10 ms → ~2 ms at 100,000 tickets).
    index('tickets_workspace_filters').on(t.workspaceId, t.status, t.groupId, t.accountId, t.typeId, t.assigneeId),
    index('tickets_workspace_conversation').on(t.workspaceId, t.outlookConversation).where(sql`${t.outlookConversation} is not null`),
  ],
);

export const ticketActions = pgTable(
  'ticket_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: actionKindEnum('kind').notNull(),
    accountId: uuid('account_id').references(() => emailAccounts.id, { onDelete: 'set null' }),
    fromAddress: text('from_address'),
    fromName: text('from_name'),
    to: text('to').array().notNull().default(sql`'{}'::text[]`),
    cc: text('cc').array().notNull().default(sql`'{}'::text[]`),
    subject: text('subject'),
    // New content only (quoted history and signature folded away) …
    text: text('text').notNull(),
    // … and the whole text body, kept for "show quoted".
    fullText: text('full_text'),
    html: text('html'),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull().default(sql`'{}'::text[]`),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    delivery: deliveryStateEnum('delivery'),
    deliveryError: text('delivery_error'),
    // `deliveryError` as a text code, worded in the reader's language (issue 14).
    deliveryErrorText: jsonb('delivery_error_text').$type<ServerText>(),
    rawBlobKey: text('raw_blob_key'),
    // Mail imported from before the account was connected: never notifies anyone.
    historical: boolean('historical').notNull().default(false),
    // S/MIME-signed (multipart/signed with a PKCS#7 signature), shown as "signed".
    smimeSigned: boolean('smime_signed').notNull().default(false),
    // Issue 16: an agent's forward of an action to an outside party (EMAIL_OUT), and that party's
    // answer (EMAIL_IN) — part of the ticket for agents, but not the customer's conversation.
    forwarded: boolean('forwarded').notNull().default(false),
    internal: boolean('internal').notNull().default(false),
    threadIndex: text('thread_index'),
    // W9: SPF/DKIM/DMARC/ARC of an incoming e-mail and the verdict drawn from them.
    senderVerdict: senderVerdictEnum('sender_verdict'),
    authenticationResults: jsonb('authentication_results').$type<AuthenticationResults>(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // Insertion order: actions of one batch share a timestamp, and the thread must keep mail order.
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (t) => [index('ticket_actions_ticket').on(t.ticketId, t.createdAt, t.seq)],
);

/**
 * Every Message-ID known to belong to a ticket — received or sent by Correio (one per recipient
 * in per-recipient mode). Threading by In-Reply-To/References looks here, and a unique key per
 * workspace makes the same mail delivered to two support addresses land once.
 */
export const ticketMessageIds = pgTable(
  'ticket_message_ids',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    messageId: text('message_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    actionId: uuid('action_id').references(() => ticketActions.id, { onDelete: 'cascade' }),
    outgoing: boolean('outgoing').notNull().default(false),
    // A forward's Message-ID (issue 16): an answer to it is internal, not the customer's.
    forwarded: boolean('forwarded').notNull().default(false),
  },
  (t) => [uniqueIndex('ticket_message_ids_key').on(t.workspaceId, t.messageId), index('ticket_message_ids_action').on(t.actionId)],
);

/**
 * Who changed what on a ticket, and when (issue 16): status, group, type and assignee changes,
 * merges and splits. Names are kept as they were then, so a renamed or deleted group still reads
 * right; a merge or split also points at the other ticket.
 */
export const ticketHistory = pgTable(
  'ticket_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    // Null for changes nobody made by hand (none yet), or when the user was removed.
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    kind: ticketHistoryKindEnum('kind').notNull(),
    before: text('before'),
    after: text('after'),
    relatedTicketId: uuid('related_ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (t) => [index('ticket_history_ticket').on(t.ticketId, t.seq)],
);

/** Attachment metadata; the bytes live in the blob store under `blobKey`. */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    // Null while an agent's upload waits to be attached to a reply.
    actionId: uuid('action_id').references(() => ticketActions.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    blobKey: text('blob_key').notNull(),
    contentId: text('content_id'),
    inline: boolean('inline').notNull().default(false),
    // Of the content; the same file in many mails (a signature logo) shares one blob.
    sha256: text('sha256'),
    // What an attached message or a calendar invitation says (W8), for the thread.
    details: jsonb('details').$type<AttachmentDetails>(),
    uploadedById: uuid('uploaded_by_id').references(() => users.id, { onDelete: 'set null' }),
    // A canned reply's file (issue 16): kept with it, copied into each message it is inserted in.
    cannedReplyId: uuid('canned_reply_id').references(() => cannedReplies.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('attachments_action').on(t.actionId),
    index('attachments_canned_reply').on(t.cannedReplyId).where(sql`${t.cannedReplyId} is not null`), index('attachments_workspace_sha256').on(t.workspaceId, t.sha256).where(sql`${t.sha256} is not null`)],
);

/** One method's result as the verdict (and the ticket view) uses it. */
export interface AuthenticationResult {
  result: string;
  /** The domain the result is about (SPF MAIL FROM, DKIM d=, DMARC From domain). */
  domain: string | null;
  detail: string | null;
}

/** What was checked about an incoming message's sender, and by whom (W9). */
export interface AuthenticationResults {
  /** CORREIO: computed from the connecting IP by Correio's receiver; TRUSTED_HEADER: read from the receiving server's Authentication-Results; DKIM_ONLY: only signatures could be checked. */
  source: 'CORREIO' | 'TRUSTED_HEADER' | 'DKIM_ONLY';
  authservId: string | null;
  spf: AuthenticationResult | null;
  dkim: AuthenticationResult[];
  dmarc: (AuthenticationResult & { policy: string | null }) | null;
  arc: AuthenticationResult | null;
  /** The From domain the verdict is about. */
  fromDomain: string | null;
  /** Why the verdict is what it is, as a code the SPA words in the reader's language. */
  reasonCode: SenderVerdictReason;
  /** The same, one English sentence (logs, rows stored before texts had codes). */
  reason: string;
  /** The same as a text code with its domains, worded in the reader's language (issue 14). */
  reasonText?: ServerText;
}

/** Every reason a sender verdict can have (W9); `AuthenticationResults.reasonCode`. */
export const SENDER_VERDICT_REASONS = ['DMARC_PASS', 'DKIM_ALIGNED', 'DMARC_FAIL_POLICY', 'DMARC_FAIL_FORWARDED', 'DMARC_FAIL_NO_POLICY', 'SERVER_UNKNOWN', 'TEMPORARY_ERROR', 'NO_EVIDENCE'] as const;
export type SenderVerdictReason = (typeof SENDER_VERDICT_REASONS)[number];

export type AttachmentDetails =
  | { kind: 'MESSAGE'; subject: string; from: string | null; date: string | null; text: string; attachments: Array<{ filename: string; size: number }> }
  | { kind: 'CALENDAR'; method: string | null; summary: string | null; start: string | null; end: string | null; location: string | null; organizer: string | null };
