import { MailboxWorker, type WorkerDeps } from '../mailbox-worker.ts';
import type { Readable } from 'node:stream';
import type { AccountRow, Queryable } from '@correio/core';
import type { ImapFlow, MailboxLockObject } from 'imapflow';
import { schema } from '@correio/core';
import { text } from '@correio/texts';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { MailError, type Phase } from '../errors.ts';
import type { PreparedBatch } from '../pipeline/importer.ts';
import { incomingConnectionOf } from '../settings/connection-settings.ts';
import { createImapClient } from './connection.ts';
import { importableFolder } from './importable-folder.ts';
import { escapeLike, SyncLedger } from '../sync-ledger.ts';
import { uidSet } from './uid-ranges.ts';
import { imapSourceKey, loadSyncState, saveSyncState, type SyncState } from './sync-state.ts';

const { importedMessages } = schema;
const RESYNC_BATCH = 500;

export interface ImapSyncOptions {
  /** How long to sit in IDLE before re-checking the mailbox anyway (also proves the connection alive). */
  idleRefreshMs: number;
  /** Polling interval for servers without IDLE. */
  pollIntervalMs: number;
  /** Messages up to this size are fetched in batches; larger ones stream one by one. */
  batchBytes: number;
  largeMessageBytes: number;
  backoff: { minMs: number; maxMs: number };
  /** How often delete-after-N-days runs. */
  cleanupIntervalMs: number;
}

export const DEFAULT_IMAP_OPTIONS: ImapSyncOptions = {
  idleRefreshMs: 4.5 * 60_000,
  pollIntervalMs: 60_000,
  batchBytes: 4 * 1024 * 1024,
  largeMessageBytes: 1024 * 1024,
  backoff: { minMs: 1000, maxMs: 5 * 60_000 },
  cleanupIntervalMs: 60 * 60_000,
};

/**
 * One long-lived IMAP connection per account: sync by UID from the stored position, then IDLE
 * until the server reports new mail (polling only where IDLE is missing), reconnecting with
 * backoff after any failure. UIDs are the only cursor: read flags and dates never decide what
 * is imported, so mail read elsewhere and days of downtime are both caught up.
 */
export class ImapMailboxWorker extends MailboxWorker {
  private client: ImapFlow | null = null;
  private lastCleanup = 0;
  private readonly folder: string;

  constructor(
    deps: WorkerDeps,
    account: AccountRow,
    private readonly options: ImapSyncOptions = DEFAULT_IMAP_OPTIONS,
  ) {
    super(deps, account, options.backoff, 'imap');
    this.folder = account.incomingFolder || 'INBOX';
  }

  protected disconnect(): void {
    this.client?.close();
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      let phase: Phase = 'DNS';
      let lock: MailboxLockObject | null = null;
      let releaseSlot: (() => void) | null = null;
      try {
        releaseSlot = await this.loginSlot();
        phase = 'OAUTH';
        const token = await this.oauthToken();
        phase = 'DNS';
        const settings = incomingConnectionOf(this.account, this.deps.runtime.secrets, token);
        if (!settings) throw new MailError('NOT_CONFIGURED', 'CONFIG');
        const destination = await this.deps.destinations.resolve(settings.host, settings.port);
        phase = 'CONNECT';
        const client = createImapClient({ ...settings, host: destination.addresses[0]! }, { servername: destination.servername });
        this.client = client;
        client.on('error', (err: Error) => this.log.debug({ err: { message: err.message } }, 'imap connection error'));
        // A dropped session wakes the IDLE wait to reconnect at once; a connection that never got
        // as far as a session must not, or its close would cut the backoff short and a refused
        // login would be retried every few milliseconds.
        let established = false;
        client.on('close', () => {
          if (established) this.sleeper.trigger();
        });
        client.on('exists', (data: { count: number; prevCount: number }) => {
          if (data.count > data.prevCount) this.sleeper.trigger();
        });
        await client.connect();
        established = true;
        this.loggedIn();
        if (this.stopped) break;
        phase = 'MAILBOX';
        // The server's own spelling of the folder (case may differ from what the admin typed).
        const folder = importableFolder(await client.list(), this.folder).path;
        lock = await client.getMailboxLock(folder);
        releaseSlot();
        this.state = 'syncing';
        this.log.info({ idle: client.capabilities.has('IDLE') }, 'mailbox connected');
        await this.deps.status.success(this.account, 'INCOMING', { fromCheck: true });
        this.backoff.reset();
        let justSelected = true;
        let changed = true;
        while (!this.stopped && client.usable) {
          phase = 'FETCH';
          if (changed) {
            this.state = 'syncing';
            await this.syncOnce(client, justSelected);
            justSelected = false;
          } else {
            // IDLE ran its full time with no news: a NOOP proves the connection alive and ends
            // the IDLE, which is entered again below — no query, no write (issue 17).
            await client.noop();
          }
          await this.cleanup(client);
          this.lastAliveAt = Date.now();
          this.deps.status.alive(this.account, 'INCOMING');
          if (this.stopped || !client.usable) break;
          this.state = 'idle';
          if (client.capabilities.has('IDLE')) {
            void client.idle().catch(() => undefined);
            changed = await this.sleeper.sleep(this.options.idleRefreshMs);
          } else {
            await this.sleeper.sleep(this.options.pollIntervalMs);
            changed = true;
          }
        }
        if (!this.stopped) throw new MailError('CONNECTION_RESET', 'FETCH', { text: text('mail.CONNECTION_RESET.closedByServer') });
      } catch (err) {
        releaseSlot?.();
        if (this.stopped) break;
        this.state = 'waiting';
        // A session that is no longer usable was closed by the server (a restart, a reset).
        await this.recover(err, phase, { serverSide: !!this.client && !this.client.usable });
      } finally {
        releaseSlot?.();
        lock?.release();
        const client = this.client;
        this.client = null;
        // Our own logout must not wake the backoff sleep of the next attempt.
        client?.removeAllListeners('close');
        if (client?.usable) await client.logout().catch(() => client.close());
        else client?.close();
      }
    }
  }

  /** Whether the mailbox's connection is up and selected right now (a status refresh can use it). */
  get connected(): boolean {
    return !!this.client?.usable && (this.state === 'idle' || this.state === 'syncing');
  }

  /**
   * A status check through the live connection (issue 17: a refresh must not open a second
   * login beside it): NOOP, which proves the session and the mailbox alive.
   */
  async checkLive(): Promise<boolean> {
    const client = this.client;
    if (!client?.usable || !this.connected) return false;
    try {
      await client.noop();
      if (this.state === 'idle') void client.idle().catch(() => undefined);
      this.lastAliveAt = Date.now();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Imports everything new since the stored position; handles the first sync and UIDVALIDITY
   * changes. Right after a SELECT (a reconnect), the SELECT's own UIDNEXT — which every server
   * must send — says whether any message arrived since the stored position: if none did, that
   * SELECT was the whole cost of the reconnect (issue 17), no UID SEARCH. Within a session the
   * SELECT's figures go stale, so a wake from IDLE always searches.
   */
  private async syncOnce(client: ImapFlow, justSelected: boolean): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new MailError('PROTOCOL_ERROR', 'MAILBOX', { text: text('mail.PROTOCOL_ERROR.noMailboxSelected') });
    const db = this.deps.runtime.database.db;
    let state = await loadSyncState(db, this.account.id, this.folder);
    if (!state) state = await this.firstSync(client, mailbox.uidValidity, mailbox.uidNext);
    else if (state.uidValidity !== mailbox.uidValidity) state = await this.resync(client, state, mailbox.uidValidity);
    else if (justSelected && mailbox.uidNext <= (state.uidNext ?? 1)) {
      await this.rememberModseq(state, mailbox.highestModseq);
      this.log.debug({ uidNext: mailbox.uidNext }, 'mailbox unchanged since the last sync');
      return;
    }
    await this.importFrom(client, state);
    if (client.mailbox) await this.rememberModseq(state, client.mailbox.highestModseq);
  }

  /** The server's HIGHESTMODSEQ (CONDSTORE), kept when it moved: how far the stored view of the mailbox goes. */
  private async rememberModseq(state: SyncState, highestModseq: bigint | undefined): Promise<void> {
    if (highestModseq === undefined || highestModseq === state.highestModseq) return;
    await saveSyncState(this.deps.runtime.database.db, this.account.id, this.folder, { highestModseq });
  }

  private async firstSync(client: ImapFlow, uidValidity: bigint, uidNext: number): Promise<SyncState> {
    const choice = this.account.importExisting;
    let start = uidNext;
    if (choice === 'ALL') start = 1;
    if (choice === 'LAST_DAYS') {
      const since = new Date(Date.now() - (this.account.importExistingDays ?? 1) * 86_400_000);
      const uids = (await client.search({ since }, { uid: true })) || [];
      start = uids.length ? Math.min(...uids) : uidNext;
    }
    const values = { uidValidity, uidNext: start, historicalBelowUid: uidNext, firstSyncAt: new Date() };
    await saveSyncState(this.deps.runtime.database.db, this.account.id, this.folder, values);
    this.log.info({ importExisting: choice, existing: uidNext - start }, 'first sync of mailbox');
    return { accountId: this.account.id, mailbox: this.folder, highestModseq: null, lastSyncAt: null, updatedAt: new Date(), ...values };
  }

  /**
   * UIDVALIDITY changed: every UID is new. Messages already imported (same Message-ID) are
   * linked to their new UID without importing them again; the rest is imported normally, except
   * mail that predates the first connection when the admin chose not to import old mail.
   */
  private async resync(client: ImapFlow, state: SyncState, uidValidity: bigint): Promise<SyncState> {
    this.log.warn({ old: String(state.uidValidity), new: String(uidValidity) }, 'UIDVALIDITY changed; resyncing without duplicates');
    const db = this.deps.runtime.database.db;
    const all = (await client.fetchAll('1:*', { uid: true, envelope: true, internalDate: true }, { uid: false })).sort((a, b) => a.uid - b.uid);
    let start: number | null = null;
    // Looked up and linked a batch at a time (issue 17): two statements per 500 messages, not one per message.
    for (let i = 0; i < all.length; i += RESYNC_BATCH) {
      const batch = all.slice(i, i + RESYNC_BATCH).map((message) => ({
        uid: message.uid,
        messageId: message.envelope?.messageId?.replace(/^<|>$/g, '') ?? null,
        internalDate: message.internalDate instanceof Date ? message.internalDate : null,
      }));
      const ids = [...new Set(batch.map((m) => m.messageId).filter((id): id is string => !!id))];
      const known = new Set(
        ids.length
          ? (
              await db
                .selectDistinct({ messageId: importedMessages.messageId })
                .from(importedMessages)
                .where(and(eq(importedMessages.accountId, this.account.id), inArray(importedMessages.messageId, ids)))
            ).map((r) => r.messageId)
          : [],
      );
      const linked = [];
      for (const message of batch) {
        const isKnown = !!message.messageId && known.has(message.messageId);
        const predates = this.account.importExisting !== 'ALL' && state.firstSyncAt && message.internalDate && message.internalDate < state.firstSyncAt;
        if (isKnown || predates) {
          linked.push({ accountId: this.account.id, sourceKey: imapSourceKey(this.folder, uidValidity, message.uid), messageId: message.messageId, receivedAt: message.internalDate, skipped: !isKnown });
          continue;
        }
        start ??= message.uid;
      }
      if (linked.length) await db.insert(importedMessages).values(linked).onConflictDoNothing();
    }
    const mailboxNext = client.mailbox ? client.mailbox.uidNext : 1;
    const values = { uidValidity, uidNext: start ?? mailboxNext, historicalBelowUid: 0 };
    await saveSyncState(db, this.account.id, this.folder, values);
    return { ...state, ...values };
  }

  /**
   * Fetches new messages in batches bounded by bytes and imports each batch in one transaction
   * with the new sync position. The next batch is fetched while the previous one is parsed and
   * stored (IMAP and the database work in parallel); imports still commit in UID order.
   */
  private async importFrom(client: ImapFlow, state: SyncState): Promise<void> {
    const from = state.uidNext ?? 1;
    const uidValidity = state.uidValidity!;
    const found = (await client.search({ uid: `${from}:*` }, { uid: true })) || [];
    // `N:*` always includes the highest UID, even below N: filter.
    const uids = found.filter((u) => u >= from).sort((a, b) => a - b);
    if (!uids.length) return;
    const ledger = await this.alreadyImported(uidValidity, uids);
    // Three stages overlap: IMAP fetches batch N+2 while N+1 is parsed and N commits.
    let committing: Promise<void> = Promise.resolve();
    const enqueue = async (batch: FetchedMessage[]) => {
      const present = batch.filter((m) => !Buffer.isBuffer(m.raw) || m.raw.length > 0);
      const preparing = this.deps.importer.prepareBatch(this.account, present.map((m) => ({ sourceKey: imapSourceKey(this.folder, uidValidity, m.uid), raw: m.raw, receivedAt: m.receivedAt, historical: m.uid < (state.historicalBelowUid ?? 0) })));
      const previous = committing;
      committing = (async () => {
        await previous;
        await this.commitFetched(client, uidValidity, batch, await preparing);
      })();
      committing.catch(() => undefined);
      // A streamed (large) message must be read to the end before the connection can run another command.
      if (batch.some((m) => !Buffer.isBuffer(m.raw))) await preparing;
      // Backpressure: never more than two batches in memory.
      await previous;
    };
    try {
      for (let i = 0; i < uids.length && !this.stopped; i += 1000) {
        const chunk = uids.slice(i, i + 1000).filter((u) => !ledger.has(u));
        if (!chunk.length) continue;
        const metas = (await client.fetchAll(uidSet(chunk), { uid: true, size: true, internalDate: true }, { uid: true })).sort((a, b) => a.uid - b.uid);
        let batch: typeof metas = [];
        let batchBytes = 0;
        const flush = async () => {
          if (!batch.length) return;
          const wanted = batch;
          batch = [];
          batchBytes = 0;
          const fetched = await client.fetchAll(uidSet(wanted.map((m) => m.uid)), { uid: true, source: true, internalDate: true }, { uid: true });
          const byUid = new Map(fetched.map((m) => [m.uid, m]));
          // A message expunged between the two fetches has nothing to import; the position still moves past it.
          await enqueue(wanted.map((meta) => ({ uid: meta.uid, raw: byUid.get(meta.uid)?.source ?? Buffer.alloc(0), receivedAt: dateOf(byUid.get(meta.uid)?.internalDate ?? meta.internalDate) })));
        };
        for (const meta of metas) {
          if (this.stopped) return;
          if ((meta.size ?? 0) > this.options.largeMessageBytes) {
            await flush();
            await committing;
            const download = await client.download(String(meta.uid), undefined, { uid: true });
            await enqueue([{ uid: meta.uid, raw: 'content' in download && download.content ? download.content : Buffer.alloc(0), receivedAt: dateOf(meta.internalDate) }]);
            continue;
          }
          batch.push(meta);
          batchBytes += meta.size ?? 0;
          if (batchBytes >= this.options.batchBytes || batch.length >= 200) await flush();
        }
        await flush();
      }
    } finally {
      await committing;
    }
  }

  private async commitFetched(client: ImapFlow, uidValidity: bigint, batch: FetchedMessage[], prepared: PreparedBatch): Promise<void> {
    const last = batch.at(-1)!.uid;
    const advance = (tx: Queryable) => saveSyncState(tx, this.account.id, this.folder, { uidValidity, uidNext: last + 1 });
    if (!prepared.length) return advance(this.deps.runtime.database.db);
    await this.deps.importer.commitBatch(this.account, prepared, advance);
    this.lastAliveAt = Date.now();
    await this.markSeen(client, batch.filter((m) => !Buffer.isBuffer(m.raw) || m.raw.length > 0).map((m) => m.uid));
  }

  /** UIDs of this range that the ledger already has (a crash after commit, before the position moved on). */
  private async alreadyImported(uidValidity: bigint, uids: number[]): Promise<Set<number>> {
    const prefix = imapSourceKey(this.folder, uidValidity, 0).slice(0, -1);
    const rows = await this.deps.runtime.database.db
      .select({ key: importedMessages.sourceKey })
      .from(importedMessages)
      .where(and(eq(importedMessages.accountId, this.account.id), like(importedMessages.sourceKey, `${escapeLike(prefix)}%`), sql`split_part(${importedMessages.sourceKey}, ':', -1)::bigint >= ${uids[0]!}`));
    return new Set(rows.map((r) => Number(r.key.slice(prefix.length))));
  }

  /** Flags change only after the import committed: a crash never leaves a message marked read but not imported. */
  private async markSeen(client: ImapFlow, uids: number[]): Promise<void> {
    if (!this.account.markAsRead || !uids.length) return;
    await client.messageFlagsAdd(uidSet(uids), ['\\Seen'], { uid: true });
  }

  /** Delete-after-N-days: only messages Correio imported, older than N days, in the current UIDVALIDITY. */
  private async cleanup(client: ImapFlow): Promise<void> {
    const days = this.account.deleteAfterDays;
    if (!days || Date.now() - this.lastCleanup < this.options.cleanupIntervalMs) return;
    this.lastCleanup = Date.now();
    const uidValidity = client.mailbox ? client.mailbox.uidValidity : null;
    if (uidValidity === null) return;
    const prefix = imapSourceKey(this.folder, uidValidity, 0).slice(0, -1);
    const ledger = new SyncLedger(this.deps.runtime.database.db, this.account.id);
    const keys = await ledger.expired(days, { prefix, limit: 1000 });
    if (!keys.length) return;
    const uids = keys.map((key) => Number(key.slice(prefix.length)));
    await client.messageDelete(uidSet(uids), { uid: true });
    await ledger.markDeleted(keys);
    this.log.info({ deleted: uids.length, days }, 'deleted imported messages older than the retention period');
  }
}

interface FetchedMessage {
  uid: number;
  raw: Buffer | Readable;
  receivedAt: Date | null;
}

function dateOf(value: unknown): Date | null {
  return value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
}

