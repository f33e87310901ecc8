import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users, workspaces } from './workspace.ts';

/**
 * Canned replies (respostas prontas, issue 16): a title, an optional shortcut and a text with
 * variables ({{cliente.nome}}, {{ticket.numero}} …) filled in for the ticket at hand. Without an
 * owner a reply is the workspace's (admins keep those); with one it is that agent's own.
 */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    shortcut: text('shortcut'),
    // The body as the agent formatted it (sanitized HTML, variables unfilled): what is inserted.
    html: text('html').notNull().default(''),
    // What the HTML reads as: for the list, the search and plain-text composers.
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('canned_replies_workspace').on(t.workspaceId, t.title),
    // One shortcut means one reply for whoever types it: unique among the workspace's replies,
    // and among each agent's own (an agent's own may shadow a workspace one: theirs wins).
    uniqueIndex('canned_replies_shortcut_shared').on(t.workspaceId, t.shortcut).where(sql`${t.ownerId} is null and ${t.shortcut} is not null`),
    uniqueIndex('canned_replies_shortcut_own').on(t.workspaceId, t.ownerId, t.shortcut).where(sql`${t.ownerId} is not null and ${t.shortcut} is not null`),
  ],
);
