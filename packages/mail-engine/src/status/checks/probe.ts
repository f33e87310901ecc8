import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { EncryptionName } from '@correio/mail-settings';
import { text, type ServerText } from '@correio/texts';
import { toMailError } from '../../mail-error-rules.ts';
import { MailError, summaryText } from '../../errors.ts';
import type { Destinations } from '../../net/destinations.ts';
import type { CheckRun } from './check-run.ts';
import { DIALECTS } from './dialects/index.ts';
import type { Dialect, Greeting, ProbeProtocol } from './dialects/types.ts';
import { LineSocket } from './line-socket.ts';
import { certificateText, judgeTls } from './tls-report.ts';

export type { ProbeProtocol } from './dialects/types.ts';

export interface ProbeTarget {
  protocol: ProbeProtocol;
  host: string;
  port: number;
  encryption: EncryptionName;
  /** Upgrade with STARTTLS when offered, without requiring it (a relay given as smtp://). */
  opportunisticTls?: boolean;
}

export interface ProbeResult extends Greeting {
  /** The checked address the name resolved to; the session check connects there too (one lookup per check). */
  address: string;
  /** The name certificates are checked against (undefined for an IP literal). */
  servername: string | undefined;
}

/** Ports where a server waits for a TLS ClientHello and says nothing in plain text. */
const IMPLICIT_TLS_PORTS = new Set([993, 995, 465]);

/**
 * The transport half of a check, on a connection of its own: DNS (with the private-network
 * policy), TCP connect, TLS (implicit or STARTTLS, with the certificate judged in words), and the
 * greeting in the protocol's dialect. Each step is a phase of `run`; the session (login, mailbox)
 * follows on a second connection made by the same client library the live importer and sender
 * use, so a check passes exactly when real traffic would. Every failure is coded by the one rule
 * table (toMailError); this file only adds what it knows about the step (host, port).
 */
export async function probeServer(run: CheckRun, target: ProbeTarget, destinations: Destinations): Promise<ProbeResult> {
  const { port, encryption } = target;
  const dialect = DIALECTS[target.protocol];
  const { host, addresses, servername } = await run.phase('DNS', () => resolveHost(destinations, target.host, port));

  let socket: Socket | TLSSocket | null = null;
  const abort = () => socket?.destroy();
  let finished = false;
  try {
    const connected = await run.phase('CONNECT', () => connectAny(addresses, port, host, (s) => (socket = s)), { abort });
    socket = connected.socket;
    if (encryption === 'SSL_TLS') {
      const plain: Socket = socket;
      socket = await run.phase('TLS', () => implicitTls(plain, servername, host, port, (s) => (socket = s)), { abort });
    }

    let lines = new LineSocket(socket);
    const plainLines = lines;
    let greeting = await run.phase('GREETING', () => dialect.greet(plainLines, port), {
      abort,
      explain: (e) =>
        e.code === 'TIMEOUT' && encryption !== 'SSL_TLS' && IMPLICIT_TLS_PORTS.has(port)
          ? new MailError('TIMEOUT', 'GREETING', { text: text('mail.TIMEOUT.expectsTls', { seconds: run.timeoutSeconds, port }), hintText: text('mail.TIMEOUT.expectsTls.hint'), transient: false })
          : e,
    });

    if (encryption === 'STARTTLS' || (encryption === 'NONE' && target.opportunisticTls)) {
      const upgraded = await run.phase('TLS', () => startTls(dialect, plainLines, greeting, servername, host, encryption === 'STARTTLS', (s) => (socket = s)), { abort });
      if (upgraded) ({ lines, greeting } = upgraded);
    } else if (encryption === 'NONE') {
      run.note('TLS', text('check.tls.none'));
    }
    finished = true;
    lines.close(dialect.goodbye);
    return { address: connected.address, servername, ...greeting };
  } finally {
    if (!finished) (socket as Socket | TLSSocket | null)?.destroy();
  }
}

async function resolveHost(destinations: Destinations, host: string, port: number) {
  const destination = await destinations.resolve(host, port);
  const list = destination.addresses;
  const { host: name } = destination;
  const detail = !destination.servername
    ? text('check.dns.ipLiteral', { host: name })
    : list.length > 1
      ? text('check.dns.resolvedMore', { host: name, address: list[0]!, more: list.length - 1 })
      : text('check.dns.resolved', { host: name, address: list[0]! });
  return { value: destination, detail };
}

/**
 * Tries the checked addresses in order until one connects (a name with an IPv6 address on an
 * IPv4-only network, or `localhost` answering on 127.0.0.1 only); reports the first one's failure.
 */
async function connectAny(addresses: string[], port: number, host: string, track: (s: Socket) => void) {
  let first: unknown;
  for (const address of addresses) {
    try {
      const { value, detail } = await connectTcp(address, port, host, track);
      return { value: { socket: value, address }, detail };
    } catch (err) {
      first ??= err;
    }
  }
  throw first;
}

function connectTcp(address: string, port: number, host: string, track: (s: Socket) => void) {
  return new Promise<{ value: Socket; detail: ServerText }>((resolve, reject) => {
    const started = performance.now();
    const s = netConnect({ host: address, port });
    track(s);
    s.once('connect', () => {
      s.off('error', onError);
      resolve({ value: s, detail: text('check.connect.connected', { address: address.includes(':') ? `[${address}]` : address, port, ms: Math.round(performance.now() - started) }) });
    });
    const onError = (err: NodeJS.ErrnoException) => {
      const error = toMailError(err, 'CONNECT');
      if (error.code !== 'CONNECTION_REFUSED') return reject(error);
      const said = error.transient ? text('mail.CONNECTION_REFUSED.noRoute', { host, address }) : text('mail.CONNECTION_REFUSED.refused', { host, port });
      reject(new MailError(error.code, 'CONNECT', { text: said, transient: error.transient, cause: err }));
    };
    s.once('error', onError);
  });
}

function implicitTls(plain: Socket, servername: string | undefined, host: string, port: number, track: (s: TLSSocket) => void) {
  return new Promise<{ value: TLSSocket; detail: ServerText }>((resolve, reject) => {
    const secure = tlsConnect({ socket: plain, servername, rejectUnauthorized: false }, () => {
      secure.off('error', onError);
      try {
        resolve({ value: secure, detail: certificateText(judgeTls(secure, host)) });
      } catch (err) {
        reject(err);
      }
    });
    track(secure);
    const onError = (err: NodeJS.ErrnoException) => reject(tlsFailure(err, port));
    secure.once('error', onError);
  });
}

/** A handshake that failed before any certificate was seen: a plain-text server, or no common ground. */
function tlsFailure(err: NodeJS.ErrnoException, port: number): MailError {
  const error = toMailError(err, 'TLS');
  if (error.code === 'TLS_MISMATCH')
    return new MailError('TLS_MISMATCH', 'TLS', { text: port ? text('mail.TLS_MISMATCH.plainText', { port }) : text('mail.TLS_MISMATCH.plainTextHere'), cause: err });
  // A connection dropped mid-handshake is the handshake's failure, not a network hiccup.
  if (error.code === 'CONNECTION_RESET') return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { text: text('mail.TLS_HANDSHAKE_FAILED.closed'), cause: err });
  return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { text: summaryText('TLS_HANDSHAKE_FAILED', err.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:/i, '')), cause: err });
}

async function startTls(
  dialect: Dialect,
  lines: LineSocket,
  greeting: Greeting,
  servername: string | undefined,
  host: string,
  required: boolean,
  track: (s: TLSSocket) => void,
): Promise<{ value: { lines: LineSocket; greeting: Greeting } | null; detail: ServerText }> {
  if (!(await dialect.requestStartTls(lines, greeting))) {
    if (!required) return { value: null, detail: text('check.tls.noStarttls') };
    throw new MailError('STARTTLS_UNSUPPORTED', 'TLS', { text: text('mail.STARTTLS_UNSUPPORTED.required') });
  }
  let secure: TLSSocket;
  try {
    secure = await lines.upgrade(servername);
  } catch (err) {
    throw err instanceof MailError ? err : tlsFailure(err as NodeJS.ErrnoException, 0);
  }
  track(secure);
  const certificate = judgeTls(secure, host);
  const upgraded = new LineSocket(secure);
  const after = dialect.afterStartTls ? await dialect.afterStartTls(upgraded) : { capabilities: new Set<string>(), smtp: null };
  return { value: { lines: upgraded, greeting: after }, detail: certificateText(certificate, { starttls: true, extensions: dialect.describe(after) }) };
}
