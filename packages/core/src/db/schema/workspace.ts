import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roleEnum } from './enums.ts';

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  // Last ticket number handed out; bumped with UPDATE … RETURNING so numbers stay gap-free per workspace.
  ticketSeq: integer('ticket_seq').notNull().default(0),
  // A status refresh of all accounts runs until then (or its cooldown lasts): a second one is
  // not started meanwhile, whichever API process is asked (issue 17).
  statusRefreshUntil: timestamp('status_refresh_until', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // Stored lower-cased: login is by e-mail alone, so it is unique across workspaces.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: roleEnum('role').notNull(),
    avatarUrl: text('avatar_url'),
    // The agent's own signature (issue 16), which an account's signature includes with {{agente.assinatura}}.
    signature: text('signature'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
);
