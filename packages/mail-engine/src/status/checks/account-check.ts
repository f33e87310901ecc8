import { providerAuthHint, text, type ServerText } from '@correio/texts';
import type { SecretBox } from '@correio/core';
import { MailError } from '../../errors.ts';
import { toMailError } from '../../mail-error-rules.ts';
import { incomingConnectionOf, outgoingConnectionOf, type AccountConnectionColumns, type OutgoingConnection } from '../../settings/connection-settings.ts';
import type { Destinations } from '../../net/destinations.ts';
import { isDirectionDisabled, type AccountSwitches, type Direction } from '../status-view.ts';
import { CheckRun, failedPhase, type PhaseResult } from './check-run.ts';
import { checkImapSession } from './dialects/imap.ts';
import { checkPop3Session } from './dialects/pop3.ts';
import { checkSmtpSession } from './dialects/smtp.ts';
import { probeServer } from './probe.ts';
import { providerOf } from './provider-hint.ts';
import { endpointOfAccount, relayEndpoint, type SmtpEndpoint } from '../../smtp/endpoint.ts';

/** Everything a check reads from an account: a stored row, or unsaved settings shaped like one. */
export type CheckableAccount = AccountConnectionColumns & AccountSwitches & { address: string; providerId: string | null };

export interface CheckEnvironment {
  secrets: SecretBox;
  /** Resolves and checks every host a check connects to (private-network policy). */
  destinations: Destinations;
  /** Bound of one direction's whole check (CORREIO_CHECK_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** SMTP_RELAY_URL: how built-in addresses send. */
  relayUrl: string | undefined;
  /** Whether Correio's SMTP receiver takes mail for built-in addresses, in words. */
  inboundReceiver: () => InboundReceiver;
  /** OAuth accounts (issue 13): an access token, refreshed when older than `maxAgeMs`. */
  oauthToken?: (account: CheckableAccount, options: { maxAgeMs: number; force?: boolean }) => Promise<{ token: string; expiresAt: Date | null }>;
}

/** Correio's own SMTP receiver as the CONFIG phase of a built-in address reports it. */
export interface InboundReceiver {
  ok: boolean;
  text: ServerText;
}

/**
 * A check asks the provider for a new token unless one was issued this recently: that refresh is
 * what proves the grant still stands (a revoked grant fails it), within one check.
 */
const CHECK_TOKEN_MAX_AGE_MS = 60_000;

/** The OAUTH phase: a token from the provider, or the provider's refusal in its own words. */
async function oauthPhase(run: CheckRun, account: CheckableAccount, env: CheckEnvironment, force = false): Promise<string | null> {
  if (!account.oauthProvider) return null;
  return run.phase('OAUTH', async () => {
    if (!env.oauthToken) throw new MailError('OAUTH_CLIENT_MISCONFIGURED', 'OAUTH', { text: text('mail.OAUTH_CLIENT_MISCONFIGURED.noTokenSource') });
    try {
      const { token, expiresAt } = await env.oauthToken(account, { maxAgeMs: CHECK_TOKEN_MAX_AGE_MS, force });
      const provider = account.oauthProvider === 'GOOGLE' ? 'Google' : 'Microsoft';
      return { value: token, detail: expiresAt ? text('check.oauth.tokenUntil', { provider, time: expiresAt.toISOString().slice(11, 16) }) : text('check.oauth.token', { provider }) };
    } catch (err) {
      throw toMailError(err, 'OAUTH');
    }
  });
}

export interface DirectionReport {
  direction: Direction;
  /** null: switched off or not configured (DISABLED), nothing was checked. */
  ok: boolean | null;
  phases: PhaseResult[];
  error: MailError | null;
  startedAt: Date;
  ms: number;
}

/** Checks one direction of an account, phase by phase. Never throws: failures are in the report. */
export async function checkDirection(
  account: CheckableAccount,
  direction: Direction,
  env: CheckEnvironment,
  waiting?: { onWaiting: () => void; afterMs: number },
): Promise<DirectionReport> {
  const startedAt = new Date();
  const started = performance.now();
  const report = (ok: boolean | null, phases: PhaseResult[], error: MailError | null): DirectionReport => ({ direction, ok, phases, error, startedAt, ms: Math.round(performance.now() - started) });
  if (isDirectionDisabled(account, direction)) return report(null, [], null);

  const run = new CheckRun(env.timeoutMs, { authHint: providerAuthHint(providerOf(account)?.id) ?? undefined, ...(waiting ? { onWaiting: waiting.onWaiting, waitingAfterMs: waiting.afterMs } : {}) });
  try {
    if (direction === 'INCOMING') await checkIncoming(run, account, env);
    else await checkOutgoing(run, account, env);
    return report(true, run.phases, null);
  } catch (err) {
    const error = err instanceof MailError ? err : new MailError('UNKNOWN', 'CONFIG', { text: text('mail.UNKNOWN.checkFailed', undefined, (err as Error).message), cause: err });
    return report(false, run.phases, error);
  }
}

async function checkIncoming(run: CheckRun, account: CheckableAccount, env: CheckEnvironment): Promise<void> {
  if (account.kind === 'BUILTIN') {
    await run.phase('CONFIG', async () => {
      const receiver = env.inboundReceiver();
      if (!receiver.ok) throw new MailError('NOT_CONFIGURED', 'CONFIG', { text: receiver.text, hintText: text('mail.NOT_CONFIGURED.noReceiver.hint') });
      return { value: null, detail: receiver.text };
    });
    return;
  }
  const settings = await run.phase('CONFIG', async () => {
    const connection = openSettings(() => incomingConnectionOf(account, env.secrets));
    if (!connection) throw new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('mail.NOT_CONFIGURED.receiving') });
    const { protocol, host, port, username: user } = connection;
    const encryption = encryptionName(connection.encryption);
    return { value: connection, detail: encryption ? text('check.config.incoming', { protocol, host, port, encryption, user }) : text('check.config.incomingPlain', { protocol, host, port, user }) };
  });
  const token = await oauthPhase(run, account, env);
  const probe = await probeServer(run, { protocol: settings.protocol, host: settings.host, port: settings.port, encryption: settings.encryption }, env.destinations);
  if (token) settings.accessToken = token;
  else if (!settings.password) throw missingPassword(run);
  const session = settings.protocol === 'POP3' ? checkPop3Session : checkImapSession;
  await withFreshTokenOnRefusal(run, account, env, token, (fresh) => {
    settings.accessToken = fresh;
    return session(run, settings, probe);
  });
}

async function checkOutgoing(run: CheckRun, account: CheckableAccount, env: CheckEnvironment): Promise<void> {
  if (account.kind === 'BUILTIN') {
    const relay = await run.phase('CONFIG', async () => {
      if (!env.relayUrl) throw new MailError('RELAY_NOT_CONFIGURED', 'CONFIG', { text: text('mail.RELAY_NOT_CONFIGURED.notSet') });
      // The sender's own parser: the check reads the URL exactly as sending will.
      const endpoint = relayEndpoint(env.relayUrl);
      if (endpoint instanceof MailError) throw endpoint;
      const { host, port, auth } = endpoint;
      return { value: endpoint, detail: auth ? text('check.config.relayUser', { host, port, user: auth.user }) : text('check.config.relay', { host, port }) };
    });
    await checkSmtp(run, relay, env);
    return;
  }
  const settings = await run.phase('CONFIG', async () => {
    const connection = openSettings(() => outgoingConnectionOf(account, env.secrets));
    if (!connection) throw new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('mail.NOT_CONFIGURED.sending') });
    return { value: connection, detail: outgoingDetail(connection) };
  });
  const token = await oauthPhase(run, account, env);
  await withFreshTokenOnRefusal(run, account, env, token, (fresh) => {
    if (fresh && settings.auth) settings.auth.accessToken = fresh;
    return checkSmtp(run, endpointOfAccount(settings), env);
  });
}

/**
 * The server refused a token the provider issued moments ago: it was revoked early. One forced
 * refresh (a second OAUTH phase) tells a grant that is gone (OAUTH_REAUTH_REQUIRED, in the
 * provider's words) from a token that merely went stale; in the second case the login is retried.
 */
async function withFreshTokenOnRefusal(run: CheckRun, account: CheckableAccount, env: CheckEnvironment, token: string | null, session: (token: string | null) => Promise<void>): Promise<void> {
  try {
    await session(token);
  } catch (err) {
    if (!token || !(err instanceof MailError) || err.code !== 'AUTH_FAILED') throw err;
    await session(await oauthPhase(run, account, env, true));
  }
}

async function checkSmtp(run: CheckRun, endpoint: SmtpEndpoint, env: CheckEnvironment): Promise<void> {
  const encryption = endpoint.tls === 'IMPLICIT' ? 'SSL_TLS' : endpoint.tls === 'STARTTLS' ? 'STARTTLS' : 'NONE';
  const probe = await probeServer(run, { protocol: 'SMTP', host: endpoint.host, port: endpoint.port, encryption, opportunisticTls: endpoint.tls === 'OPPORTUNISTIC' }, env.destinations);
  await checkSmtpSession(run, endpoint, probe);
}

/** No stored password: the login would fail for a reason the admin can fix in the form. */
function missingPassword(run: CheckRun): MailError {
  const error = new MailError('NOT_CONFIGURED', 'AUTH', { text: text('mail.NOT_CONFIGURED.noIncomingPassword'), hintText: text('mail.NOT_CONFIGURED.noIncomingPassword.hint') });
  run.phases.push(failedPhase('AUTH', error, 0));
  return error;
}

/** A sealed password that no longer opens means the key changed, not that the server is down. */
function openSettings<T>(open: () => T): T {
  try {
    return open();
  } catch (err) {
    throw new MailError('NOT_CONFIGURED', 'CONFIG', { text: text('mail.NOT_CONFIGURED.undecryptable'), hintText: text('mail.NOT_CONFIGURED.undecryptable.hint'), cause: err });
  }
}

/** The encryption by its protocol name; null for none, which the texts say in words. */
function encryptionName(e: string): string | null {
  return e === 'SSL_TLS' ? 'SSL/TLS' : e === 'STARTTLS' ? 'STARTTLS' : null;
}

function outgoingDetail(connection: OutgoingConnection): ServerText {
  const { host, port, auth } = connection;
  const encryption = encryptionName(connection.encryption);
  if (!auth) return encryption ? text('check.config.outgoingNoAuth', { host, port, encryption }) : text('check.config.outgoingPlainNoAuth', { host, port });
  const login = { host, port, user: auth.user, mechanism: auth.mechanism };
  return encryption ? text('check.config.outgoing', { ...login, encryption }) : text('check.config.outgoingPlain', login);
}
