import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { ServerText } from '@correio/texts';
import { emailAccounts } from './account.ts';
import { outboxStateEnum, refusalReasonEnum } from './enums.ts';
import { ticketActions, type AuthenticationResults } from './ticket.ts';
import { workspaces } from './workspace.ts';

/**
 * Sync position of one mailbox (IMAP folder or POP3 maildrop). `uidValidity` + `uidNext` +
 * `highestModseq` let the engine decide from a STATUS reply whether anything changed at all.
 */
export const mailboxSyncStates = pgTable(
  'mailbox_sync_states',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    mailbox: text('mailbox').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'bigint' }),
    // Every UID below this has been imported (or deliberately skipped by the first-sync choice).
    uidNext: bigint('uid_next', { mode: 'number' }),
    highestModseq: bigint('highest_modseq', { mode: 'bigint' }),
    // Messages below this UID were already in the mailbox at the first connection: imported (if the
    // admin chose so) as history, never notifying anyone.
    historicalBelowUid: bigint('historical_below_uid', { mode: 'number' }),
    firstSyncAt: timestamp('first_sync_at', { withTimezone: true }),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.mailbox] })],
);

/**
 * The idempotency ledger of W7: one row per message taken from a mailbox, written in the same
 * transaction as the ticket action it produced. `sourceKey` is `imap:<folder>:<uidvalidity>:<uid>`,
 * `pop3:<uidl>` or `smtp:<queue id>`.
 */
export const importedMessages = pgTable(
  'imported_messages',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    sourceKey: text('source_key').notNull(),
    messageId: text('message_id'),
    actionId: uuid('action_id').references(() => ticketActions.id, { onDelete: 'set null' }),
    // Server-side date of the message; delete-after-N-days counts from it.
    receivedAt: timestamp('received_at', { withTimezone: true }),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
    deletedFromServerAt: timestamp('deleted_from_server_at', { withTimezone: true }),
    // Left alone on purpose (old mail the admin chose not to import): never "processed", never deleted.
    skipped: boolean('skipped').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.sourceKey] }), index('imported_messages_account_imported').on(t.accountId, t.importedAt)],
);

/** A message that could not be parsed or stored, kept raw so it can be retried (W7). */
export const failedImports = pgTable(
  'failed_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    sourceKey: text('source_key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    error: text('error').notNull(),
    // `error` as a text code, worded in the reader's language (issue 14).
    errorText: jsonb('error_text').$type<ServerText>(),
    size: bigint('size', { mode: 'number' }).notNull(),
    rawBlobKey: text('raw_blob_key').notNull(),
    attempts: integer('attempts').notNull().default(1),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('failed_imports_source').on(t.accountId, t.sourceKey), index('failed_imports_workspace').on(t.workspaceId, t.at)],
);

/** Mail that arrived but deliberately made no ticket (policy, auto-reply, bounce …), with the reason. */
export const refusedMessages = pgTable(
  'refused_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    reason: refusalReasonEnum('reason').notNull(),
    detail: text('detail'),
    detailText: jsonb('detail_text').$type<ServerText>(),
    fromAddress: text('from_address'),
    subject: text('subject'),
    messageId: text('message_id'),
    rawBlobKey: text('raw_blob_key'),
    // W9: the authentication verdict of mail held or refused for failing DMARC.
    authenticationResults: jsonb('authentication_results').$type<AuthenticationResults>(),
    // Held (not refused) for an admin to look at: it can be released.
    held: boolean('held').notNull().default(false),
    // Held mail an admin let through (it then imported like any other message).
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [index('refused_messages_workspace').on(t.workspaceId, t.at)],
);

/**
 * Durable queue of outgoing mail. A worker claims a row with `FOR UPDATE SKIP LOCKED`, sets
 * state SENDING with a lease, and only then talks SMTP.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    actionId: uuid('action_id')
      .notNull()
      .references(() => ticketActions.id, { onDelete: 'cascade' }),
    state: outboxStateEnum('state').notNull().default('QUEUED'),
    // Composed envelope + MIME inputs (recipients, Message-IDs, references …) fixed at queue time.
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    firstAttemptAt: timestamp('first_attempt_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    lastError: text('last_error'),
    lastErrorText: jsonb('last_error_text').$type<ServerText>(),
    lastResponse: text('last_response'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('outbox_due').on(t.state, t.nextAttemptAt)],
);

/** Which engine process owns which mailbox (N2): renewed by heartbeat, taken over on expiry. */
export const mailboxLeases = pgTable(
  'mailbox_leases',
  {
  accountId: uuid('account_id')
    .primaryKey()
    .references(() => emailAccounts.id, { onDelete: 'cascade' }),
  // Valid while the owner's row in engine_nodes has not expired: one heartbeat renews every
  // lease an engine holds, whatever their number (issue 17).
  owner: text('owner').notNull(),
  acquiredAt: timestamp('acquired_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mailbox_leases_owner_idx').on(t.owner)],
);

/** Engine processes alive in the cluster, so each takes its fair share of mailboxes (N2). */
export const engineNodes = pgTable('engine_nodes', {
  id: text('id').primaryKey(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  // Heartbeat + the engine's lease TTL: past it, the engine and every lease it holds count as gone.
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
});
