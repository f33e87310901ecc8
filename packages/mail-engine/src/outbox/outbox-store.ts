import { rowsOf, schema, type Database } from '@correio/core';
import { renderText, type ServerText } from '@correio/texts';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';

const { outbox, ticketActions, attachments } = schema;

/** An outbox row this engine has just leased for sending. */
export interface ClaimedRow {
  id: string;
  workspaceId: string;
  accountId: string;
  actionId: string;
  payload: unknown;
  attempts: number;
  firstAttemptAt: Date;
  /** The row was found SENDING under an expired lease: an engine died during its SMTP transaction. */
  interrupted: boolean;
}

const seconds = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;

/**
 * Leases up to `limit` due rows in one statement: QUEUED rows whose time has come, and rows left
 * SENDING by an engine whose lease ran out. `FOR UPDATE SKIP LOCKED` lets several engines claim
 * side by side without waiting on, or taking, each other's rows; the UPDATE marks them SENDING
 * with our lease and commits before any SMTP traffic starts.
 */
export async function claimDue(db: Database, owner: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
  const rows = rowsOf<{ id: string; workspace_id: string; account_id: string; action_id: string; payload: unknown; attempts: number; first_attempt_at: Date | string; prev_state: string }>(
    await db.execute(sql`
      with due as (
        select id, state as prev_state from ${outbox}
        where (state = 'QUEUED' and next_attempt_at <= now()) or (state = 'SENDING' and lease_expires_at < now())
        order by next_attempt_at
        limit ${limit}
        for update skip locked
      )
      update ${outbox} o
      set state = 'SENDING', lease_owner = ${owner}, lease_expires_at = now() + ${seconds(leaseMs)},
          attempts = o.attempts + 1, first_attempt_at = coalesce(o.first_attempt_at, now())
      from due where o.id = due.id
      returning o.id, o.workspace_id, o.account_id, o.action_id, o.payload, o.attempts, o.first_attempt_at, due.prev_state`),
  );
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    accountId: r.account_id,
    actionId: r.action_id,
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    attempts: r.attempts,
    firstAttemptAt: new Date(r.first_attempt_at),
    interrupted: r.prev_state === 'SENDING',
  }));
}

/** Keeps our leases alive while the SMTP transactions (or the recording of their results) run. */
export async function renewLeases(db: Database, owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (!ids.length) return;
  await db
    .update(outbox)
    .set({ leaseExpiresAt: sql`now() + ${seconds(leaseMs)}` })
    .where(and(inArray(outbox.id, ids), eq(outbox.leaseOwner, owner), eq(outbox.state, 'SENDING')));
}

export interface SentResult {
  row: ClaimedRow;
  /** The server's reply to the end of DATA. */
  response: string;
  /** Recipients refused while the others got it, for the action's deliveryError. */
  note: ServerText | null;
}

/**
 * Why a send did not go through. Each text is also stored in English beside it (logs, SQL,
 * readers of rows from before texts had codes).
 */
export interface SendFailure {
  /** For the outbox row: the error's code and text. */
  code: string;
  error: ServerText;
  /** The server's reply, when it gave one. */
  response: string | null;
  /** For the reply's action: what its delivery line says. */
  note: ServerText;
}

const json = (value: ServerText | null) => (value ? JSON.stringify(value) : null);

/**
 * Records messages the server accepted, many in one transaction (one round trip per batch instead
 * of per message). An action becomes SENT once every message of it was (per-recipient mode has
 * several); a FAILED set meanwhile, e.g. by a bounce, is never overridden. A success is recorded
 * even if our lease was lost: the server has the message, whatever else happened.
 * Returns the tickets whose action's delivery state changed.
 */
export async function markSentBatch(db: Database, results: SentResult[]): Promise<Array<{ workspaceId: string; ticketId: string }>> {
  if (!results.length) return [];
  // One array parameter per column (not one per value): the statement stays the same size however large the batch.
  const input = sql`unnest(${sql.param(results.map((r) => r.row.id))}::uuid[], ${sql.param(results.map((r) => r.row.actionId))}::uuid[], ${sql.param(results.map((r) => r.response.slice(0, 1000)))}::text[], ${sql.param(results.map((r) => (r.note ? renderText(r.note, 'en') : null)))}::text[], ${sql.param(results.map((r) => json(r.note)))}::text[]) as i(id, action_id, response, note, note_text)`;
  const actionIds = [...new Set(results.map((r) => r.row.actionId))].sort();
  return db.transaction(async (tx) => {
    // Lock the actions first (in a fixed order): messages of one action finishing in two batches,
    // or on two engines, then see each other's SENT instead of both seeing the other still SENDING.
    await tx.execute(sql`select id from ${ticketActions} where id = any(${sql.param(actionIds)}::uuid[]) order by id for update`);
    await tx.execute(sql`
      update ${outbox} o
      set state = 'SENT', sent_at = now(), last_response = i.response, last_error = i.note, last_error_text = i.note_text::jsonb, lease_owner = null, lease_expires_at = null
      from ${input}
      where o.id = i.id and o.state <> 'SENT'`);
    const changed = rowsOf<{ workspace_id: string; ticket_id: string }>(
      await tx.execute(sql`
        update ${ticketActions} a
        set delivery = 'SENT', delivery_error = n.note, delivery_error_text = n.note_text::jsonb
        from (select distinct on (action_id) action_id, note, note_text from ${input} order by action_id, note nulls last) as n
        where a.id = n.action_id and a.delivery = 'QUEUED'
          and not exists (select 1 from ${outbox} o where o.action_id = a.id and o.state <> 'SENT')
        returning a.workspace_id, a.ticket_id`),
    );
    return changed.map((c) => ({ workspaceId: c.workspace_id, ticketId: c.ticket_id }));
  });
}

/** Puts a deferred message back in the queue for `at`; the action stays QUEUED and says why. */
export async function markRetry(db: Database, row: ClaimedRow, owner: string, at: Date, failure: SendFailure): Promise<{ ticketId: string } | null> {
  const [changed] = rowsOf<{ ticket_id: string }>(
    await db.execute(sql`
      with retry as (
        update ${outbox}
        set state = 'QUEUED', next_attempt_at = ${at.toISOString()}::timestamptz, last_error = ${lastError(failure)}, last_error_text = ${json(failure.error)}::jsonb,
            last_response = ${failure.response}, lease_owner = null, lease_expires_at = null
        where id = ${row.id} and state = 'SENDING' and lease_owner = ${owner}
        returning action_id
      )
      update ${ticketActions}
      set delivery_error = ${renderText(failure.note, 'en')}, delivery_error_text = ${json(failure.note)}::jsonb
      where id = ${row.actionId} and delivery = 'QUEUED' and exists (select 1 from retry)
      returning ticket_id`),
  );
  return changed ? { ticketId: changed.ticket_id } : null;
}

/**
 * Gives a message up: the outbox row and the action become FAILED, with the server's response.
 * Messages of one reply failing one after another (per-recipient mode) add a line each to the
 * English column; the text keeps the first, the one that failed the reply.
 */
export async function markFailed(db: Database, row: ClaimedRow, owner: string, failure: SendFailure): Promise<{ ticketId: string } | null> {
  const note = renderText(failure.note, 'en');
  const [changed] = rowsOf<{ ticket_id: string }>(
    await db.execute(sql`
      with failed as (
        update ${outbox}
        set state = 'FAILED', last_error = ${lastError(failure)}, last_error_text = ${json(failure.error)}::jsonb, last_response = ${failure.response},
            lease_owner = null, lease_expires_at = null
        where id = ${row.id} and state = 'SENDING' and lease_owner = ${owner}
        returning action_id
      )
      update ${ticketActions}
      set delivery = 'FAILED',
          delivery_error = case when delivery = 'FAILED' and delivery_error is not null then left(delivery_error || E'\n' || ${note}, 4000) else ${note} end,
          delivery_error_text = case when delivery = 'FAILED' and delivery_error_text is not null then delivery_error_text else ${json(failure.note)}::jsonb end
      where id = ${row.actionId} and exists (select 1 from failed)
      returning ticket_id`),
  );
  return changed ? { ticketId: changed.ticket_id } : null;
}

/** The outbox row's English error line: `CODE: what happened`. */
function lastError(failure: SendFailure): string {
  return `${failure.code}: ${renderText(failure.error, 'en')}`.slice(0, 2000);
}

export type RequeueResult = { kind: 'REQUEUED'; ticketId: string } | { kind: 'NOT_FAILED' } | { kind: 'NOTHING_TO_RESEND' };

/**
 * "Send again" for a FAILED reply: its failed messages go back to the queue with the same
 * Message-IDs and bytes, so a copy that did arrive somewhere is recognised as the same message.
 * A reply that reached the server and bounced later has nothing to resend.
 */
export async function requeueFailed(db: Database, workspaceId: string, actionId: string): Promise<RequeueResult> {
  return db.transaction(async (tx) => {
    const [action] = await tx
      .select({ delivery: ticketActions.delivery, ticketId: ticketActions.ticketId })
      .from(ticketActions)
      .where(and(eq(ticketActions.id, actionId), eq(ticketActions.workspaceId, workspaceId), eq(ticketActions.kind, 'EMAIL_OUT')))
      .for('update');
    if (!action || action.delivery !== 'FAILED') return { kind: 'NOT_FAILED' };
    const requeued = await tx
      .update(outbox)
      .set({ state: 'QUEUED', attempts: 0, firstAttemptAt: null, nextAttemptAt: sql`now()`, lastError: null, lastErrorText: null, lastResponse: null, leaseOwner: null, leaseExpiresAt: null })
      .where(and(eq(outbox.actionId, actionId), eq(outbox.workspaceId, workspaceId), eq(outbox.state, 'FAILED')))
      .returning({ id: outbox.id });
    if (!requeued.length) return { kind: 'NOTHING_TO_RESEND' };
    await tx.update(ticketActions).set({ delivery: 'QUEUED', deliveryError: null, deliveryErrorText: null }).where(eq(ticketActions.id, actionId));
    return { kind: 'REQUEUED', ticketId: action.ticketId };
  });
}

/** Old SENT rows are only history (the action keeps the outcome); their payloads hold whole bodies. */
export async function pruneSent(db: Database, olderThanMs: number): Promise<void> {
  await db.delete(outbox).where(and(eq(outbox.state, 'SENT'), lt(outbox.sentAt, sql`now() - ${seconds(olderThanMs)}`)));
}

/** Uploads never attached to a reply (the agent discarded the draft) are removed with their bytes. */
export async function sweepAbandonedUploads(db: Database, olderThanMs: number): Promise<string[]> {
  const rows = await db
    .delete(attachments)
    .where(and(isNull(attachments.actionId), isNull(attachments.cannedReplyId), lt(attachments.createdAt, sql`now() - ${seconds(olderThanMs)}`)))
    .returning({ blobKey: attachments.blobKey });
  return rows.map((r) => r.blobKey);
}
