import { rowsOf, schema, type Database } from '@correio/core';
import { and, eq, inArray, sql } from 'drizzle-orm';

const { mailboxLeases, engineNodes } = schema;

export interface LeaseTimings {
  /** An engine whose heartbeat is this old is gone: its mailboxes are free for another engine. */
  ttlMs: number;
  /** How often the engine proves itself alive (one statement, whatever the number of mailboxes). */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 10_000, heartbeatMs: 3_000 };

export interface Heartbeat {
  /** Engines alive now, this one included, in a stable order. */
  engines: string[];
  /**
   * Whether this engine's own row had expired (or vanished) before this heartbeat: for a while
   * other engines saw it as gone and may have taken some of its mailboxes.
   */
  lapsed: boolean;
}

/** The SQL condition "the lease's owner is alive", for a query over mailbox_leases. */
const ownerAlive = sql`exists (select 1 from ${engineNodes} n where n.id = ${mailboxLeases.owner} and n.expires_at > now())`;

/**
 * Which engine process syncs which mailbox, decided in PostgreSQL: a lease row per mailbox
 * naming its owner, valid while the owner's row in `engine_nodes` has not expired. One heartbeat
 * statement per engine therefore renews all its leases (issue 17: idle cost does not grow with
 * mailboxes), and a dead process's mailboxes are free once its row expires, never taken by two
 * engines at once. Rows rather than advisory locks because an advisory lock lives on one
 * connection, and a pooled or terminated connection would silently drop it.
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

  /** Extends this engine's life (and so every lease it holds) and says who else is alive. */
  async heartbeat(): Promise<Heartbeat> {
    const [row] = rowsOf<{ engines: string[]; lapsed: boolean }>(
      await this.db.execute(sql`
        with previous as (select expires_at from ${engineNodes} where id = ${this.owner}),
        beat as (
          insert into ${engineNodes} (id, heartbeat_at, expires_at) values (${this.owner}, now(), now() + ${this.ttl})
          on conflict (id) do update set heartbeat_at = now(), expires_at = now() + ${this.ttl}
          returning id
        )
        select
          array(select id from ${engineNodes} where expires_at > now() and id <> ${this.owner} union select id from beat order by 1) as engines,
          coalesce((select expires_at <= now() from previous), true) as lapsed`),
    );
    return { engines: row?.engines ?? [this.owner], lapsed: row?.lapsed ?? true };
  }

  /**
   * Takes as many of `accountIds` as are free (no lease, the owner is gone, or it is already ours) in one statement;
   * returns those now ours. Two engines claiming at once each get different ones.
   */
  async claim(accountIds: string[]): Promise<string[]> {
    if (!accountIds.length) return [];
    const rows = rowsOf<{ account_id: string }>(
      await this.db.execute(sql`
        insert into ${mailboxLeases} (account_id, owner, acquired_at)
        select id, ${this.owner}, now() from unnest(array[${sql.join(
          accountIds.map((id) => sql`${id}`),
          sql`, `,
        )}]::uuid[]) as id
        on conflict (account_id) do update set owner = excluded.owner, acquired_at = now()
          where ${mailboxLeases.owner} = excluded.owner or not ${ownerAlive}
        returning account_id`),
    );
    return rows.map((r) => r.account_id);
  }

  /** Leases this engine holds now: read only after a lapse, when some may have been taken over. */
  async held(): Promise<Set<string>> {
    const rows = await this.db.select({ accountId: mailboxLeases.accountId }).from(mailboxLeases).where(eq(mailboxLeases.owner, this.owner));
    return new Set(rows.map((r) => r.accountId));
  }

  async release(accountIds: string[]): Promise<void> {
    if (!accountIds.length) return;
    await this.db.delete(mailboxLeases).where(and(inArray(mailboxLeases.accountId, accountIds), eq(mailboxLeases.owner, this.owner)));
  }

  async releaseAll(): Promise<void> {
    await this.db.delete(mailboxLeases).where(eq(mailboxLeases.owner, this.owner));
    await this.db.delete(engineNodes).where(eq(engineNodes.id, this.owner));
  }
}
