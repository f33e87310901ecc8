import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { groups, ticketTypes } from './catalog.ts';
import {
  accountKindEnum,
  connectionStateEnum,
  directionEnum,
  encryptionEnum,
  dmarcFailPolicyEnum,
  importExistingEnum,
  incomingProtocolEnum,
  newTicketPolicyEnum,
  oauthProviderEnum,
  sameSubjectPolicyEnum,
  smtpAuthMechanismEnum,
} from './enums.ts';
import type { ServerText } from '@correio/texts';
import { workspaces } from './workspace.ts';

/**
 * One connected support mailbox (A1–A7). Incoming and outgoing settings are flat nullable columns:
 * an account without `incomingProtocol` has no receiving configured, one without `outgoingHost`
 * cannot send on its own. Secrets are sealed strings from `secret-box.ts`, never plaintext.
 */
export const emailAccounts = pgTable(
  'email_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: accountKindEnum('kind').notNull(),
    address: text('address').notNull(),
    active: boolean('active').notNull().default(true),
    providerId: text('provider_id'),
    // Issue 16: appended to every reply sent from this account, variables filled in
    // ({{agente.nome}}, {{agente.assinatura}} — the agent's own — …); null: none.
    signature: text('signature'),
    // Issue 16: an acknowledgement sent when a ticket is opened from e-mail (off by default),
    // its subject and text templates with the variables of canned replies.
    ackEnabled: boolean('ack_enabled').notNull().default(false),
    ackSubject: text('ack_subject'),
    ackText: text('ack_text'),
    // Issue 13: set when the account signs in to IMAP/POP3 and SMTP with an OAuth 2.0 grant
    // (oauth_grants) instead of passwords.
    oauthProvider: oauthProviderEnum('oauth_provider'),

    incomingEnabled: boolean('incoming_enabled').notNull().default(false),
    incomingProtocol: incomingProtocolEnum('incoming_protocol'),
    incomingHost: text('incoming_host'),
    incomingPort: integer('incoming_port'),
    incomingEncryption: encryptionEnum('incoming_encryption'),
    incomingUsername: text('incoming_username'),
    incomingPasswordSealed: text('incoming_password_sealed'),
    incomingFolder: text('incoming_folder').notNull().default('INBOX'),
    markAsRead: boolean('mark_as_read').notNull().default(false),
    deleteAfterDays: integer('delete_after_days'),
    newTicketPolicy: newTicketPolicyEnum('new_ticket_policy').notNull().default('ANY_SENDER'),
    appendReplies: boolean('append_replies').notNull().default(true),
    sameSubjectPolicy: sameSubjectPolicyEnum('same_subject_policy').notNull().default('ASSOCIATE_IF_CLIENT_OR_CC'),
    importExisting: importExistingEnum('import_existing').notNull().default('NONE'),
    importExistingDays: integer('import_existing_days'),
    // W9: what to do with DMARC-failed mail, and whose Authentication-Results header to trust
    // for mail fetched over IMAP/POP3 (null: the mailbox provider's own, when known).
    dmarcFailPolicy: dmarcFailPolicyEnum('dmarc_fail_policy').notNull().default('FLAG'),
    trustedAuthservId: text('trusted_authserv_id'),

    outgoingHost: text('outgoing_host'),
    outgoingPort: integer('outgoing_port'),
    outgoingEncryption: encryptionEnum('outgoing_encryption'),
    outgoingRequiresAuth: boolean('outgoing_requires_auth').notNull().default(true),
    outgoingUsername: text('outgoing_username'),
    outgoingPasswordSealed: text('outgoing_password_sealed'),
    outgoingAccessTokenSealed: text('outgoing_access_token_sealed'),
    outgoingAuthMechanism: smtpAuthMechanismEnum('outgoing_auth_mechanism'),
    outgoingUseSeparateIdentity: boolean('outgoing_use_separate_identity').notNull().default(false),
    sendSingleMessageToAllRecipients: boolean('send_single_message').notNull().default(true),

    brandName: text('brand_name'),
    brandUrl: text('brand_url'),
    brandLogoBlobKey: text('brand_logo_blob_key'),
    brandLogoContentType: text('brand_logo_content_type'),

    ticketTypeId: uuid('ticket_type_id').references(() => ticketTypes.id, { onDelete: 'set null' }),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'set null' }),

    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('email_accounts_workspace').on(t.workspaceId),
    // Built-in addresses route inbound SMTP, so they must be unique across all workspaces.
    uniqueIndex('email_accounts_builtin_address')
      .on(sql`lower(${t.address})`)
      .where(sql`${t.kind} = 'BUILTIN'`),
  ],
);

/** A stored e-mail account, as every package reads it. */
export type AccountRow = typeof emailAccounts.$inferSelect;

/** One direction's last check, phase by phase, as the "Save and test" screen shows it (A8, A9). */
export interface StoredCheck {
  at: string;
  ms: number;
  ok: boolean;
  phases: Array<{
    phase: string;
    ok: boolean;
    ms: number;
    detail: string;
    /** `detail` as a text code (issue 14); absent in checks stored before texts had codes. */
    detailText?: ServerText;
    error?: { code: string; message: string; serverResponse: string | null; transient: boolean; hint: string; text?: ServerText; hintText?: ServerText };
  }>;
}

/** Current connection state per account and direction (A10); history lives in `connectionErrors`. */
export const accountStatuses = pgTable(
  'account_statuses',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    direction: directionEnum('direction').notNull(),
    state: connectionStateEnum('state').notNull().default('UNKNOWN'),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    since: timestamp('since', { withTimezone: true }),
    message: text('message'),
    // `message` and `lastErrorHint` as text codes, worded in the reader's language (issue 14); the
    // English columns stay for rows written before, and for logs and SQL.
    messageText: jsonb('message_text').$type<ServerText>(),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    // Last time the live importer or sender proved the connection alive (watchdog input).
    lastAliveAt: timestamp('last_alive_at', { withTimezone: true }),
    // The status model's memory (see mail-engine status/status-model.ts): the current failure
    // streak, and how the last one ended.
    failingSince: timestamp('failing_since', { withTimezone: true }),
    streakTransient: boolean('streak_transient').notNull().default(true),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
    lastErrorTransient: boolean('last_error_transient'),
    lastErrorCode: text('last_error_code'),
    lastErrorHint: text('last_error_hint'),
    lastErrorHintText: jsonb('last_error_hint_text').$type<ServerText>(),
    recoveredAt: timestamp('recovered_at', { withTimezone: true }),
    lastStreakTransient: boolean('last_streak_transient'),
    checkingSince: timestamp('checking_since', { withTimezone: true }),
    // Kept here, not in memory, so every API process shows the phases of a check another one ran.
    lastCheck: jsonb('last_check').$type<StoredCheck>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.direction] }),
    // The only rows whose state changes with time alone (status-model.ts): the periodic
    // re-evaluation reads these, not every mailbox of the install (issue 17).
    index('account_statuses_time_based_idx').on(t.accountId).where(sql`state in ('INTERMITTENT', 'CHECKING')`),
  ],
);

/** Bounded error history per account, shown by "Show last errors" (A9). */
export const connectionErrors = pgTable(
  'connection_errors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => emailAccounts.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    direction: directionEnum('direction').notNull(),
    phase: text('phase').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    messageText: jsonb('message_text').$type<ServerText>(),
    serverResponse: text('server_response'),
    transient: boolean('transient').notNull(),
    hint: text('hint'),
    hintText: jsonb('hint_text').$type<ServerText>(),
  },
  (t) => [index('connection_errors_account_at').on(t.accountId, t.at)],
);
