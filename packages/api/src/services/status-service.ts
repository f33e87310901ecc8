import { schema, type Runtime } from '@correio/core';
import { afterError, classifyStatus, directionStatus, EMPTY_MEMORY, type Direction, type DirectionReport, type DirectionStatus, type StoredCheck } from '@correio/mail-engine';
import DataLoader from 'dataloader';
import { desc, eq, inArray } from 'drizzle-orm';
import type { AccountRow } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';

const { accountStatuses, connectionErrors } = schema;

export type ConnectionState = (typeof accountStatuses.$inferSelect)['state'];
export type ConnectionErrorRow = typeof connectionErrors.$inferSelect;
type StatusRow = typeof accountStatuses.$inferSelect;

export interface CheckPhaseView {
  phase: string;
  ok: boolean;
  ms: number;
  detail: string;
  code: string | null;
  serverResponse: string | null;
  transient: boolean | null;
  hint: string | null;
  /** `detail` and `hint` as text codes (issue 14); null in checks stored before texts had codes. */
  detailText: ServerText | null;
  hintText: ServerText | null;
}

export interface ConnectionStatusView extends DirectionStatus {
  /** Phases of the last check of this direction (empty before the first check). */
  checks: CheckPhaseView[];
  lastCheckAt: Date | null;
}

export interface AccountStatusView {
  incoming: ConnectionStatusView;
  outgoing: ConnectionStatusView;
  overall: ConnectionState;
}

const SEVERITY: Record<ConnectionState, number> = { DISABLED: 0, OK: 1, NOT_CONFIGURED: 2, UNKNOWN: 3, CHECKING: 4, INTERMITTENT: 5, ERROR: 6 };

export function overallState(a: ConnectionState, b: ConnectionState): ConnectionState {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

/**
 * Reads statuses for the API. The state is computed at read time from the stored memory and the
 * clock (`directionStatus`), so INTERMITTENT turns into ERROR after 30 minutes even when no event
 * happened — the screen never shows a stale state as current (A10).
 */
export class StatusService {
  // Batches the status rows of every account resolved in the same tick (a list of 200 accounts
  // costs one query); no cache, so a later read always sees the latest row.
  private readonly rows = new DataLoader<string, StatusRow[]>(
    async (ids) => {
      const found = await this.db.select().from(accountStatuses).where(inArray(accountStatuses.accountId, [...ids]));
      return ids.map((id) => found.filter((r) => r.accountId === id));
    },
    { cache: false },
  );

  constructor(
    private readonly runtime: Runtime,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  async statusOf(account: AccountRow): Promise<AccountStatusView> {
    const rows = await this.rows.load(account.id);
    const now = this.now();
    const view = (direction: Direction): ConnectionStatusView => {
      const row = rows.find((r) => r.direction === direction);
      const shown = directionStatus(account, direction, row, now, this.runtime.config.engine.statusWindowMs);
      return { ...shown, checks: (row?.lastCheck?.phases ?? []).map(phaseView), lastCheckAt: row?.lastCheck ? new Date(row.lastCheck.at) : null };
    };
    const incoming = view('INCOMING');
    const outgoing = account.kind === 'BUILTIN' && account.active && !this.runtime.config.smtpRelayUrl ? relayNotConfigured(view('OUTGOING')) : view('OUTGOING');
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
}

/**
 * A built-in address on a server without SMTP_RELAY_URL: its replies cannot leave until the
 * operator sets it. That is said as what it is — not configured, and what to set — not as a red
 * ERROR of a mailbox that nobody can fix from the accounts screen (issue 14).
 */
function relayNotConfigured(stored: ConnectionStatusView): ConnectionStatusView {
  return { ...stored, state: 'NOT_CONFIGURED', code: 'RELAY_NOT_CONFIGURED', ...explained(RELAY_NOT_SET, RELAY_HINT) };
}

const RELAY_NOT_SET = text('mail.RELAY_NOT_CONFIGURED.notSet');
const RELAY_HINT = text('mail.RELAY_NOT_CONFIGURED.hint');

/** A view's words as texts, with their English beside them as stored rows have it (the API words the texts per request). */
function explained(message: ServerText | null, hint: ServerText | null): Pick<ConnectionStatusView, 'message' | 'messageText' | 'hint' | 'hintText'> {
  return { message: message && renderText(message, 'en'), messageText: message, hint: hint && renderText(hint, 'en'), hintText: hint };
}

/** The status a check of unsaved settings would give (A8): nothing is stored, so it is computed from the report alone. */
export function statusOfReports(incoming: DirectionReport, outgoing: DirectionReport, now = new Date()): AccountStatusView {
  const a = reportView(incoming, now);
  const b = reportView(outgoing, now);
  return { incoming: a, outgoing: b, overall: overallState(a.state, b.state) };
}

function reportView(report: DirectionReport, now: Date): ConnectionStatusView {
  const checks = report.phases.map(phaseView);
  const base = { checkedAt: now, since: now, checks, lastCheckAt: report.startedAt };
  if (report.ok === null) {
    const why = report.direction === 'INCOMING' ? text('status.receivingNotConfiguredOrOff') : text('status.sendingNotConfigured');
    return { ...base, state: 'DISABLED', checkedAt: null, since: null, code: null, lastCheckAt: null, ...explained(why, null) };
  }
  if (report.ok || !report.error) return { ...base, state: 'OK', code: null, ...explained(null, null) };
  const state = classifyStatus(afterError(EMPTY_MEMORY, now, report.error.transient), now, { disabled: false });
  return { ...base, state, code: report.error.code, ...explained(report.error.text, report.error.hintText) };
}

function phaseView(p: StoredCheck['phases'][number]): CheckPhaseView {
  return {
    phase: p.phase,
    ok: p.ok,
    ms: p.ms,
    detail: p.detail,
    code: p.error?.code ?? null,
    serverResponse: p.error?.serverResponse ?? null,
    transient: p.error ? p.error.transient : null,
    hint: p.error?.hint ?? null,
    detailText: p.detailText ?? null,
    hintText: p.error?.hintText ?? null,
  };
}
