import { schema, type AccountRow, type Queryable } from '@correio/core';
import { bulkInsert } from './bulk-insert.ts';
import { decide } from './decide/decide.ts';
import type { InboundMessage } from './decide/types.ts';
import { lockMessageIds, prefetch } from './prefetch.ts';
import { WritePlan, type IngestOutcome, type TicketEvent } from './write-plan.ts';

export type { InboundMessage } from './decide/types.ts';
export type { IngestOutcome, TicketEvent } from './write-plan.ts';

const { importedMessages } = schema;

export interface IngestContext {
  /** Per-sender flood protection for live mail (W5); returns true when the sender is over the limit. */
  senderOverLimit(workspaceId: string, sender: string): boolean;
}

/**
 * Turns a batch of prepared messages of one account into tickets and actions inside the
 * caller's transaction, with a fixed number of statements however large the batch: a handful
 * of round trips per batch instead of twenty per message. Three steps: `prefetch` reads what the
 * rules need, the pure `decide` (decide/decide.ts: the rules, in order) judges each message in
 * arrival order, the `WritePlan` carries the decisions out — in memory first, so a reply later in
 * a batch finds the ticket its original opened — then in one statement per table.
 *
 * The first statement claims every message's idempotency key (W7): a message committed before a
 * crash is recognised and skipped, a rolled-back one is simply imported again.
 */
export async function ingestBatch(
  tx: Queryable,
  account: AccountRow,
  messages: InboundMessage[],
  ctx: IngestContext,
  afterCommit: { events: TicketEvent[]; discardedBlobs: string[] },
): Promise<IngestOutcome[]> {
  if (!messages.length) return [];
  const claimed = new Set(
    (
      await bulkInsert(
        tx,
        importedMessages,
        messages.map((m) => ({
          accountId: account.id,
          sourceKey: m.sourceKey,
          messageId: m.prepared.messageId ?? (m.prepared.rawSha256 ? `sha256:${m.prepared.rawSha256}` : null),
          receivedAt: m.receivedAt,
        })),
        { onConflictDoNothing: true, returning: ['sourceKey'] },
      )
    ).map((r) => r['sourceKey'] as string),
  );
  const fresh = messages.filter((m) => claimed.has(m.sourceKey));
  const outcomes = new Map<string, IngestOutcome>();
  if (fresh.length) {
    await lockMessageIds(tx, account.workspaceId, fresh);
    const known = await prefetch(tx, account, fresh);
    const plan = new WritePlan(account, known);
    const input = { account, known, senderOverLimit: (ws: string, sender: string) => ctx.senderOverLimit(ws, sender) };
    for (const msg of fresh) outcomes.set(msg.sourceKey, plan.record(msg, decide(msg, input)));
    await plan.write(tx, outcomes);
    afterCommit.events.push(...plan.events);
    afterCommit.discardedBlobs.push(...plan.discardedBlobs);
  }
  return messages.map((m) => outcomes.get(m.sourceKey) ?? { kind: 'ALREADY_IMPORTED' });
}
