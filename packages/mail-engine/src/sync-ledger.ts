import { schema, type Database } from '@correio/core';
import { and, eq, inArray, isNull, like, lt, sql } from 'drizzle-orm';

const { importedMessages } = schema;

/**
 * The import ledger as both mailbox syncs read it outside an import: which messages are past
 * the account's delete-after-N-days, and marking them deleted once the server has let them go.
 * Only messages Correio imported count: skipped ones (old mail the admin chose not to import)
 * are never "processed", so never deleted.
 */
export class SyncLedger {
  constructor(
    private readonly db: Database,
    private readonly accountId: string,
  ) {}

  /** Source keys (under `prefix`, when given) imported more than `days` days ago and still on the server. */
  async expired(days: number, options: { prefix?: string; limit?: number } = {}): Promise<string[]> {
    const cutoff = new Date(Date.now() - days * 86_400_000);
    const query = this.db
      .select({ key: importedMessages.sourceKey })
      .from(importedMessages)
      .where(
        and(
          eq(importedMessages.accountId, this.accountId),
          options.prefix ? like(importedMessages.sourceKey, `${escapeLike(options.prefix)}%`) : undefined,
          isNull(importedMessages.deletedFromServerAt),
          eq(importedMessages.skipped, false),
          lt(sql`coalesce(${importedMessages.receivedAt}, ${importedMessages.importedAt})`, cutoff),
        ),
      );
    const rows = options.limit ? await query.limit(options.limit) : await query;
    return rows.map((r) => r.key);
  }

  async markDeleted(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.db
      .update(importedMessages)
      .set({ deletedFromServerAt: new Date() })
      .where(and(eq(importedMessages.accountId, this.accountId), inArray(importedMessages.sourceKey, keys)));
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
