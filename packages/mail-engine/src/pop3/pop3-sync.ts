import { SyncLedger } from '../sync-ledger.ts';
import { MailboxWorker, type WorkerDeps } from '../mailbox-worker.ts';
import { schema, type AccountRow } from '@correio/core';
import { and, eq, inArray } from 'drizzle-orm';
import { MailError, type Phase } from '../errors.ts';
import { loadSyncState, saveSyncState } from '../imap/sync-state.ts';
import { incomingConnectionOf } from '../settings/connection-settings.ts';
import { Pop3Client } from './pop3-client.ts';

const { importedMessages } = schema;
const MAILBOX = 'POP3';

export interface Pop3SyncOptions {
  pollIntervalMs: number;
  backoff: { minMs: number; maxMs: number };
}

export const DEFAULT_POP3_OPTIONS: Pop3SyncOptions = { pollIntervalMs: 60_000, backoff: { minMs: 1000, maxMs: 5 * 60_000 } };

/**
 * POP3 has no push: poll on an interval, import every UIDL not in the ledger, and delete on the
 * server (DELE, committed by QUIT) only what was imported more than N days ago.
 */
export class Pop3MailboxWorker extends MailboxWorker {
  private client: Pop3Client | null = null;

  constructor(
    deps: WorkerDeps,
    account: AccountRow,
    private readonly options: Pop3SyncOptions = DEFAULT_POP3_OPTIONS,
  ) {
    super(deps, account, options.backoff, 'pop3');
  }

  protected disconnect(): void {
    this.client?.close();
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      let phase: Phase = 'DNS';
      try {
        await this.pollOnce((p) => (phase = p));
        this.backoff.reset();
        this.state = 'idle';
        await this.sleeper.sleep(this.options.pollIntervalMs);
      } catch (err) {
        this.client?.close();
        if (this.stopped) break;
        this.state = 'waiting';
        await this.recover(err, phase);
      } finally {
        this.client = null;
      }
    }
  }

  private async pollOnce(setPhase: (p: Phase) => void): Promise<void> {
    setPhase('OAUTH');
    const token = await this.oauthToken();
    const settings = incomingConnectionOf(this.account, this.deps.runtime.secrets, token);
    if (!settings) throw new MailError('NOT_CONFIGURED', 'CONFIG');
    const db = this.deps.runtime.database.db;
    setPhase('DNS');
    const destination = await this.deps.destinations.resolve(settings.host, settings.port);
    // Each poll is a login: it waits its turn like an IMAP connection (issue 17).
    const releaseSlot = await this.loginSlot();
    let client: Pop3Client;
    try {
      setPhase('CONNECT');
      client = new Pop3Client({ host: destination.addresses[0]!, servername: destination.servername, port: settings.port, encryption: settings.encryption });
      this.client = client;
      await client.connect();
      setPhase('AUTH');
      if (settings.accessToken) await client.loginOAuth(settings.username, settings.accessToken);
      else await client.login(settings.username, settings.password);
    } finally {
      releaseSlot();
    }
    this.loggedIn();
    this.state = 'syncing';
    setPhase('FETCH');
    const listing = await client.uidl();
    await this.deps.status.success(this.account, 'INCOMING');

    let state = await loadSyncState(db, this.account.id, MAILBOX);
    const known = await this.ledger(listing.map((m) => m.uid));
    if (!state) {
      await this.firstSync(client, listing, known);
      state = await loadSyncState(db, this.account.id, MAILBOX);
    }
    for (const { number, uid } of listing) {
      if (this.stopped) return;
      if (known.has(uid)) continue;
      const raw = await client.retr(number);
      await this.deps.importer.import(this.account, { sourceKey: `pop3:${uid}`, raw, receivedAt: new Date(), historical: false });
    }
    const deleted = await this.deleteExpired(client, listing);
    // DELE takes effect with QUIT: the ledger says "deleted" only after it.
    await client.quit();
    if (deleted.length) {
      await new SyncLedger(db, this.account.id).markDeleted(deleted.map((u) => `pop3:${u}`));
      this.log.info({ deleted: deleted.length }, 'deleted imported messages older than the retention period');
    }
    await saveSyncState(db, this.account.id, MAILBOX, {});
    this.lastAliveAt = Date.now();
    this.deps.status.alive(this.account, 'INCOMING');
  }

  /** The first poll: existing mail is skipped, imported as history, or imported in full, as the admin chose. */
  private async firstSync(client: Pop3Client, listing: Array<{ number: number; uid: string }>, known: Set<string>): Promise<void> {
    const db = this.deps.runtime.database.db;
    const choice = this.account.importExisting;
    const since = choice === 'LAST_DAYS' ? Date.now() - (this.account.importExistingDays ?? 1) * 86_400_000 : 0;
    for (const { number, uid } of listing) {
      if (known.has(uid)) continue;
      const raw = choice === 'NONE' ? null : await client.retr(number);
      const date = raw ? headerDate(raw) : null;
      if (!raw || (choice === 'LAST_DAYS' && (!date || date.getTime() < since))) {
        await db.insert(importedMessages).values({ accountId: this.account.id, sourceKey: `pop3:${uid}`, receivedAt: date, skipped: true }).onConflictDoNothing();
      } else {
        await this.deps.importer.import(this.account, { sourceKey: `pop3:${uid}`, raw, receivedAt: date, historical: true });
      }
      known.add(uid);
    }
    await saveSyncState(db, this.account.id, MAILBOX, { firstSyncAt: new Date() });
  }

  private async ledger(uids: string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < uids.length; i += 1000) {
      const keys = uids.slice(i, i + 1000).map((u) => `pop3:${u}`);
      const rows = await this.deps.runtime.database.db
        .select({ key: importedMessages.sourceKey })
        .from(importedMessages)
        .where(and(eq(importedMessages.accountId, this.account.id), inArray(importedMessages.sourceKey, keys)));
      for (const r of rows) known.add(r.key.slice(5));
    }
    return known;
  }

  private async deleteExpired(client: Pop3Client, listing: Array<{ number: number; uid: string }>): Promise<string[]> {
    const days = this.account.deleteAfterDays;
    if (!days) return [];
    const expired = new Set((await new SyncLedger(this.deps.runtime.database.db, this.account.id).expired(days, { prefix: 'pop3:' })).map((key) => key.slice(5)));
    const deleted: string[] = [];
    for (const { number, uid } of listing) {
      if (!expired.has(uid)) continue;
      await client.dele(number);
      deleted.push(uid);
    }
    return deleted;
  }
}

function headerDate(raw: Buffer): Date | null {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const match = /^date:\s*(.+(?:\r?\n[ \t].+)*)/im.exec(end >= 0 ? head.slice(0, end) : head);
  const date = match ? new Date(match[1]!.replace(/\r?\n[ \t]+/g, ' ')) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}
