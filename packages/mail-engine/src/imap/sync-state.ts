import { schema, type Queryable } from '@correio/core';
import { and, eq } from 'drizzle-orm';

const { mailboxSyncStates } = schema;

export type SyncState = typeof mailboxSyncStates.$inferSelect;

export async function loadSyncState(db: Queryable, accountId: string, mailbox: string): Promise<SyncState | null> {
  const [row] = await db
    .select()
    .from(mailboxSyncStates)
    .where(and(eq(mailboxSyncStates.accountId, accountId), eq(mailboxSyncStates.mailbox, mailbox)));
  return row ?? null;
}

export async function saveSyncState(
  db: Queryable,
  accountId: string,
  mailbox: string,
  values: Partial<Omit<SyncState, 'accountId' | 'mailbox'>>,
): Promise<void> {
  const now = new Date();
  await db
    .insert(mailboxSyncStates)
    .values({ accountId, mailbox, ...values, lastSyncAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [mailboxSyncStates.accountId, mailboxSyncStates.mailbox], set: { ...values, lastSyncAt: now, updatedAt: now } });
}

/** The IMAP idempotency key of a message: its folder, the folder's UIDVALIDITY and its UID. */
export function imapSourceKey(folder: string, uidValidity: bigint, uid: number): string {
  return `imap:${folder}:${uidValidity}:${uid}`;
}
