import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { schema, type Logger, type Runtime, type AccountRow } from '@correio/core';
import { text } from '@correio/texts';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { ConnectGate, DEFAULT_CONNECT_PACING, type ConnectPacing } from './cluster/connect-gate.ts';
import { DEFAULT_LEASE_TIMINGS, LeaseManager, type LeaseTimings } from './cluster/leases.ts';
import { MailError } from './errors.ts';
import { Destinations } from './net/destinations.ts';
import { systemResolver } from './util/dns-resolver.ts';
import { Housekeeping } from './util/housekeeping.ts';
import type { MailboxWorker, WorkerState } from './mailbox-worker.ts';
import { InboundSmtpServer } from './inbound-smtp/inbound-smtp-server.ts';
import { OutboxWorker, outboxOptions, type OutboxSettings } from './outbox/outbox-worker.ts';
import { DEFAULT_IMAP_OPTIONS, ImapMailboxWorker, type ImapSyncOptions } from './imap/mailbox-sync.ts';
import { Importer } from './pipeline/importer.ts';
import { DEFAULT_POP3_OPTIONS, Pop3MailboxWorker, type Pop3SyncOptions } from './pop3/pop3-sync.ts';
import { INTERMITTENT_WINDOW_MS } from './status/status-model.ts';
import { StatusRecorder } from './status/status-recorder.ts';

const { emailAccounts, engineNodes, mailboxLeases } = schema;

/** Mailboxes handed to another engine per step when rebalancing: one release statement each, never a mass drop. */
const SHED_STEP = 25;
const SHED_PAUSE_MS = 100;

export interface EngineStats {
  /** Mailboxes this engine owns, by what their worker is doing. */
  mailboxes: Record<WorkerState, number>;
  loginsInFlight: number;
  loginsQueued: number;
  loginsPeak: number;
  connectLimit: number;
  /** Engines alive in the cluster, as of the last heartbeat. */
  engines: number;
}

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
  /** Login pacing: concurrent logins per engine, and the spread of a start's first logins (issue 17). */
  connect?: Partial<ConnectPacing>;
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
  private stopListening: (() => Promise<void>) | null = null;
  private readonly gate: ConnectGate;
  private readonly pacing: ConnectPacing;
  private liveEngines: string[] = [];
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private stopped = false;
  private readonly log: Logger;
  private readonly imapOptions: ImapSyncOptions;
  private readonly pop3Options: Pop3SyncOptions;
  private readonly leaseTimings: LeaseTimings;
  // Our leases are only trusted until the last successful renewal plus the TTL, minus a margin.
  private leasesValidUntil = 0;
  private pausedForLeases = false;
  private reconcileFailed = false;

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
    this.pacing = { ...DEFAULT_CONNECT_PACING, ...options.connect };
    this.gate = new ConnectGate(this.pacing.concurrency);
  }

  stats(): EngineStats {
    const mailboxes: Record<WorkerState, number> = { waiting: 0, connecting: 0, syncing: 0, idle: 0 };
    for (const { worker } of this.workers.values()) mailboxes[worker.state] += 1;
    return { mailboxes, loginsInFlight: this.gate.active, loginsQueued: this.gate.queued, loginsPeak: this.gate.peak, connectLimit: this.gate.limit, engines: this.liveEngines.length };
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
    // Accounts edited, leases released, engines joining or leaving: every engine hears it from
    // PostgreSQL (migration 0014's triggers) and re-reads, so nothing is scanned on a timer.
    this.stopListening = await this.runtime.database
      .listen('correio_engine', {
        onNotify: (payload) => (payload.startsWith('check:') ? void this.checkLive(payload.slice('check:'.length)) : this.scheduleReconcile()),
        onListening: () => this.scheduleReconcile(),
      })
      .catch((err: Error) => {
        this.log.warn({ err: { message: err.message } }, 'could not listen for cluster changes; other engines are seen at heartbeats only');
        return null;
      });
    // Through the same single-flight path as notifications: two reconciles at once would both
    // claim the same mailboxes and start two workers for one.
    this.scheduleReconcile();
    await this.reconciling;
    this.periodic.every(this.leaseTimings.heartbeatMs, () => this.beat({ reconcile: true }));
    this.periodic.every(Math.min(30_000, this.options.watchdogMs ?? 30_000), () => this.watchdog());
    this.periodic.every(60_000, () => this.status.reevaluate());
    this.periodic.every(60_000, () => this.status.flushAlive());
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
    await this.stopListening?.().catch(() => undefined);
    await this.reconciling?.catch(() => undefined);
    await Promise.all([...this.workers.values()].map((w) => w.worker.stop()));
    const released = this.workers.size;
    this.workers.clear();
    await this.status.flushAlive().catch(() => undefined);
    // Releasing notifies the other engines (a trigger), which take the mailboxes over at once.
    await this.leases.releaseAll().catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'could not release mailbox leases; they expire by themselves'));
    this.log.info({ mailboxes: released }, 'mailboxes stopped and released');
    await this.outbox.stop(options.sendGraceMs);
    await this.inbound?.stop();
    await this.importer.close();
  }

  /**
   * A status refresh of a workspace (issue 17): each of its mailboxes this engine holds with a
   * live connection is checked through it (NOOP) and recorded as a check. The API process checked
   * the others with a login; one whose connection dropped just now records its reconnection.
   */
  async checkLive(workspaceId: string): Promise<void> {
    // POP3 mailboxes hold no connection between polls: the API process checked those itself.
    const mine = [...this.workers.values()].map((w) => w.worker).filter((w): w is ImapMailboxWorker => w instanceof ImapMailboxWorker && w.workspaceId === workspaceId);
    await Promise.all(
      mine.map(async (worker) => {
        if (worker.connected && (await worker.checkLive())) await this.status.success(worker.statusAccount, 'INCOMING', { fromCheck: true });
      }),
    ).catch((err: Error) => this.log.warn({ workspaceId, err: { message: err.message } }, 'live status check failed'));
  }

  /**
   * One mailbox of a server that was down logged in again: the others backing off from the same
   * outage stop waiting out their (by now long, exponential) backoff and queue for a login slot,
   * so a restarted server has every mailbox back at the gate's pace instead of minutes later.
   */
  private serverBack(server: string): void {
    let woken = 0;
    for (const { worker } of this.workers.values()) {
      if (worker.server !== server || !worker.waitingForServer) continue;
      worker.wake();
      woken += 1;
    }
    if (woken) this.log.info({ server, mailboxes: woken }, 'mail server reachable again; reconnecting its mailboxes');
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
      .catch((err: Error) => {
        this.reconcileFailed = true;
        this.log.warn({ err: { message: err.message } }, 'reconcile failed; retrying on the next heartbeat');
      })
      .finally(() => {
        this.reconciling = null;
        if (this.reconcileAgain && !this.stopped) {
          this.reconcileAgain = false;
          this.scheduleReconcile();
        }
      });
  }

  /**
   * Proves this engine alive: one statement renews every lease it holds. The other engines'
   * rows come back with it, so an engine joining or dying (its row expiring) is noticed here,
   * by time, without reading any mailbox.
   */
  private async beat(options: { reconcile: boolean }): Promise<void> {
    const started = Date.now();
    const { engines, lapsed } = await this.leases.heartbeat();
    this.leasesValidUntil = started + this.leaseTimings.ttlMs - Math.min(2000, this.leaseTimings.ttlMs / 4);
    const changed = engines.join('\n') !== this.liveEngines.join('\n');
    this.liveEngines = engines;
    if (lapsed && this.workers.size) this.log.warn('this engine was seen as gone for a while; checking which mailboxes are still ours');
    // Workers paused because renewals failed come back with the first heartbeat that works.
    if (options.reconcile && (changed || lapsed || this.pausedForLeases || this.reconcileFailed)) this.scheduleReconcile();
  }

  /**
   * Brings running workers in line with the accounts, the leases and this engine's fair share.
   * Runs when something changed (a notification, the set of live engines), never on a timer.
   */
  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    this.pausedForLeases = false;
    this.reconcileFailed = false;
    // The fair share needs the engines alive now: a notification that an engine joined may
    // arrive before this engine's next heartbeat would have told it.
    await this.beat({ reconcile: false });
    const rows = await this.runtime.database.db
      .select({
        account: emailAccounts,
        owner: mailboxLeases.owner,
        ownerAlive: sql<boolean>`exists (select 1 from ${engineNodes} n where n.id = ${mailboxLeases.owner} and n.expires_at > now())`,
      })
      .from(emailAccounts)
      .leftJoin(mailboxLeases, eq(mailboxLeases.accountId, emailAccounts.id))
      .where(and(eq(emailAccounts.kind, 'EXTERNAL'), eq(emailAccounts.active, true), eq(emailAccounts.incomingEnabled, true), isNotNull(emailAccounts.incomingProtocol)));
    const wanted = new Map(rows.map((r) => [r.account.id, r]));
    const fairShare = Math.ceil(rows.length / Math.max(1, this.liveEngines.length));

    const gone: string[] = [];
    for (const [id, running] of this.workers) {
      const row = wanted.get(id);
      const takenOver = !!row && row.owner !== this.leases.owner && row.owner !== null && row.ownerAlive;
      if (!row || takenOver || fingerprint(row.account) !== running.fingerprint) {
        this.workers.delete(id);
        await running.worker.stop();
        if (takenOver) this.log.warn({ accountId: id }, 'mailbox lease lost; another engine took it over');
        else if (!row) gone.push(id);
      }
    }
    await this.leases.release(gone);

    // Above our share (an engine joined): hand mailboxes over. Those still waiting for their
    // first login cost nothing to hand over and go at once; connected ones go a step at a time,
    // newest first. Each is stopped before its lease is released, so no mailbox is ever synced
    // by two engines.
    const surplus = this.workers.size - fairShare;
    if (surplus > 0) {
      const candidates = [...this.workers].sort((a, b) => Number(connected(a[1])) - Number(connected(b[1])) || b[1].startedAt - a[1].startedAt);
      const notConnected = candidates.filter(([, running]) => !connected(running)).length;
      const shed = candidates.slice(0, Math.min(surplus, Math.max(notConnected, SHED_STEP)));
      for (const [id] of shed) this.workers.delete(id);
      await Promise.all(shed.map(([, running]) => running.worker.stop()));
      await this.leases.release(shed.map(([id]) => id));
      this.log.info({ handedOver: shed.length, remaining: surplus - shed.length }, 'rebalancing: mailboxes handed to other engines');
      if (surplus > shed.length) this.scheduleReconcileIn(SHED_PAUSE_MS);
      return;
    }

    const room = fairShare - this.workers.size;
    if (room <= 0) return;
    const free = shuffled(rows.filter((r) => !this.workers.has(r.account.id) && (r.owner === null || r.owner === this.leases.owner || !r.ownerAlive)));
    const attempt = free.slice(0, room);
    const claimed = await this.leases.claim(attempt.map((r) => r.account.id));
    // A burst larger than the login limit is spread over the jitter window; a single new account is not delayed.
    const jitterMs = claimed.length > this.gate.limit ? this.pacing.jitterMs : 0;
    for (const id of claimed) if (!this.stopped && !this.workers.has(id)) this.startWorker(wanted.get(id)!.account, jitterMs);
    // Another engine won some of them: there may be more free ones for us.
    if (claimed.length < attempt.length && free.length > attempt.length) this.scheduleReconcileIn(SHED_PAUSE_MS);
  }

  private scheduleReconcileIn(ms: number): void {
    setTimeout(() => this.scheduleReconcile(), ms).unref();
  }

  private startWorker(account: AccountRow, jitterMs = 0): void {
    const deps = { runtime: this.runtime, importer: this.importer, status: this.status, destinations: this.destinations, connectGate: this.gate, serverBack: (server: string) => this.serverBack(server) };
    const worker = account.incomingProtocol === 'POP3' ? new Pop3MailboxWorker(deps, account, this.pop3Options) : new ImapMailboxWorker(deps, account, this.imapOptions);
    this.workers.set(account.id, { worker, fingerprint: fingerprint(account), startedAt: Date.now() });
    worker.start({ jitterMs });
  }

  /** Stops every worker when our leases can no longer be trusted (renewals failing, e.g. database gone). */
  private async enforceLeaseExpiry(): Promise<void> {
    if (!this.workers.size || Date.now() < this.leasesValidUntil) return;
    this.log.warn({ mailboxes: this.workers.size }, 'could not renew mailbox leases in time; pausing all mailboxes');
    const running = [...this.workers.values()];
    this.workers.clear();
    this.pausedForLeases = true;
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

/** Whether a worker has had a session (a mailbox waiting for its first login is free to hand over). */
function connected(running: RunningWorker): boolean {
  return running.worker.hasConnected;
}

/** Engines starting together try different mailboxes first instead of contending for the same rows. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
