import { providerAuthHint } from '@correio/texts';
import type { AccountRow, Logger, Runtime } from '@correio/core';
import { toMailError } from './mail-error-rules.ts';
import { MailError, type Phase } from './errors.ts';
import { Backoff } from './imap/backoff.ts';
import { isDatabaseUnavailable } from './pipeline/database-errors.ts';
import type { Destinations } from './net/destinations.ts';
import type { Importer } from './pipeline/importer.ts';
import { findProvider } from '@correio/mail-settings';
import type { StatusRecorder } from './status/status-recorder.ts';
import type { ConnectGate } from './cluster/connect-gate.ts';
import { WakeableSleep } from './util/wakeable-sleep.ts';

export interface WorkerDeps {
  runtime: Runtime;
  importer: Importer;
  status: StatusRecorder;
  /** Every connection resolves and checks its host here first (private-network policy). */
  destinations: Destinations;
  /** Every login of this engine waits its turn here (issue 17). */
  connectGate: ConnectGate;
  /** Called when a login works again after the server had been unreachable: the others on it may follow now. */
  serverBack?: (server: string) => void;
}

/** What a worker is doing, for the engine's gauges: `idle` is IMAP IDLE (or a POP3/poll wait). */
export type WorkerState = 'waiting' | 'connecting' | 'syncing' | 'idle';

// Phases in which a worker talks to the mail server only, never to the database.
const MAIL_SERVER_PHASES: ReadonlySet<Phase> = new Set(['DNS', 'CONNECT', 'TLS', 'GREETING', 'AUTH']);

/**
 * What IMAP and POP3 workers share: a loop that runs until stopped, a sleep new mail or new
 * settings can cut short, and one way of recovering from a failure — back off, and tell the
 * status model, except when the database is what failed (then nothing about the mailbox is known).
 */
export abstract class MailboxWorker {
  protected stopped = false;
  /** Last time a sync or keep-alive succeeded (the engine's watchdog reads it). */
  lastAliveAt = Date.now();
  state: WorkerState = 'waiting';
  protected readonly sleeper = new WakeableSleep();
  protected readonly backoff: Backoff;
  protected readonly log: Logger;
  private loop: Promise<void> | null = null;

  constructor(
    protected readonly deps: WorkerDeps,
    protected readonly account: AccountRow,
    backoff: { minMs: number; maxMs: number },
    protocol: 'imap' | 'pop3',
  ) {
    this.backoff = new Backoff(backoff.minMs, backoff.maxMs);
    this.log = deps.runtime.logger.child({ workspaceId: account.workspaceId, accountId: account.id, protocol });
  }

  /** `jitterMs`: the first login waits a random 0..jitterMs (an engine starting many mailboxes at once). */
  get workspaceId(): string {
    return this.account.workspaceId;
  }

  /** The account as the status recorder takes it. */
  get statusAccount(): AccountRow {
    return this.account;
  }

  start(options: { jitterMs?: number } = {}): void {
    this.loop ??= this.spreadOut(options.jitterMs ?? 0).then(() => this.run());
  }

  private async spreadOut(jitterMs: number): Promise<void> {
    if (jitterMs > 0) await this.sleeper.sleep(Math.random() * jitterMs);
  }

  /**
   * Waits for a login slot; the caller releases it once the mailbox is selected (or the login
   * failed). A worker stopped while queued gives its slot straight back.
   */
  protected async loginSlot(): Promise<() => void> {
    this.state = 'waiting';
    const release = await this.deps.connectGate.enter();
    if (this.stopped) {
      release();
      throw new Error('stopped');
    }
    this.state = 'connecting';
    return release;
  }

  wake(): void {
    this.sleeper.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.trigger();
    this.disconnect();
    await this.loop;
  }

  protected abstract run(): Promise<void>;

  /** Drops the connection at once, so a stop does not wait for a server. */
  protected abstract disconnect(): void;

  /** Set after the server refused our OAuth token: the next attempt asks the provider for a new one. */
  private forceTokenRefresh = false;
  private retriedWithFreshToken = false;

  /** OAuth accounts (issue 13): a current access token, fresh from the provider when the last one was refused. */
  protected async oauthToken(): Promise<string | null> {
    if (!this.account.oauthProvider) return null;
    const force = this.forceTokenRefresh;
    this.forceTokenRefresh = false;
    return this.deps.runtime.oauth.tokens.accessToken(this.account, { force });
  }

  /** Called once a login worked. */
  protected loggedIn(): void {
    this.retriedWithFreshToken = false;
    this.connectedOnce = true;
    if (this.unreachable) {
      this.unreachable = false;
      this.deps.serverBack?.(this.server);
    }
  }

  private connectedOnce = false;

  /** Whether a login of this worker (these settings) ever worked. */
  get hasConnected(): boolean {
    return this.connectedOnce;
  }
  /** Set after a transient failure (server down, reset, timeout), until a login works. */
  private unreachable = false;
  private backingOff = false;

  /** The incoming server, as host:port: workers of one server recover together. */
  get server(): string {
    return `${this.account.incomingHost ?? ''}:${this.account.incomingPort ?? ''}`;
  }

  /**
   * Whether a "server is back" wake applies: backing off after a transient failure. One backing
   * off from a refused password keeps its long backoff (retrying it would only get it locked).
   */
  get waitingForServer(): boolean {
    return this.unreachable && this.backingOff;
  }

  /**
   * `serverSide`: the mail server's connection is what broke (it dropped under us). Socket error
   * codes such as ECONNREFUSED are the same whichever server refused, so they alone cannot tell
   * a database outage from a mail server restart; the phase and the connection's state can.
   */
  protected async recover(err: unknown, phase: Phase, options: { serverSide?: boolean } = {}): Promise<void> {
    if (this.account.oauthProvider && !this.retriedWithFreshToken && toMailError(err, phase).code === 'AUTH_FAILED') {
      // The token was refused before its expiry: retry at once with a new one. If the provider
      // refuses that refresh too, the grant is gone and that error is the one reported.
      this.retriedWithFreshToken = true;
      this.forceTokenRefresh = true;
      this.log.info('the server refused the OAuth access token; retrying with a fresh one');
      return;
    }
    if (!options.serverSide && !MAIL_SERVER_PHASES.has(phase) && isDatabaseUnavailable(err)) {
      this.log.warn({ err: { message: (err as Error).message } }, 'database unavailable; the mailbox waits and resumes from its last committed message');
      await this.sleeper.sleep(this.backoff.next(true));
      return;
    }
    let error = toMailError(err, phase, { authHint: providerAuthHint(this.account.providerId) ?? undefined });
    // A server that took this mailbox's logins and now refuses connections is restarting, not
    // misconfigured: retried on the short, transient backoff, and shown INTERMITTENT (issue 17).
    if (!error.transient && this.hasConnected && error.code === 'CONNECTION_REFUSED')
      error = new MailError(error.code, error.phase, { serverResponse: error.serverResponse, cause: err, text: error.text, hintText: error.hintText, transient: true });
    this.log.warn({ code: error.code, phase: error.phase, serverResponse: error.serverResponse }, 'mailbox sync failed');
    await this.deps.status.failure(this.account, 'INCOMING', error, { fromCheck: false }).catch(() => undefined);
    this.unreachable = error.transient;
    this.backingOff = true;
    try {
      await this.sleeper.sleep(this.backoff.next(error.transient));
    } finally {
      this.backingOff = false;
    }
  }
}
