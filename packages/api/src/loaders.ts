import { schema, type Runtime } from '@correio/core';
import DataLoader from 'dataloader';
import { and, eq, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Viewer } from './auth/tokens.ts';

const { clients, emailAccounts, groups, ticketTypes, users, attachments, tickets } = schema;

/**
 * Per-request batch loaders, each bound to the viewer's workspace: a ticket list of 50 costs one
 * query per related table, and an id from another workspace simply loads as null.
 */
export function createLoaders(runtime: Runtime, viewer: Viewer | null) {
  const db = runtime.database.db;
  const workspaceId = viewer?.workspaceId ?? '00000000-0000-0000-0000-000000000000';

  function byId<T extends { id: string }>(table: PgTable & { id: PgColumn; workspaceId: PgColumn }) {
    return new DataLoader<string, T | null>(async (ids) => {
      const rows = (await db
        .select()
        .from(table)
        .where(and(inArray(table.id, [...ids]), eq(table.workspaceId, workspaceId)))) as T[];
      const map = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => map.get(id) ?? null);
    });
  }

  function manyBy<T>(table: PgTable & { workspaceId: PgColumn }, column: PgColumn, key: (row: T) => string | null) {
    return new DataLoader<string, T[]>(async (ids) => {
      const rows = (await db
        .select()
        .from(table)
        .where(and(inArray(column, [...ids]), eq(table.workspaceId, workspaceId)))) as T[];
      const groupsOf = new Map<string, T[]>();
      for (const row of rows) {
        const k = key(row);
        if (k) groupsOf.set(k, [...(groupsOf.get(k) ?? []), row]);
      }
      return ids.map((id) => groupsOf.get(id) ?? []);
    });
  }

  return {
    client: byId<typeof clients.$inferSelect>(clients),
    account: byId<typeof emailAccounts.$inferSelect>(emailAccounts),
    group: byId<typeof groups.$inferSelect>(groups),
    ticketType: byId<typeof ticketTypes.$inferSelect>(ticketTypes),
    user: byId<typeof users.$inferSelect>(users),
    ticket: byId<typeof tickets.$inferSelect>(tickets),
    attachmentsOfAction: manyBy<typeof attachments.$inferSelect>(attachments, attachments.actionId, (r) => r.actionId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
