import { schema, type Runtime } from '@correio/core';
import { desc, eq, inArray } from 'drizzle-orm';
import type { AccountRow } from './account-service.ts';

const { accountStatuses, connectionErrors } = schema;

export type ConnectionState = (typeof accountStatuses.$inferSelect)['state'];
export type ConnectionErrorRow = typeof connectionErrors.$inferSelect;

export interface ConnectionStatusView {
  state: ConnectionState;
  checkedAt: Date | null;
  since: Date | null;
  message: string | null;
  code: string | null;
  hint: string | null;
}

export interface AccountStatusView {
  incoming: ConnectionStatusView;
  outgoing: ConnectionStatusView;
  overall: ConnectionState;
}

const SEVERITY: Record<ConnectionState, number> = { DISABLED: 0, OK: 1, UNKNOWN: 2, CHECKING: 3, INTERMITTENT: 4, ERROR: 5 };

export function overallState(a: ConnectionState, b: ConnectionState): ConnectionState {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export class StatusService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  async statusOf(account: AccountRow): Promise<AccountStatusView> {
    const rows = await this.db.select().from(accountStatuses).where(eq(accountStatuses.accountId, account.id));
    const view = (direction: 'INCOMING' | 'OUTGOING'): ConnectionStatusView => {
      const row = rows.find((r) => r.direction === direction);
      return {
        state: row?.state ?? 'UNKNOWN',
        checkedAt: row?.checkedAt ?? null,
        since: row?.since ?? null,
        message: row?.message ?? null,
        code: null,
        hint: null,
      };
    };
    const incoming = view('INCOMING');
    const outgoing = view('OUTGOING');
    return { incoming, outgoing, overall: overallState(incoming.state, outgoing.state) };
  }

  lastErrors(accountId: string, first: number): Promise<ConnectionErrorRow[]> {
    return this.db
      .select()
      .from(connectionErrors)
      .where(eq(connectionErrors.accountId, accountId))
      .orderBy(desc(connectionErrors.at))
      .limit(Math.min(Math.max(first, 1), 50));
  }

  async statusesOf(accountIds: string[]) {
    if (!accountIds.length) return [];
    return this.db.select().from(accountStatuses).where(inArray(accountStatuses.accountId, accountIds));
  }
}
