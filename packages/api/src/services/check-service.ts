import { randomUUID } from 'node:crypto';
import { accountSecretContext, rowsOf, schema, type AccountRow, type AccountSecretField, type SecretBindingColumns, type Runtime } from '@correio/core';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { AccountChecker, detectProvider, StatusRecorder, type CheckableAccount, type MailEngine, type ProviderDetection } from '@correio/mail-engine';
import { text } from '@correio/texts';
import type { Viewer } from '../auth/tokens.ts';
import { accountInputSchema, connectionColumns, type AccountInput } from './account-input.ts';
import type { AccountService } from './account-service.ts';
import { statusOfReports, type AccountStatusView, type StatusService } from './status-service.ts';
import { parseInput } from './validation.ts';

const { workspaces, mailboxLeases, engineNodes, emailAccounts, accountStatuses } = schema;
/** A refresh that never reported its end (its process died) stops blocking the next one after this. */
const REFRESH_BOUND_S = 120;

/**
 * Runs checks for the API (A8–A10): "Test" of a saved account, "Save and test" of unsaved
 * settings, and the re-test of every account when the accounts screen opens. Results of saved
 * accounts go through the StatusRecorder, so they reach every subscriber (through Redis when
 * there are several API processes) and merge with what the live importer and sender report.
 */
export class CheckService {
  readonly checker: AccountChecker;

  constructor(
    private readonly runtime: Runtime,
    engine: MailEngine | null,
    private readonly accounts: AccountService,
    private readonly status: StatusService,
  ) {
    // The engine's recorder when this process has one: one writer, one throttle for live successes.
    const recorder = engine?.status ?? new StatusRecorder(runtime, runtime.config.engine.statusWindowMs);
    this.checker = new AccountChecker(runtime, recorder, {
      inboundReceiver: () => {
        const { config } = runtime;
        if (engine && engine.inboundSmtpPort === null) return { ok: false, text: text('mail.NOT_CONFIGURED.noReceiver') };
        const port = engine?.inboundSmtpPort ?? config.inboundSmtpPort;
        return { ok: true, text: text('check.config.receiver', { port, domain: config.inboundDomain }) };
      },
    });
  }

  /** "Test" (A9): checks now, records, and returns the fresh status with each phase's result. */
  async testAccount(viewer: Viewer, id: string): Promise<AccountStatusView> {
    const account = await this.accounts.require(viewer, id);
    await this.checker.check(account);
    return this.status.statusOf(account);
  }

  /**
   * "Save and test" (A8): checks settings that are not saved. With `accountId`, omitted passwords
   * are the stored ones, exactly as an update would keep them. Nothing is recorded.
   */
  async testSettings(viewer: Viewer, rawInput: unknown, accountId: string | null): Promise<AccountStatusView> {
    const input = parseInput(accountInputSchema, rawInput, 'input');
    const existing = accountId ? await this.accounts.require(viewer, accountId) : null;
    const report = await this.checker.checkSettings(this.checkableOf(input, existing));
    return statusOfReports(report.incoming, report.outgoing);
  }

  /**
   * What the accounts screen calls when it opens (A10): every account goes CHECKING at once and
   * the call returns; each result is published through `accountStatusChanged` as it arrives.
   */
  async refresh(viewer: Viewer): Promise<AccountRow[]> {
    const accounts = await this.accounts.list(viewer);
    const db = this.runtime.database.db;
    // One refresh per workspace at a time, across every API process: a second call while one
    // runs answers with the statuses as they are (those being checked show CHECKING). Once it
    // is over, the next click re-tests at once: that is what an admin who just fixed a server expects.
    const started = await db
      .update(workspaces)
      .set({ statusRefreshUntil: sql`now() + make_interval(secs => ${REFRESH_BOUND_S})` })
      .where(and(eq(workspaces.id, viewer.workspaceId), or(isNull(workspaces.statusRefreshUntil), lt(workspaces.statusRefreshUntil, sql`now()`))))
      .returning({ id: workspaces.id });
    if (!started.length) return accounts;
    // IMAP mailboxes that an alive engine holds and that are working (their connection is up)
    // are checked through that connection by the engine (NOOP), not by a second login from
    // here; the rest — failing, never connected, POP3 — get a login check as before.
    const live = rowsOf<{ account_id: string }>(
      await db.execute(sql`
        select l.account_id from ${mailboxLeases} l
        join ${engineNodes} n on n.id = l.owner and n.expires_at > now()
        join ${emailAccounts} a on a.id = l.account_id
        join ${accountStatuses} s on s.account_id = l.account_id and s.direction = 'INCOMING' and s.state = 'OK'
        where a.workspace_id = ${viewer.workspaceId} and a.incoming_protocol = 'IMAP'`),
    );
    const { done } = await this.checker.refresh(accounts, { liveIncoming: new Set(live.map((r) => r.account_id)) });
    if (live.length) await db.execute(sql`select pg_notify('correio_engine', ${`check:${viewer.workspaceId}`})`);
    void done
      .catch((err: Error) => this.runtime.logger.warn({ workspaceId: viewer.workspaceId, err: { message: err.message } }, 'account status refresh failed'))
      .then(() =>
        db
          .update(workspaces)
          .set({ statusRefreshUntil: null })
          .where(eq(workspaces.id, viewer.workspaceId)),
      )
      .catch(() => undefined);
    return accounts;
  }

  detectProvider(address: string): Promise<ProviderDetection> {
    return detectProvider(address, this.checker.resolver);
  }

  /** Unsaved input shaped like a stored account; passwords are sealed for a moment so one code path opens them. */
  private checkableOf(input: AccountInput, existing: AccountRow | null): CheckableAccount {
    const id = existing?.id ?? randomUUID();
    const seal = (value: string, field: AccountSecretField, columns: SecretBindingColumns) => this.runtime.secrets.seal(value, accountSecretContext(id, field, columns));
    const external = input.kind === 'EXTERNAL';
    const i = external ? input.incoming : null;
    const o = external ? input.outgoing : null;
    return {
      id,
      kind: input.kind,
      active: true,
      address: input.address,
      oauthProvider: existing?.oauthProvider ?? null,
      providerId: external ? (input.providerId ?? null) : null,
      incomingEnabled: external ? (i?.enabled ?? false) : (input.incoming?.enabled ?? true),
      ...connectionColumns(i, o, seal, existing),
    };
  }
}
