import type { Readable } from 'node:stream';
import { schema, type Queryable, type Runtime } from '@correio/core';
import { and, eq, sql } from 'drizzle-orm';
import { isDatabaseUnavailable } from './database-errors.ts';
import { ingestMessage, type AccountRow, type IngestOutcome, type TicketEvent } from './ingest.ts';
import { parseEmail, type ParsedEmail } from './parse.ts';
import { SenderRateLimiter } from './sender-rate-limit.ts';

const { failedImports } = schema;

export interface ImportRequest {
  account: AccountRow;
  sourceKey: string;
  /** The raw message, or the key of a blob that already holds it (retries). */
  raw: Buffer | Readable | { blobKey: string };
  receivedAt: Date | null;
  historical: boolean;
  /** Runs in the same transaction as the import (or the failed-import record): the mailbox's sync position. */
  advance?: (tx: Queryable) => Promise<void>;
}

export type ImportResult = IngestOutcome | { kind: 'FAILED'; error: string };

/**
 * Stores the raw message, parses it and ingests it in one transaction together with the
 * mailbox's sync position. A message that cannot be parsed or stored is kept raw in
 * failed_imports (and the sync moves past it); a database outage is thrown to the caller,
 * which retries the same message later.
 */
export class Importer {
  private readonly limiter = new SenderRateLimiter();

  constructor(private readonly runtime: Runtime) {}

  async import(req: ImportRequest): Promise<ImportResult> {
    const { blobs, logger } = this.runtime;
    const stored = 'blobKey' in req.raw ? { key: req.raw.blobKey, size: await blobs.size(req.raw.blobKey) } : await blobs.put(req.raw);
    const log = logger.child({ accountId: req.account.id, sourceKey: req.sourceKey });

    let parsed: ParsedEmail;
    try {
      parsed = await parseEmail(blobs.read(stored.key), blobs);
    } catch (err) {
      return this.recordFailure(req, stored, err);
    }

    const events: TicketEvent[] = [];
    let outcome: IngestOutcome;
    try {
      outcome = await this.runtime.database.db.transaction(async (tx) => {
        await relaxDurability(tx, this.runtime.database.kind);
        const result = await ingestMessage(tx, { account: req.account, sourceKey: req.sourceKey, rawBlobKey: stored.key, parsed, receivedAt: req.receivedAt, historical: req.historical }, { senderOverLimit: (ws, s) => this.limiter.overLimit(ws, s) }, events);
        await tx.update(failedImports).set({ resolvedAt: new Date() }).where(and(eq(failedImports.accountId, req.account.id), eq(failedImports.sourceKey, req.sourceKey)));
        await req.advance?.(tx);
        return result;
      });
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      return this.recordFailure(req, stored, err);
    }
    for (const e of events) this.runtime.events.pubsub.publish('ticketChanged', e.workspaceId, { ticketId: e.ticketId, change: e.change });
    if (outcome.kind !== 'ALREADY_IMPORTED') log.info({ outcome: outcome.kind, ticketId: 'ticketId' in outcome ? outcome.ticketId : undefined }, 'message imported');
    return outcome;
  }

  private async recordFailure(req: ImportRequest, stored: { key: string; size: number }, err: unknown): Promise<ImportResult> {
    const error = describe(err);
    this.runtime.logger.warn({ accountId: req.account.id, sourceKey: req.sourceKey, error }, 'message could not be imported; kept in failed imports');
    await this.runtime.database.db.transaction(async (tx) => {
      await tx
        .insert(failedImports)
        .values({ workspaceId: req.account.workspaceId, accountId: req.account.id, sourceKey: req.sourceKey, error, size: stored.size, rawBlobKey: stored.key })
        .onConflictDoUpdate({
          target: [failedImports.accountId, failedImports.sourceKey],
          set: { error, at: new Date(), attempts: sql`${failedImports.attempts} + 1`, resolvedAt: null },
        });
      await req.advance?.(tx);
    });
    return { kind: 'FAILED', error };
  }
}

/**
 * Every import commits together with its sync position, so a commit lost in a database crash
 * rolls both back and the message is simply fetched again: waiting for the WAL flush buys
 * nothing here and costs a disk sync per message.
 */
async function relaxDurability(tx: Queryable, kind: 'pglite' | 'postgres'): Promise<void> {
  if (kind === 'postgres') await tx.execute(sql`set local synchronous_commit = off`);
}

/**
 * The innermost cause's message: drizzle wraps database errors as "Failed query: <sql> params:
 * <values>", and those values are message content, which must not reach logs or the UI.
 */
function describe(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : String(current);
  return message.startsWith('Failed query:') ? 'The database refused to store the message.' : message.slice(0, 2000) || 'Unknown error';
}
