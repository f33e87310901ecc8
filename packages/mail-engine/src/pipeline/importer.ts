import { schema, type AccountRow, type Queryable, type Runtime } from '@correio/core';
import { sql } from 'drizzle-orm';
import type { ServerText } from '@correio/texts';
import { acknowledgeTicket } from './acknowledge.ts';
import { isDatabaseUnavailable } from './database-errors.ts';
import { storeFailureTextOf } from './import-failure.ts';
import { ingestBatch, type IngestOutcome, type InboundMessage, type TicketEvent } from './ingest.ts';
import { findProvider } from '@correio/mail-settings';
import { PrepareError, PreparePool, type RawInput } from './prepare-pool.ts';
import type { ArrivalFacts } from './sender-auth/verify-sender.ts';
import { SenderRateLimiter } from './sender-rate-limit.ts';

const { failedImports } = schema;

export interface ImportItem {
  /** Idempotency key within the account (see ingest.ts). */
  sourceKey: string;
  /** The raw message, or the key of a blob that already holds it (retries, the SMTP receiver). */
  raw: RawInput;
  receivedAt: Date | null;
  historical: boolean;
  /** Correio's receiver knows the SMTP session; mailbox imports leave it out. */
  arrival?: ArrivalFacts;
  /** A held message an admin released (W9): imported despite its failed DMARC. */
  released?: boolean;
}

/** FAILED: `error` is `text` in English, for logs and API clients without a catalogue. */
export type ImportResult = IngestOutcome | { kind: 'FAILED'; error: string; text: ServerText };

/**
 * Imports messages of one account: raw bytes kept first, then parsed on worker threads, then
 * ingested in one transaction together with the mailbox's sync position (`advance`).
 *
 * A message that cannot be parsed or stored is kept raw in failed_imports and the sync moves
 * past it (W7): when a batch's transaction fails, its messages are retried one by one so only
 * the bad one ends there. A database outage is thrown to the caller instead, which keeps its
 * position and retries the same messages later.
 */
export class Importer {
  private readonly limiter = new SenderRateLimiter();
  private readonly pool: PreparePool;

  /**
   * `parseWorkers`: the most parser threads a backlog may start (0: always this thread — an API
   * process only retries the odd failed import); `parseWorkerIdleMs`: when idle ones stop.
   */
  constructor(
    private readonly runtime: Runtime,
    options: { parseWorkers?: number; parseWorkerIdleMs?: number } = {},
  ) {
    this.pool = new PreparePool(
      runtime.blobs,
      runtime.logger,
      { ...(options.parseWorkers !== undefined ? { maxWorkers: options.parseWorkers } : {}), ...(options.parseWorkerIdleMs !== undefined ? { idleMs: options.parseWorkerIdleMs } : {}) },
      { enabled: runtime.config.senderVerification, dnsServers: runtime.config.dnsServers },
    );
  }

  /** Parser threads running now (they start under a backlog and stop when idle). */
  get parseWorkers(): number {
    return this.pool.workerCount;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async import(account: AccountRow, item: ImportItem, advance?: (tx: Queryable) => Promise<void>): Promise<ImportResult> {
    return (await this.importBatch(account, [item], advance))[0]!;
  }

  /** `advance` runs in the transaction that commits the whole batch. */
  async importBatch(account: AccountRow, items: ImportItem[], advance?: (tx: Queryable) => Promise<void>): Promise<ImportResult[]> {
    return this.commitBatch(account, await this.prepareBatch(account, items), advance);
  }

  /**
   * The first half of an import, with no database: raw bytes stored, messages parsed on the
   * worker threads. Callers start it for the next batch while the previous one commits.
   */
  async prepareBatch(account: AccountRow, items: ImportItem[]): Promise<PreparedBatch> {
    // Mail fetched from a mailbox was received by its provider: trust that server's verdict header.
    const trustedAuthservId = account.trustedAuthservId ?? findProvider(account.providerId)?.authservId ?? null;
    const results = await this.pool.prepareMany(items.map((i) => ({ raw: i.raw, arrival: i.arrival ?? { trustedAuthservId } })));
    return results.map((r, i) => (r instanceof PrepareError ? { item: items[i]!, failure: r } : { item: items[i]!, prepared: r }));
  }

  /** The second half: one transaction for the batch and its sync position, publishing after commit. */
  async commitBatch(account: AccountRow, prepared: PreparedBatch, advance?: (tx: Queryable) => Promise<void>): Promise<ImportResult[]> {
    const items = prepared.map((p) => p.item);
    try {
      return await this.commit(account, prepared, advance);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      if (items.length > 1) this.runtime.logger.warn({ workspaceId: account.workspaceId, accountId: account.id, batch: items.length }, 'batch import failed; importing its messages one by one');
      const results: ImportResult[] = [];
      for (const entry of prepared) results.push(...(await this.commitOne(account, entry)));
      await this.runtime.database.db.transaction(async (tx) => advance?.(tx));
      return results;
    }
  }

  private async commitOne(account: AccountRow, entry: Prepared): Promise<ImportResult[]> {
    try {
      return await this.commit(account, [entry]);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      const failure = new PrepareError(storeFailureTextOf(err), 'prepared' in entry ? entry.prepared.rawBlobKey : entry.failure.rawBlobKey, 'prepared' in entry ? entry.prepared.rawSize : entry.failure.rawSize);
      return this.commit(account, [{ item: entry.item, failure }]);
    }
  }

  private async commit(account: AccountRow, entries: Prepared[], advance?: (tx: Queryable) => Promise<void>): Promise<ImportResult[]> {
    const events: TicketEvent[] = [];
    const discardedBlobs: string[] = [];
    const good: InboundMessage[] = [];
    const bad: Array<{ item: ImportItem; failure: PrepareError }> = [];
    for (const e of entries) {
      if ('prepared' in e) good.push({ sourceKey: e.item.sourceKey, prepared: e.prepared, receivedAt: e.item.receivedAt, historical: e.item.historical, released: e.item.released ?? false });
      else bad.push(e);
    }
    const started = performance.now();
    const outcomes = await this.runtime.database.db.transaction(async (tx) => {
      await relaxDurability(tx, this.runtime.database.kind);
      const ingested = await ingestBatch(tx, account, good, { senderOverLimit: (ws, s) => this.limiter.overLimit(ws, s) }, { events, discardedBlobs });
      if (bad.length)
        await tx
          .insert(failedImports)
          .values(bad.map(({ item, failure }) => ({ workspaceId: account.workspaceId, accountId: account.id, sourceKey: item.sourceKey, error: failure.message.slice(0, 2000), errorText: failure.text, size: failure.rawSize, rawBlobKey: failure.rawBlobKey })))
          .onConflictDoUpdate({
            target: [failedImports.accountId, failedImports.sourceKey],
            set: { error: sql`excluded.error`, errorText: sql`excluded.error_text`, at: sql`now()`, attempts: sql`${failedImports.attempts} + 1`, resolvedAt: null },
          });
      await advance?.(tx);
      return ingested;
    });
    this.recordMetrics(account, good, outcomes, bad.length, performance.now() - started);
    for (const e of events) this.runtime.events.pubsub.publish('ticketChanged', e.workspaceId, { ticketId: e.ticketId, change: e.change });
    // Acknowledgements of tickets opened by this batch (issue 16), once they are committed.
    if (account.ackEnabled)
      for (const e of events)
        if (e.change === 'CREATED')
          await acknowledgeTicket(this.runtime, account, e.ticketId).catch((err: unknown) =>
            this.runtime.logger.warn({ workspaceId: account.workspaceId, accountId: account.id, ticketId: e.ticketId, err: { message: (err as Error).message } }, 'acknowledgement not sent'),
          );
    // Copies of files the workspace already had: only now, committed, is nothing pointing at them.
    for (const key of discardedBlobs) await this.runtime.blobs.delete(key).catch(() => undefined);
    for (const { item, failure } of bad) this.runtime.logger.warn({ workspaceId: account.workspaceId, accountId: account.id, sourceKey: item.sourceKey, error: failure.message }, 'message could not be imported; kept in failed imports');
    const bySource = new Map(good.map((m, i) => [m.sourceKey, outcomes[i]!]));
    return entries.map((e): ImportResult => ('prepared' in e ? bySource.get(e.item.sourceKey)! : { kind: 'FAILED', error: e.failure.message, text: e.failure.text }));
  }

  private recordMetrics(account: AccountRow, good: InboundMessage[], outcomes: IngestOutcome[], failed: number, ms: number): void {
    const { metrics } = this.runtime;
    metrics.importBatchSeconds.observe(ms / 1000);
    const kind = account.kind;
    if (failed) metrics.messagesImported.inc({ outcome: 'failed', account_kind: kind }, failed);
    const now = Date.now();
    outcomes.forEach((outcome, i) => {
      const label = outcome.kind === 'CREATED' ? 'created' : outcome.kind === 'APPENDED' ? 'appended' : outcome.kind === 'REFUSED' ? 'refused' : outcome.kind === 'BOUNCE' ? 'bounce' : 'duplicate';
      metrics.messagesImported.inc({ outcome: label, account_kind: kind });
      const message = good[i]!;
      // The provider's receive time: only meaningful for live mail, and only when the clocks agree.
      if (!message.historical && message.receivedAt && (outcome.kind === 'CREATED' || outcome.kind === 'APPENDED')) {
        const seconds = (now - message.receivedAt.getTime()) / 1000;
        if (seconds >= 0 && seconds < 86_400) metrics.arrivalToCommitSeconds.observe(seconds);
      }
    });
  }
}

type Prepared = { item: ImportItem; prepared: import('./prepare.ts').PreparedEmail } | { item: ImportItem; failure: PrepareError };
export type PreparedBatch = Prepared[];

/**
 * Every import commits together with its sync position, so a commit lost in a database crash
 * rolls both back and the message is simply fetched again: waiting for the WAL flush buys
 * nothing here and costs a disk sync per batch.
 */
async function relaxDurability(tx: Queryable, kind: 'pglite' | 'postgres'): Promise<void> {
  if (kind === 'postgres') await tx.execute(sql`set local synchronous_commit = off`);
}
