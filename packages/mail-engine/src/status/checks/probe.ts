import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { EncryptionName } from '@correio/mail-settings';
import { toMailError } from '../../mail-error-rules.ts';
import { MailError } from '../../errors.ts';
import type { Destinations } from '../../net/destinations.ts';
import type { CheckRun } from './check-run.ts';
import { DIALECTS } from './dialects/index.ts';
import type { Dialect, Greeting, ProbeProtocol } from './dialects/types.ts';
import { LineSocket } from './line-socket.ts';
import { judgeTls } from './tls-report.ts';

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
          ? new MailError('TIMEOUT', 'GREETING', { message: `${e.message} Port ${port} usually expects TLS from the first byte.`, hint: 'Choose SSL/TLS for this port, or use the STARTTLS port (143, 110 or 587).', transient: false })
          : e,
    });

    if (encryption === 'STARTTLS' || (encryption === 'NONE' && target.opportunisticTls)) {
      const upgraded = await run.phase('TLS', () => startTls(dialect, plainLines, greeting, servername, host, encryption === 'STARTTLS', (s) => (socket = s)), { abort });
      if (upgraded) ({ lines, greeting } = upgraded);
    } else if (encryption === 'NONE') {
      run.note('TLS', 'Not encrypted (encryption: none): the password or sign-in token and every message cross the network readable.');
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
  const detail = destination.servername ? `${destination.host} → ${list[0]}${list.length > 1 ? ` (and ${list.length - 1} more)` : ''}.` : `${destination.host} is an IP address; no lookup needed.`;
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
  return new Promise<{ value: Socket; detail: string }>((resolve, reject) => {
    const started = performance.now();
    const s = netConnect({ host: address, port });
    track(s);
    s.once('connect', () => {
      s.off('error', onError);
      resolve({ value: s, detail: `Connected to ${address.includes(':') ? `[${address}]` : address}:${port} in ${Math.round(performance.now() - started)} ms.` });
    });
    const onError = (err: NodeJS.ErrnoException) => {
      const error = toMailError(err, 'CONNECT');
      if (error.code !== 'CONNECTION_REFUSED') return reject(error);
      const message = error.transient ? `No network route to ${host} (${address}).` : `${host}:${port} refused the connection: nothing listens on this port, or a firewall rejects it.`;
      reject(new MailError(error.code, 'CONNECT', { message, transient: error.transient, cause: err }));
    };
    s.once('error', onError);
  });
}

function implicitTls(plain: Socket, servername: string | undefined, host: string, port: number, track: (s: TLSSocket) => void) {
  return new Promise<{ value: TLSSocket; detail: string }>((resolve, reject) => {
    const secure = tlsConnect({ socket: plain, servername, rejectUnauthorized: false }, () => {
      secure.off('error', onError);
      try {
        resolve({ value: secure, detail: judgeTls(secure, host).detail });
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
    return new MailError('TLS_MISMATCH', 'TLS', { message: `Port ${port || 'this port'} does not speak TLS from the first byte: the server answered in plain text.`, cause: err });
  // A connection dropped mid-handshake is the handshake's failure, not a network hiccup.
  if (error.code === 'CONNECTION_RESET') return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { message: 'The server closed the connection during the TLS handshake.', cause: err });
  return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { message: `The TLS handshake failed: ${err.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:/i, '')}`, cause: err });
}

async function startTls(
  dialect: Dialect,
  lines: LineSocket,
  greeting: Greeting,
  servername: string | undefined,
  host: string,
  required: boolean,
  track: (s: TLSSocket) => void,
): Promise<{ value: { lines: LineSocket; greeting: Greeting } | null; detail: string }> {
  if (!(await dialect.requestStartTls(lines, greeting))) {
    if (!required) return { value: null, detail: 'The server does not offer STARTTLS; the connection stays unencrypted.' };
    throw new MailError('STARTTLS_UNSUPPORTED', 'TLS', { message: 'The server does not offer STARTTLS, so the password would cross the network readable.' });
  }
  let secure: TLSSocket;
  try {
    secure = await lines.upgrade(servername);
  } catch (err) {
    throw err instanceof MailError ? err : tlsFailure(err as NodeJS.ErrnoException, 0);
  }
  track(secure);
  const { detail } = judgeTls(secure, host);
  const upgraded = new LineSocket(secure);
  const after = dialect.afterStartTls ? await dialect.afterStartTls(upgraded) : { capabilities: new Set<string>(), smtp: null };
  const offers = dialect.describe(after);
  return { value: { lines: upgraded, greeting: after }, detail: offers ? `STARTTLS: ${detail.replace(/\.$/, '')}; then offers ${offers}.` : `STARTTLS: ${detail}` };
}
