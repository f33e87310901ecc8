import { availableParallelism } from 'node:os';
import type { Logger, Runtime } from '@correio/core';
import { text } from '@correio/texts';
import { Destinations } from '../../net/destinations.ts';
import { systemResolver, type DnsResolver } from '../../util/dns-resolver.ts';
import type { StatusAccount, StatusRecorder, StoredCheck } from '../status-recorder.ts';
import { isDirectionDisabled, type Direction } from '../status-view.ts';
import { checkDirection, type CheckableAccount, type CheckEnvironment, type DirectionReport, type InboundReceiver } from './account-check.ts';
import { CheckQueue } from './check-queue.ts';

export type CheckedAccount = CheckableAccount & StatusAccount;

export interface AccountCheckReport {
  accountId: string;
  incoming: DirectionReport;
  outgoing: DirectionReport;
}

export interface AccountCheckerOptions {
  /** Bound of one direction's check; default CORREIO_CHECK_TIMEOUT_SECONDS. */
  timeoutMs?: number;
  resolver?: DnsResolver;
  /** Checks working at once (default 8 per CPU core); see CheckQueue. */
  concurrency?: number;
  /** Checks a burst starts with; one more may start with every slot given back (default 4). */
  initialConcurrency?: number;
  /** A check whose server has said nothing for this long gives its slot back (default 300 ms). */
  waitingAfterMs?: number;
  /** Any check gives its slot back after this long (default 500 ms). */
  slowAfterMs?: number;
  /** Whether Correio's SMTP receiver takes mail for built-in addresses (default: "configured"). */
  inboundReceiver?: () => InboundReceiver;
}

const DIRECTIONS: Direction[] = ['INCOMING', 'OUTGOING'];

/**
 * Runs checks (A8–A10) and records them through the StatusRecorder — the same one live traffic
 * feeds — so a probe and the importer's own failures make one status. One per process: the
 * concurrency bound and the in-flight set are shared by every request.
 */
export class AccountChecker {
  readonly destinations: Destinations;
  private readonly queue: CheckQueue;
  private readonly inFlight = new Map<string, Promise<AccountCheckReport>>();
  private readonly timeoutMs: number;
  private readonly log: Logger;

  constructor(
    private readonly runtime: Runtime,
    private readonly recorder: StatusRecorder,
    private readonly options: AccountCheckerOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? runtime.config.engine.checkTimeoutMs;
    this.destinations = new Destinations(runtime.config.privateHosts, options.resolver ?? systemResolver());
    // Checks are CPU work on both ends (TLS, logins, the server's own processes), so a few per
    // core finish sooner than many at once; waiting on silent servers does not count (see CheckQueue).
    this.queue = new CheckQueue(options.concurrency ?? Math.max(8, availableParallelism() * 8), options.slowAfterMs ?? 500, options.initialConcurrency ?? 4);
    this.log = runtime.logger.child({ component: 'account-checks' });
  }

  /** The resolver checks and provider detection ask; replaceable so tests answer DNS without a network. */
  get resolver(): DnsResolver {
    return this.destinations.resolver;
  }

  set resolver(resolver: DnsResolver) {
    this.destinations.resolver = resolver;
  }

  /** Checks one saved account now and records the result; joins a check of it already running here. */
  check(account: CheckedAccount): Promise<AccountCheckReport> {
    const running = this.inFlight.get(account.id);
    if (running) return running;
    return this.start(account, this.recorder.checkingMany([{ account, directions: enabledDirections(account) }]));
  }

  /**
   * Puts every account into CHECKING with one write, then checks them in the background; each
   * result is recorded and published as it arrives. Resolves as soon as CHECKING is stored (the
   * caller answers with it; CHECKING is not published one account at a time); `done` resolves
   * when the last result is in.
   */
  async refresh(accounts: CheckedAccount[], options: { liveIncoming?: ReadonlySet<string> } = {}): Promise<{ done: Promise<AccountCheckReport[]> }> {
    const fresh = accounts.filter((a) => !this.inFlight.has(a.id));
    const marked = this.recorder.checkingMany(
      fresh.map((account) => ({ account, directions: enabledDirections(account) })),
      { publish: false },
    );
    // Registered before the first await, so a second refresh right now joins instead of doubling.
    // `liveIncoming`: mailboxes an engine holds a connection to check their incoming side through
    // (issue 17); only their outgoing side is checked here.
    const all = accounts.map((a) => this.inFlight.get(a.id) ?? this.start(a, marked, options.liveIncoming?.has(a.id) ? ['OUTGOING'] : DIRECTIONS));
    await marked;
    return { done: Promise.all(all) };
  }

  /** Unsaved settings ("save and test", A8): checked, never recorded. */
  async checkSettings(account: CheckableAccount): Promise<Omit<AccountCheckReport, 'accountId'>> {
    const env = this.environment();
    const [incoming, outgoing] = await this.queue.run((release) => Promise.all(DIRECTIONS.map((d) => checkDirection(account, d, env, this.waiting(release)))));
    return { incoming: incoming!, outgoing: outgoing! };
  }

  private start(account: CheckedAccount, marked: Promise<void>, directions: Direction[] = DIRECTIONS): Promise<AccountCheckReport> {
    const env = this.environment();
    const promise = marked
      .then(() =>
        this.queue.run(async (release) => {
          // Each direction is recorded (and published) the moment it finishes, not when both have.
          const waiting = this.waiting(release);
          const [incoming, outgoing] = await Promise.all(
            DIRECTIONS.map(async (direction) => {
              if (!directions.includes(direction)) return notCheckedHere(direction);
              const report = await checkDirection(account, direction, env, waiting);
              await this.record(account, report);
              return report;
            }),
          );
          return { workspaceId: account.workspaceId, accountId: account.id, incoming: incoming!, outgoing: outgoing! };
        }, account.workspaceId),
      )
      .finally(() => this.inFlight.delete(account.id));
    this.inFlight.set(account.id, promise);
    return promise;
  }

  private async record(account: CheckedAccount, report: DirectionReport): Promise<void> {
    if (report.ok === null) return;
    const check = storedCheck(report);
    try {
      if (report.ok) await this.recorder.success(account, report.direction, { fromCheck: true, check });
      else if (report.error) {
        this.log.info({ workspaceId: account.workspaceId, accountId: account.id, direction: report.direction, code: report.error.code, phase: report.error.phase, ms: report.ms }, 'account check failed');
        await this.recorder.failure(account, report.direction, report.error, { fromCheck: true, check });
      }
    } catch (err) {
      this.log.warn({ workspaceId: account.workspaceId, accountId: account.id, direction: report.direction, err: { message: (err as Error).message } }, 'could not record an account check');
    }
  }

  /** The slot goes back once either direction is only waiting on a silent server. */
  private waiting(release: () => void) {
    return { onWaiting: release, afterMs: this.options.waitingAfterMs ?? 300 };
  }

  private environment(): CheckEnvironment {
    const { config } = this.runtime;
    return {
      secrets: this.runtime.secrets,
      destinations: this.destinations,
      timeoutMs: this.timeoutMs,
      relayUrl: config.smtpRelayUrl,
      oauthToken: (account, options) => this.runtime.oauth.tokens.tokenWithExpiry(account, options),
      inboundReceiver:
        this.options.inboundReceiver ??
        (() => ({ ok: true, text: text('check.config.receiver', { port: config.inboundSmtpPort, domain: config.inboundDomain }) })),
    };
  }
}

/** A direction another process checks (an engine, through its live connection): nothing to record here. */
function notCheckedHere(direction: Direction): DirectionReport {
  return { direction, ok: null, phases: [], error: null, startedAt: new Date(), ms: 0 };
}

export function enabledDirections(account: StatusAccount): Direction[] {
  return DIRECTIONS.filter((d) => !isDirectionDisabled(account, d));
}

export function storedCheck(report: DirectionReport): StoredCheck {
  return { at: report.startedAt.toISOString(), ms: report.ms, ok: report.ok === true, phases: report.phases };
}
