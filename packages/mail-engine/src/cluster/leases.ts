import { rowsOf, schema, type Database } from '@correio/core';
import { and, eq, sql } from 'drizzle-orm';

const { mailboxLeases, engineNodes } = schema;

export interface LeaseTimings {
  /** A lease not renewed for this long is free for another engine to take. */
  ttlMs: number;
  /** How often leases are renewed and free mailboxes claimed. */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 10_000, heartbeatMs: 3_000 };

/**
 * Which engine process syncs which mailbox, decided in PostgreSQL: a lease row per mailbox with
 * an owner and an expiry in the database's own clock, renewed by heartbeat. Rows rather than
 * advisory locks because an advisory lock lives on one connection, and a pooled or terminated
 * connection would silently drop it; a row survives connection loss and expires by time, so a
 * dead process's mailboxes are taken over within one TTL, and never by two at once.
 */
export class LeaseManager {
  constructor(
    private readonly db: Database,
    readonly owner: string,
    private readonly timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
  ) {}

  private get ttl() {
    return sql`make_interval(secs => ${this.timings.ttlMs / 1000})`;
  }

  /** Registers this engine as alive and returns how many engines are. */
  async heartbeat(): Promise<number> {
    await this.db
      .insert(engineNodes)
      .values({ id: this.owner })
      .onConflictDoUpdate({ target: engineNodes.id, set: { heartbeatAt: sql`now()` } });
    const [row] = rowsOf<{ n: number }>(
      await this.db.execute(sql`select count(*)::int as n from ${engineNodes} where ${engineNodes.heartbeatAt} > now() - ${this.ttl}`),
    );
    return Math.max(1, row?.n ?? 1);
  }

  /** Takes the lease when it is free, expired or already ours. */
  async acquire(accountId: string): Promise<boolean> {
    const rows = rowsOf<{ owner: string }>(
      await this.db.execute(sql`
        insert into ${mailboxLeases} (account_id, owner, expires_at, acquired_at)
        values (${accountId}, ${this.owner}, now() + ${this.ttl}, now())
        on conflict (account_id) do update
          set owner = excluded.owner, expires_at = excluded.expires_at,
              acquired_at = case when ${mailboxLeases.owner} = excluded.owner then ${mailboxLeases.acquiredAt} else now() end
          where ${mailboxLeases.expiresAt} < now() or ${mailboxLeases.owner} = excluded.owner
        returning owner`),
    );
    return rows.length === 1;
  }

  /** Extends every lease this engine holds; returns the accounts still ours. */
  async renew(): Promise<Set<string>> {
    const rows = await this.db
      .update(mailboxLeases)
      .set({ expiresAt: sql`now() + ${this.ttl}` })
      .where(and(eq(mailboxLeases.owner, this.owner), sql`${mailboxLeases.expiresAt} > now()`))
      .returning({ accountId: mailboxLeases.accountId });
    return new Set(rows.map((r) => r.accountId));
  }

  async release(accountId: string): Promise<void> {
    await this.db.delete(mailboxLeases).where(and(eq(mailboxLeases.accountId, accountId), eq(mailboxLeases.owner, this.owner)));
  }

  async releaseAll(): Promise<void> {
    await this.db.delete(mailboxLeases).where(eq(mailboxLeases.owner, this.owner));
    await this.db.delete(engineNodes).where(eq(engineNodes.id, this.owner));
  }
}
