import { schema, type Runtime } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';
import { and, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { MailError } from '../errors.ts';
import { afterError, afterSuccess, classifyStatus, EMPTY_MEMORY, INTERMITTENT_WINDOW_MS, stateSince, type DirectionMemory } from './status-model.ts';
import { isDirectionDisabled, type AccountSwitches, type Direction } from './status-view.ts';

const { accountStatuses, connectionErrors, emailAccounts } = schema;

export type StatusAccount = AccountSwitches & { id: string; workspaceId: string };
export type StoredCheck = schema.StoredCheck;

export interface RecordOptions {
  /** A check (or the first success of a connection) rather than ongoing live traffic: always written and published. */
  fromCheck?: boolean;
  /** The check's phases, shown with the status. */
  check?: StoredCheck;
}

const HISTORY_PER_ACCOUNT = 50;
const CHECKING = text('status.checking');
// Live traffic succeeds constantly; its successes are written at most this often unless the state changes.
const SUCCESS_WRITE_INTERVAL_MS = 30_000;

/**
 * Feeds checks' and live traffic's results into the status model (A10) and the error history
 * (A9), and tells subscribers whenever an account's status changes.
 */
export class StatusRecorder {
  private readonly lastSuccessWrite = new Map<string, number>();
  private readonly pendingAlive = new Map<string, { account: StatusAccount; direction: Direction }>();

  constructor(
    private readonly runtime: Runtime,
    private readonly windowMs = INTERMITTENT_WINDOW_MS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  async checking(account: StatusAccount, direction: Direction): Promise<void> {
    const at = this.now();
    await this.update(account, direction, (m) => ({ ...m, checkingSince: at }), { message: CHECKING }, true);
  }

  /**
   * Puts every given direction into CHECKING with one statement, then tells subscribers (unless
   * `publish: false`: the caller of a whole-workspace refresh gets CHECKING in its answer, and
   * hundreds of CHECKING events would only delay the results behind them).
   */
  async checkingMany(targets: Array<{ account: StatusAccount; directions: Direction[] }>, options: { publish?: boolean } = {}): Promise<void> {
    const at = this.now();
    const checking = { message: renderText(CHECKING, 'en'), messageText: CHECKING };
    const rows = targets.flatMap(({ account, directions }) => directions.map((direction) => ({ accountId: account.id, direction, state: 'CHECKING' as const, checkingSince: at, since: at, ...checking, updatedAt: at })));
    if (!rows.length) return;
    await this.db
      .insert(accountStatuses)
      .values(rows)
      .onConflictDoUpdate({
        target: [accountStatuses.accountId, accountStatuses.direction],
        // `since` tells how long the account has been in its real state; a check does not reset it.
        set: { state: 'CHECKING', checkingSince: at, ...checking, updatedAt: at, since: sql`coalesce(${accountStatuses.since}, excluded.since)` },
      });
    if (options.publish === false) return;
    for (const { account, directions } of targets) if (directions.length) this.publish(account.workspaceId, account.id);
  }

  async success(account: StatusAccount, direction: Direction, options: RecordOptions = {}): Promise<void> {
    const key = `${account.id}:${direction}`;
    const at = this.now();
    const last = this.lastSuccessWrite.get(key) ?? 0;
    if (!options.fromCheck && at.getTime() - last < SUCCESS_WRITE_INTERVAL_MS) return;
    this.lastSuccessWrite.set(key, at.getTime());
    await this.update(account, direction, (m) => afterSuccess(m, at), { message: null, checkedAt: at, aliveAt: at, check: options.check }, options.fromCheck ?? false);
  }

  async failure(account: StatusAccount, direction: Direction, error: MailError, options: RecordOptions = {}): Promise<void> {
    const at = this.now();
    this.lastSuccessWrite.delete(`${account.id}:${direction}`);
    await this.db.insert(connectionErrors).values({
      accountId: account.id,
      at,
      direction,
      phase: error.phase,
      code: error.code,
      message: error.message.slice(0, 2000),
      messageText: error.text,
      serverResponse: error.serverResponse,
      transient: error.transient,
      hint: error.hint,
      hintText: error.hintText,
    });
    await this.trimHistory(account.id);
    await this.update(
      account,
      direction,
      (m) => afterError(m, at, error.transient),
      { message: error.text, checkedAt: at, errorCode: error.code, errorHint: error.hintText, check: options.check },
      options.fromCheck ?? true,
    );
  }

  /**
   * A keep-alive (IDLE renewal, NOOP, a sync) proved the connection alive. Remembered, and
   * written for every such mailbox at once by `flushAlive`: an idle mailbox costs no statement
   * of its own (issue 17).
   */
  alive(account: StatusAccount, direction: Direction): void {
    this.pendingAlive.set(`${account.id}:${direction}`, { account, direction });
  }

  /**
   * One UPDATE per direction for every mailbox proved alive since the last flush whose status is
   * plainly OK; the few that are not (a check failed while the connection kept working, a recent
   * recovery) go through the status model one by one.
   */
  async flushAlive(): Promise<void> {
    if (!this.pendingAlive.size) return;
    const batch = [...this.pendingAlive.values()];
    this.pendingAlive.clear();
    const at = this.now();
    for (const direction of ['INCOMING', 'OUTGOING'] as const) {
      const targets = new Map(batch.filter((b) => b.direction === direction).map((b) => [b.account.id, b.account]));
      if (!targets.size) continue;
      const updated = await this.db
        .update(accountStatuses)
        .set({ lastAliveAt: at, lastSuccessAt: at, checkedAt: at, updatedAt: at })
        .where(and(eq(accountStatuses.direction, direction), inArray(accountStatuses.accountId, [...targets.keys()]), eq(accountStatuses.state, 'OK'), isNull(accountStatuses.failingSince)))
        .returning({ accountId: accountStatuses.accountId });
      for (const { accountId } of updated) targets.delete(accountId);
      for (const account of targets.values()) await this.success(account, direction);
    }
  }

  /**
   * Re-evaluates time-based changes (INTERMITTENT → ERROR after the window, INTERMITTENT → OK
   * after a recovery window) and publishes those that happened without any new event.
   */
  async reevaluate(accountIds?: string[]): Promise<void> {
    const rows = await this.db
      .select({ status: accountStatuses, account: emailAccounts })
      .from(accountStatuses)
      .innerJoin(emailAccounts, eq(emailAccounts.id, accountStatuses.accountId))
      // Only these states change with time alone; a partial index holds them (issue 17).
      .where(and(sql`${accountStatuses.state} in ('INTERMITTENT', 'CHECKING')`, accountIds ? inArray(accountStatuses.accountId, accountIds) : undefined));
    for (const { status, account } of rows) {
      const now = this.now();
      const state = classifyStatus(status, now, { disabled: isDirectionDisabled(account, status.direction), windowMs: this.windowMs });
      if (state === status.state) continue;
      await this.db
        .update(accountStatuses)
        .set({ state, since: stateSince(status, state, now, { state: status.state, since: status.since }, this.windowMs), updatedAt: now })
        .where(and(eq(accountStatuses.accountId, status.accountId), eq(accountStatuses.direction, status.direction)));
      this.publish(account.workspaceId, account.id);
    }
  }

  private async update(
    account: StatusAccount,
    direction: Direction,
    next: (m: DirectionMemory) => DirectionMemory,
    extra: { message?: ServerText | null; checkedAt?: Date; aliveAt?: Date; errorCode?: string; errorHint?: ServerText; check?: StoredCheck | undefined },
    alwaysPublish: boolean,
  ): Promise<void> {
    const at = this.now();
    const changed = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(accountStatuses)
        .where(and(eq(accountStatuses.accountId, account.id), eq(accountStatuses.direction, direction)))
        .for('update');
      const memory = next(row ?? EMPTY_MEMORY);
      const options = { disabled: isDirectionDisabled(account, direction), windowMs: this.windowMs };
      const state = classifyStatus(memory, at, options);
      // `since` follows the underlying state: OK → CHECKING → OK keeps "OK since Monday".
      const underlying = classifyStatus({ ...memory, checkingSince: null }, at, options);
      const before = !row ? null : classifyStatus({ ...row, checkingSince: null }, at, options);
      const values = {
        ...memory,
        state,
        since: stateSince(memory, underlying, at, before ? { state: before, since: row!.since } : null, this.windowMs),
        updatedAt: at,
        // The English columns stay written beside the texts: logs, SQL and rows read by older versions.
        ...(extra.message !== undefined ? { message: extra.message && renderText(extra.message, 'en').slice(0, 2000), messageText: extra.message } : {}),
        ...(extra.checkedAt ? { checkedAt: extra.checkedAt } : {}),
        ...(extra.aliveAt ? { lastAliveAt: extra.aliveAt } : {}),
        ...(extra.errorCode ? { lastErrorAt: at, lastErrorCode: extra.errorCode, lastErrorHint: extra.errorHint ? renderText(extra.errorHint, 'en') : null, lastErrorHintText: extra.errorHint ?? null } : {}),
        ...(extra.check ? { lastCheck: extra.check } : {}),
      };
      if (row) await tx.update(accountStatuses).set(values).where(and(eq(accountStatuses.accountId, account.id), eq(accountStatuses.direction, direction)));
      else await tx.insert(accountStatuses).values({ accountId: account.id, direction, ...values }).onConflictDoNothing();
      return !row || row.state !== state;
    });
    if (changed || alwaysPublish) this.publish(account.workspaceId, account.id);
  }

  private async trimHistory(accountId: string): Promise<void> {
    const keep = this.db
      .select({ id: connectionErrors.id })
      .from(connectionErrors)
      .where(eq(connectionErrors.accountId, accountId))
      .orderBy(desc(connectionErrors.at))
      .limit(HISTORY_PER_ACCOUNT);
    await this.db.delete(connectionErrors).where(and(eq(connectionErrors.accountId, accountId), notInArray(connectionErrors.id, keep)));
  }

  private publish(workspaceId: string, accountId: string): void {
    this.runtime.events.pubsub.publish('accountStatusChanged', workspaceId, { accountId });
  }
}
