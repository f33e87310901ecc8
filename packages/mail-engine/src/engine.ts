import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { schema, type Logger, type Runtime, type AccountRow } from '@correio/core';
import { text } from '@correio/texts';
import { and, eq, isNotNull } from 'drizzle-orm';
import { DEFAULT_LEASE_TIMINGS, LeaseManager, type LeaseTimings } from './cluster/leases.ts';
import { MailError } from './errors.ts';
import { Destinations } from './net/destinations.ts';
import { systemResolver } from './util/dns-resolver.ts';
import { Housekeeping } from './util/housekeeping.ts';
import type { MailboxWorker } from './mailbox-worker.ts';
import { InboundSmtpServer } from './inbound-smtp/inbound-smtp-server.ts';
import { OutboxWorker, outboxOptions, type OutboxSettings } from './outbox/outbox-worker.ts';
import { DEFAULT_IMAP_OPTIONS, ImapMailboxWorker, type ImapSyncOptions } from './imap/mailbox-sync.ts';
import { Importer } from './pipeline/importer.ts';
import { DEFAULT_POP3_OPTIONS, Pop3MailboxWorker, type Pop3SyncOptions } from './pop3/pop3-sync.ts';
import { INTERMITTENT_WINDOW_MS } from './status/status-model.ts';
import { StatusRecorder } from './status/status-recorder.ts';

const { emailAccounts } = schema;

export interface EngineOptions {
  imap?: Partial<ImapSyncOptions>;
  pop3?: Partial<Pop3SyncOptions>;
  leases?: Partial<LeaseTimings>;
  /** Start Correio's SMTP receiver for built-in addresses (default true). */
  inboundSmtp?: boolean;
  /** Status model window (30 minutes by default). */
  statusWindowMs?: number;
  /** A mailbox that has not proved itself alive for this long is marked STALLED and reconnected. */
  watchdogMs?: number;
  /** Sending: polling, leases, retry policy, SMTP pool and TLS trust (see outbox/outbox-worker.ts). */
  outbox?: OutboxSettings;
  /** How often idle OAuth grants are looked at for their daily refresh (default hourly). */
  oauthKeepAliveEveryMs?: number;
}

interface RunningWorker {
  worker: MailboxWorker;
  fingerprint: string;
  startedAt: number;
}

/**
 * Supervises every mailbox this process owns: one worker per active account holding a lease,
 * restarted when its settings change, stopped when the account is deactivated or the lease is
 * lost, and marked STALLED by the watchdog when it stops proving itself alive.
 */
export class MailEngine {
  readonly importer: Importer;
  readonly status: StatusRecorder;
  readonly leases: LeaseManager;
  readonly outbox: OutboxWorker;
  /** Where every connection of this engine is resolved and checked (N5). */
  readonly destinations: Destinations;
  private readonly workers = new Map<string, RunningWorker>();
  private readonly periodic: Housekeeping;
  private inbound: InboundSmtpServer | null = null;
  private unsubscribe: (() => void) | null = null;
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private stopped = false;
  private readonly log: Logger;
  private readonly imapOptions: ImapSyncOptions;
  private readonly pop3Options: Pop3SyncOptions;
  private readonly leaseTimings: LeaseTimings;
  // Our leases are only trusted until the last successful renewal plus the TTL, minus a margin.
  private leasesValidUntil = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly options: EngineOptions = {},
  ) {
    this.log = runtime.logger.child({ component: 'mail-engine' });
    this.periodic = new Housekeeping(this.log, 'engine housekeeping');
    this.importer = new Importer(runtime);
    this.status = new StatusRecorder(runtime, options.statusWindowMs ?? INTERMITTENT_WINDOW_MS);
    this.imapOptions = { ...DEFAULT_IMAP_OPTIONS, ...options.imap };
    this.pop3Options = { ...DEFAULT_POP3_OPTIONS, ...options.pop3 };
    this.leaseTimings = { ...DEFAULT_LEASE_TIMINGS, ...options.leases };
    this.leases = new LeaseManager(runtime.database.db, `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, this.leaseTimings);
    this.destinations = new Destinations(runtime.config.privateHosts, systemResolver());
    this.outbox = new OutboxWorker(runtime, this.status, this.leases.owner, this.destinations, outboxOptions(options.outbox));
  }

  get inboundSmtpPort(): number | null {
    return this.inbound?.port ?? null;
  }

  /** Account ids whose mailbox this process is syncing right now. */
  get ownedMailboxes(): string[] {
    return [...this.workers.keys()];
  }

  async start(): Promise<void> {
    const { config } = this.runtime;
    if (this.options.inboundSmtp !== false) {
      this.inbound = new InboundSmtpServer(this.runtime, this.importer, {
        host: config.inboundSmtpHost,
        port: config.inboundSmtpPort,
        maxMessageBytes: config.inboundMaxMessageBytes,
        inboundDomain: config.inboundDomain,
        maxConnections: config.inboundSmtpMaxConnections,
        maxConnectionsPerIp: config.inboundSmtpMaxConnectionsPerIp,
      });
      await this.inbound.start();
    }
    const iterator = this.runtime.events.pubsub.subscribe('engine');
    this.unsubscribe = () => void iterator.return?.();
    void (async () => {
      for await (const signal of iterator) {
        if (signal.kind === 'ACCOUNT_CHANGED') this.scheduleReconcile();
        if (signal.kind === 'OUTBOX_QUEUED') this.outbox.wake();
      }
    })();
    this.outbox.start();
    await this.reconcile();
    this.periodic.every(this.leaseTimings.heartbeatMs, () => this.scheduleReconcile());
    this.periodic.every(Math.min(30_000, this.options.watchdogMs ?? 30_000), () => this.watchdog());
    this.periodic.every(60_000, () => this.status.reevaluate());
    this.periodic.every(1000, () => this.enforceLeaseExpiry());
    // Idle OAuth grants are refreshed daily, so a refresh token never lapses unused (issue 13).
    this.periodic.every(this.options.oauthKeepAliveEveryMs ?? 3600_000, () => this.runtime.oauth.tokens.keepAlive().then(() => undefined));
    this.log.info({ owner: this.leases.owner }, 'mail engine started');
  }

  /**
   * Graceful stop (SIGTERM): mailboxes first — each worker ends its batch (committed, or rolled
   * back and fetched again by whoever syncs next) — then their leases are released at once, so
   * another engine takes them over within a heartbeat instead of after the lease TTL; then the
   * sends in flight get a few seconds to finish and be recorded.
   */
  async stop(options: { sendGraceMs?: number } = {}): Promise<void> {
    this.stopped = true;
    this.periodic.stop();
    this.unsubscribe?.();
    await this.reconciling?.catch(() => undefined);
    await Promise.all([...this.workers.values()].map((w) => w.worker.stop()));
    const released = this.workers.size;
    this.workers.clear();
    await this.leases.releaseAll().catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'could not release mailbox leases; they expire by themselves'));
    this.log.info({ mailboxes: released }, 'mailboxes stopped and released');
    // Other engines pick the mailboxes up on their next heartbeat; with REDIS_URL, right now.
    if (released) this.runtime.events.pubsub.publish('engine', { kind: 'ACCOUNT_CHANGED', accountId: '*' });
    await this.outbox.stop(options.sendGraceMs);
    await this.inbound?.stop();
    await this.importer.close();
  }

  /** Wakes an account's worker at once (new settings, a test that delivered mail). */
  wake(accountId: string): void {
    this.workers.get(accountId)?.worker.wake();
  }

  private scheduleReconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = this.reconcile()
      .catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'reconcile failed; retrying on the next heartbeat'))
      .finally(() => {
        this.reconciling = null;
        if (this.reconcileAgain && !this.stopped) {
          this.reconcileAgain = false;
          this.scheduleReconcile();
        }
      });
  }

  /** Brings running workers in line with the accounts table and the leases. */
  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const renewStarted = Date.now();
    const engines = await this.leases.heartbeat();
    const held = await this.leases.renew();
    this.leasesValidUntil = renewStarted + this.leaseTimings.ttlMs - Math.min(2000, this.leaseTimings.ttlMs / 4);
    const accounts = await this.runtime.database.db
      .select()
      .from(emailAccounts)
      .where(and(eq(emailAccounts.kind, 'EXTERNAL'), eq(emailAccounts.active, true), eq(emailAccounts.incomingEnabled, true), isNotNull(emailAccounts.incomingProtocol)));
    const wanted = new Map(accounts.map((a) => [a.id, a]));
    const fairShare = Math.ceil(accounts.length / engines);

    for (const [id, running] of this.workers) {
      const account = wanted.get(id);
      const lost = !held.has(id);
      if (!account || lost || fingerprint(account) !== running.fingerprint) {
        this.workers.delete(id);
        await running.worker.stop();
        if (lost) this.log.warn({ accountId: id }, 'mailbox lease lost; another engine took it over');
        else if (!account) await this.leases.release(id);
      }
    }
    // Shed mailboxes above our fair share so a newly started engine gets some.
    let surplus = this.workers.size - fairShare;
    for (const [id, running] of [...this.workers].sort((a, b) => b[1].startedAt - a[1].startedAt)) {
      if (surplus-- <= 0) break;
      this.workers.delete(id);
      await running.worker.stop();
      await this.leases.release(id);
    }
    for (const account of accounts) {
      if (this.stopped || this.workers.has(account.id) || this.workers.size >= fairShare) continue;
      if (!(await this.leases.acquire(account.id))) continue;
      this.startWorker(account);
    }
  }

  private startWorker(account: AccountRow): void {
    const deps = { runtime: this.runtime, importer: this.importer, status: this.status, destinations: this.destinations };
    const worker = account.incomingProtocol === 'POP3' ? new Pop3MailboxWorker(deps, account, this.pop3Options) : new ImapMailboxWorker(deps, account, this.imapOptions);
    this.workers.set(account.id, { worker, fingerprint: fingerprint(account), startedAt: Date.now() });
    worker.start();
  }

  /** Stops every worker when our leases can no longer be trusted (renewals failing, e.g. database gone). */
  private async enforceLeaseExpiry(): Promise<void> {
    if (!this.workers.size || Date.now() < this.leasesValidUntil) return;
    this.log.warn({ mailboxes: this.workers.size }, 'could not renew mailbox leases in time; pausing all mailboxes');
    const running = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(running.map((r) => r.worker.stop()));
  }

  private async watchdog(): Promise<void> {
    const bound = this.options.watchdogMs ?? 10 * 60_000;
    for (const [id, running] of this.workers) {
      const aliveAt = running.worker.lastAliveAt;
      if (Date.now() - Math.max(aliveAt, running.startedAt) < bound) continue;
      const [account] = await this.runtime.database.db.select().from(emailAccounts).where(eq(emailAccounts.id, id));
      if (!account) continue;
      this.log.warn({ accountId: id, silentForMs: Date.now() - aliveAt }, 'mailbox stalled; reconnecting');
      await this.status.failure(
        account,
        'INCOMING',
        new MailError('STALLED', 'FETCH', { text: text('mail.STALLED.silentFor', { seconds: Math.round((Date.now() - aliveAt) / 1000) }) }),
      );
      this.workers.delete(id);
      await running.worker.stop();
      this.startWorker(account);
    }
  }
}

/** Settings that require a reconnect when they change. */
function fingerprint(a: AccountRow): string {
  return [a.updatedAt.toISOString(), a.active, a.incomingEnabled, a.incomingProtocol, a.incomingHost, a.incomingPort, a.incomingEncryption, a.incomingUsername, a.incomingPasswordSealed, a.incomingFolder].join('|');
}
