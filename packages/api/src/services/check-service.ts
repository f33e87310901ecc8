import { randomUUID } from 'node:crypto';
import { accountSecretContext, type AccountRow, type AccountSecretField, type SecretBindingColumns, type Runtime } from '@correio/core';
import { AccountChecker, detectProvider, StatusRecorder, type CheckableAccount, type MailEngine, type ProviderDetection } from '@correio/mail-engine';
import { text } from '@correio/texts';
import type { Viewer } from '../auth/tokens.ts';
import { accountInputSchema, connectionColumns, type AccountInput } from './account-input.ts';
import type { AccountService } from './account-service.ts';
import { statusOfReports, type AccountStatusView, type StatusService } from './status-service.ts';
import { parseInput } from './validation.ts';

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
    const { done } = await this.checker.refresh(accounts);
    done.catch((err: Error) => this.runtime.logger.warn({ workspaceId: viewer.workspaceId, err: { message: err.message } }, 'account status refresh failed'));
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
