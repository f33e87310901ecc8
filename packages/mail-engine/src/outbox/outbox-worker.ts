// Longer than our usual file on purpose: claim → lease → send → record is the outbox's
// at-least-once guarantee, and keeping the whole sequence in one class keeps its invariants
// (a row is sent only under a committed lease; a result is recorded before the lease lapses)
// readable in one place. The pure parts live beside it: retry-policy, delivery-error, delivery-notes, batcher.
import { readFile } from 'node:fs/promises';
import { schema, type Logger, type Runtime, type AccountRow } from '@correio/core';
import { text, type ServerText } from '@correio/texts';
import { inArray } from 'drizzle-orm';
import { MailError } from '../errors.ts';
import { isDatabaseUnavailable } from '../pipeline/database-errors.ts';
import { outgoingConnectionOf } from '../settings/connection-settings.ts';
import { toMailError } from '../mail-error-rules.ts';
import { classifyDelivery, type DeliveryDecision } from '../smtp/delivery-error.ts';
import { endpointOfAccount, relayEndpoint, type SmtpEndpoint } from '../smtp/endpoint.ts';
import { SentFolderSaver } from '../smtp/sent-folder.ts';
import type { Destinations } from '../net/destinations.ts';
import { Housekeeping } from '../util/housekeeping.ts';
import { DEFAULT_SMTP_TRANSPORT_OPTIONS, SmtpTransports, type SentInfo, type SmtpTransportOptions } from '../smtp/transport.ts';
import type { StatusRecorder } from '../status/status-recorder.ts';
import { WakeableSleep } from '../util/wakeable-sleep.ts';
import { Batcher } from './batcher.ts';
import { claimDue, markFailed, markRetry, markSentBatch, pruneSent, renewLeases, sweepAbandonedUploads, type ClaimedRow, type SendFailure, type SentResult } from './outbox-store.ts';
import { failedNote, gaveUpText, partlyDeliveredNote, retryingNote } from './delivery-notes.ts';
import { isOutboxPayload, type OutboxPayload } from './payload.ts';
import { SendGate } from './send-gate.ts';
import { DEFAULT_RETRY_POLICY, planRetry, type RetryPolicy } from './retry-policy.ts';

const { emailAccounts } = schema;

export interface OutboxOptions {
  /** Fallback poll for due rows (another process queued them, or a retry came due). */
  pollMs: number;
  /** Rows leased per claim. */
  batchSize: number;
  /** Rows leased and being sent or recorded at once, all accounts together (their bytes are read only when their turn comes). */
  maxInFlight: number;
  /** Lease on a SENDING row; renewed every third of it while the send runs. */
  leaseMs: number;
  retry: RetryPolicy;
  smtp: SmtpTransportOptions;
  /** File a copy of each sent message in the account's IMAP Sent folder. */
  saveToSent: boolean;
  /** SENT rows are pruned after this long; uploads never attached to a reply after `abandonedUploadMs`. */
  keepSentMs: number;
  abandonedUploadMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  pollMs: 2000,
  batchSize: 100,
  maxInFlight: 300,
  leaseMs: 5 * 60_000,
  retry: DEFAULT_RETRY_POLICY,
  smtp: DEFAULT_SMTP_TRANSPORT_OPTIONS,
  saveToSent: true,
  keepSentMs: 30 * 24 * 3600_000,
  abandonedUploadMs: 24 * 3600_000,
};

/** Outbox settings as callers give them: any subset, nested ones too. */
export type OutboxSettings = Partial<Omit<OutboxOptions, 'retry' | 'smtp'>> & { retry?: Partial<RetryPolicy>; smtp?: Partial<SmtpTransportOptions> };

export function outboxOptions(settings: OutboxSettings = {}): OutboxOptions {
  return {
    ...DEFAULT_OUTBOX_OPTIONS,
    ...settings,
    retry: { ...DEFAULT_OUTBOX_OPTIONS.retry, ...settings.retry },
    smtp: { ...DEFAULT_OUTBOX_OPTIONS.smtp, ...settings.smtp },
  };
}

// The same account failing for every queued message would flood its error history: one entry per code per window.
const STATUS_FAILURE_EVERY_MS = 10_000;

/**
 * Sends the outbox. Each row is leased (state SENDING, lease owner and expiry) and committed
 * before its SMTP transaction starts, then recorded SENT (in batches), retried later, or FAILED.
 *
 * Delivery is at-least-once: a row found SENDING under an expired lease (its engine died) is sent
 * again, with the same Message-ID and bytes. The only window for a duplicate is between the
 * server's "250 OK" to DATA and the commit of SENT — the batch delay (≤ 20 ms) plus one commit,
 * unless the database is down right then (recording is retried while the lease is renewed). A
 * crash anywhere before that 250 loses nothing: the server discards an unfinished transaction and
 * the row is sent again. A graceful stop waits for sends in flight instead of abandoning them.
 */
export class OutboxWorker {
  private readonly transports: SmtpTransports;
  private readonly sentFolder: SentFolderSaver;
  private readonly gate: SendGate;
  private readonly endpoints = new Map<string, { version: string; endpoint: SmtpEndpoint | MailError }>();
  private readonly sentResults: Batcher<SentResult, void>;
  private readonly sleeper = new WakeableSleep();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastStatusFailure = new Map<string, number>();
  private periodic: Housekeeping | null = null;
  private readonly log: Logger;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private nextRetryAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly runtime: Runtime,
    private readonly status: StatusRecorder,
    private readonly owner: string,
    destinations: Destinations,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {
    this.log = runtime.logger.child({ component: 'outbox' });
    this.transports = new SmtpTransports(destinations, options.smtp);
    // A few messages per connection queued in the pool: each connection has its next one ready when one finishes.
    this.gate = new SendGate(options.smtp.maxConnections * 4);
    this.sentResults = new Batcher((results) => this.recordSent(results), { maxBatch: 500, delayMs: 20 });
    this.sentFolder = new SentFolderSaver(runtime.secrets, destinations, this.log, {
      timeoutMs: options.smtp.connectionTimeoutMs,
      ...(options.smtp.tls?.rejectUnauthorized === false ? { tls: { rejectUnauthorized: false } } : {}),
      },
      (account) => runtime.oauth.tokens.accessToken(account),
    );
  }

  private get db() {
    return this.runtime.database.db;
  }

  start(): void {
    this.stopped = false;
    this.loop = this.run();
    this.periodic = new Housekeeping(this.log, 'outbox housekeeping');
    this.periodic.every(Math.max(250, Math.floor(this.options.leaseMs / 3)), () => renewLeases(this.db, this.owner, [...this.inFlight.keys()], this.options.leaseMs));
    this.periodic.every(60_000, () => this.transports.closeIdle());
    this.periodic.every(3600_000, () => this.housekeeping());
  }

  /** Something was queued: look now instead of at the next poll. */
  wake(): void {
    this.sleeper.trigger();
  }

  async stop(graceMs = 15_000): Promise<void> {
    this.stopped = true;
    this.periodic?.stop();
    this.sleeper.trigger();
    await this.loop;
    // Sends in flight finish and are recorded; whatever cannot finish in time keeps its lease and
    // is sent again by whichever engine finds it expired (at-least-once, see above).
    const pending = Promise.all([...this.inFlight.values()]);
    await Promise.race([pending, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await Promise.race([this.sentFolder.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.transports.closeAll();
  }

  private async run(): Promise<void> {
    const { batchSize, maxInFlight, pollMs } = this.options;
    const claimAt = Math.max(1, Math.floor(Math.min(batchSize, maxInFlight) / 2));
    while (!this.stopped) {
      const room = maxInFlight - this.inFlight.size;
      // Claim in chunks (not one row per finished send), so the database sees few, larger statements.
      if (room >= claimAt || this.inFlight.size === 0) {
        let rows: ClaimedRow[] = [];
        try {
          rows = await claimDue(this.db, this.owner, Math.min(room, batchSize), this.options.leaseMs);
        } catch (err) {
          this.log.warn({ error: (err as Error).message }, 'could not read the outbox; retrying');
          await this.sleeper.sleep(pollMs);
          continue;
        }
        if (rows.length) {
          const accounts = await this.accountsOf(rows).catch((err: Error) => {
            // The rows stay leased; they come back, as interrupted sends, when the lease expires.
            this.log.warn({ error: err.message, rows: rows.length }, 'could not read the accounts of claimed outbox rows');
            return null;
          });
          if (!accounts) {
            await this.sleeper.sleep(pollMs);
            continue;
          }
          for (const row of rows) {
            const task = this.process(row, accounts.get(row.accountId) ?? null)
              .catch((err: Error) => this.log.error({ outboxId: row.id, error: err.message }, 'outbox row could not be processed'))
              .finally(() => {
                this.inFlight.delete(row.id);
                // Wake the loop only when a whole claim fits again, not after every message.
                if (this.inFlight.size === 0 || maxInFlight - this.inFlight.size === claimAt) this.sleeper.trigger();
              });
            this.inFlight.set(row.id, task);
          }
          if (rows.length === Math.min(room, batchSize)) continue;
        }
      }
      const untilRetry = this.nextRetryAt - Date.now();
      await this.sleeper.sleep(Math.max(10, Math.min(pollMs, untilRetry)));
      if (Date.now() >= this.nextRetryAt) this.nextRetryAt = Number.POSITIVE_INFINITY;
    }
  }

  private async accountsOf(rows: ClaimedRow[]): Promise<Map<string, AccountRow>> {
    const ids = [...new Set(rows.map((r) => r.accountId))];
    const accounts = await this.db.select().from(emailAccounts).where(inArray(emailAccounts.id, ids));
    return new Map(accounts.map((a) => [a.id, a]));
  }

  private async process(row: ClaimedRow, account: AccountRow | null): Promise<void> {
    if (row.interrupted) this.log.warn({ outboxId: row.id, attempts: row.attempts }, 'an engine stopped while sending this message; sending it again with the same Message-ID');
    if (!isOutboxPayload(row.payload)) {
      await this.fail(row, null, classifyDelivery(new MailError('UNKNOWN', 'SEND', { text: text('delivery.unreadablePayload'), transient: false })));
      return;
    }
    const payload = row.payload;
    if (!account) {
      await this.fail(row, payload, classifyDelivery(new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('delivery.accountGone') })));
      return;
    }
    let info: SentInfo;
    let raw: Buffer;
    try {
      const sent = await this.gate.run(account.id, async () => {
        const bytes = await this.rawOf(payload);
        const send = async (force: boolean) => {
          const endpoint = account.oauthProvider ? await this.oauthEndpointOf(account, force) : this.endpointOf(account);
          if (endpoint instanceof MailError) throw endpoint;
          return this.transports.send(account.id, endpoint, { raw: bytes, envelope: payload.envelope });
        };
        try {
          return { bytes, info: await send(false) };
        } catch (err) {
          // A token the server refused before its expiry (revoked, password changed): one fresh
          // token decides whether the grant still works or the mailbox must be reconnected.
          if (!account.oauthProvider || classifyDelivery(err).error.code !== 'AUTH_FAILED') throw err;
          return { bytes, info: await send(true) };
        }
      });
      raw = sent.bytes;
      info = sent.info;
    } catch (err) {
      const decision = classifyDelivery(err);
      await this.reportStatus(account, decision);
      if (decision.retry) await this.retry(row, payload, decision);
      else await this.fail(row, payload, decision);
      return;
    }
    await this.record(row, () => this.sentResults.add({ row, response: info.response, note: partlyDeliveredNote(info.rejected) }));
    this.runtime.metrics.sends.inc({ result: 'sent' });
    await this.status.success(account, 'OUTGOING').catch(() => undefined);
    if (this.options.saveToSent) this.sentFolder.save(account, raw);
  }

  /**
   * Successes are committed in batches: one transaction per batch rather than per message is what
   * lets the outbox keep up with the SMTP pool. It widens the duplicate window (see the class
   * comment) by the batch delay.
   */
  private async recordSent(results: SentResult[]): Promise<void[]> {
    const changed = await markSentBatch(this.db, results);
    this.log.debug({ messages: results.length }, 'sent messages recorded');
    const seen = new Set<string>();
    for (const c of changed) {
      if (seen.has(c.ticketId)) continue;
      seen.add(c.ticketId);
      this.runtime.events.pubsub.publish('ticketChanged', c.workspaceId, { ticketId: c.ticketId, change: 'DELIVERY_CHANGED' });
    }
    return results.map(() => undefined);
  }

  private async rawOf(payload: OutboxPayload): Promise<Buffer> {
    if (payload.raw) return Buffer.from(payload.raw, 'base64');
    try {
      // One read call: faster than the blob store's stream for messages of a few kilobytes.
      return await readFile(this.runtime.blobs.pathOf(payload.rawBlobKey));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new MailError('UNKNOWN', 'SEND', { text: text('delivery.messageMissing'), transient: false, cause: err });
    }
  }

  /**
   * Built-in accounts send through SMTP_RELAY_URL; external ones through their own server.
   * Cached per version of the account row: credentials are unsealed once, not per message.
   */
  private endpointOf(account: AccountRow): SmtpEndpoint | MailError {
    const version = `${account.updatedAt.getTime()}|${account.active}`;
    const cached = this.endpoints.get(account.id);
    if (cached?.version === version) return cached.endpoint;
    const endpoint = this.resolveEndpoint(account);
    this.endpoints.set(account.id, { version, endpoint });
    return endpoint;
  }

  /** OAuth accounts: never cached, the token changes every hour (the pool follows it). */
  private async oauthEndpointOf(account: AccountRow, force: boolean): Promise<SmtpEndpoint | MailError> {
    if (!account.active) return this.resolveEndpoint(account);
    let token: string;
    try {
      token = await this.runtime.oauth.tokens.accessToken(account, { force });
    } catch (err) {
      return toMailError(err, 'OAUTH');
    }
    const connection = outgoingConnectionOf(account, this.runtime.secrets, token);
    if (!connection) return noOutgoingServer();
    return endpointOfAccount(connection);
  }

  private resolveEndpoint(account: AccountRow): SmtpEndpoint | MailError {
    if (!account.active) return new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('delivery.accountInactive'), hintText: text('delivery.accountInactive.hint') });
    if (account.kind === 'BUILTIN') return relayEndpoint(this.runtime.config.smtpRelayUrl);
    const connection = outgoingConnectionOf(account, this.runtime.secrets);
    if (!connection) return noOutgoingServer();
    return endpointOfAccount(connection);
  }

  private async retry(row: ClaimedRow, payload: OutboxPayload, decision: DeliveryDecision): Promise<void> {
    const plan = planRetry(this.options.retry, row.attempts, row.firstAttemptAt, new Date());
    if (plan.kind !== 'GIVE_UP') this.runtime.metrics.sends.inc({ result: 'deferred' });
    if (plan.kind === 'GIVE_UP') {
      await this.fail(row, payload, decision, gaveUpText(decision.summaryText, plan.attempts, plan.overMs));
      return;
    }
    this.nextRetryAt = Math.min(this.nextRetryAt, plan.at.getTime());
    const note = retryingNote(payload, decision.summaryText, row.attempts, plan.at.getTime() - Date.now());
    const changed = await this.record(row, () => markRetry(this.db, row, this.owner, plan.at, sendFailure(decision, note)));
    this.publish(row, changed);
    this.log.info({ outboxId: row.id, workspaceId: row.workspaceId, accountId: row.accountId, code: decision.error.code, attempts: row.attempts }, 'message deferred; will retry');
  }

  /** `failure`: what the note reports, by default the decision's summary. */
  private async fail(row: ClaimedRow, payload: OutboxPayload | null, decision: DeliveryDecision, failure: ServerText = decision.summaryText): Promise<void> {
    this.runtime.metrics.sends.inc({ result: 'failed' });
    const changed = await this.record(row, () => markFailed(this.db, row, this.owner, sendFailure(decision, failedNote(payload, failure))));
    this.publish(row, changed);
    this.log.warn({ outboxId: row.id, workspaceId: row.workspaceId, accountId: row.accountId, code: decision.error.code }, 'message not sent; gave up');
  }

  /**
   * Results are recorded until the database takes them: a SENT that is never written would be
   * sent again once the lease expires. The lease keeps being renewed meanwhile (the row is in flight).
   */
  private async record<T>(row: ClaimedRow, write: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (!isDatabaseUnavailable(err) || attempt >= 8 || this.stopped) {
          this.log.error({ outboxId: row.id, error: (err as Error).message }, 'could not record the outcome of a send');
          return null;
        }
        await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt)));
      }
    }
  }

  private async reportStatus(account: AccountRow, decision: DeliveryDecision): Promise<void> {
    // A refused recipient or message says nothing about the account's health.
    if (decision.scope !== 'ACCOUNT') return this.status.success(account, 'OUTGOING').catch(() => undefined);
    const key = `${account.id}:${decision.error.code}`;
    const last = this.lastStatusFailure.get(key) ?? 0;
    if (Date.now() - last < STATUS_FAILURE_EVERY_MS) return;
    this.lastStatusFailure.set(key, Date.now());
    await this.status.failure(account, 'OUTGOING', decision.error).catch((err: Error) => this.log.warn({ error: err.message }, 'could not record the outgoing status'));
  }

  private publish(row: ClaimedRow, changed: { ticketId: string } | null): void {
    if (changed) this.runtime.events.pubsub.publish('ticketChanged', row.workspaceId, { ticketId: changed.ticketId, change: 'DELIVERY_CHANGED' });
  }

  private async housekeeping(): Promise<void> {
    await pruneSent(this.db, this.options.keepSentMs);
    const blobKeys = await sweepAbandonedUploads(this.db, this.options.abandonedUploadMs);
    for (const key of blobKeys) await this.runtime.blobs.delete(key).catch(() => undefined);
  }
}

function sendFailure(decision: DeliveryDecision, note: ServerText): SendFailure {
  return { code: decision.error.code, error: decision.error.text, response: decision.error.serverResponse, note };
}

function noOutgoingServer(): MailError {
  return new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('delivery.noOutgoingServer'), hintText: text('delivery.noOutgoingServer.hint') });
}
