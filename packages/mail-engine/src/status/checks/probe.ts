import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { toMailError } from '../../classify-error.ts';
import { MailError } from '../../errors.ts';
import type { EncryptionName } from '@correio/mail-settings';
import type { Destinations } from '../../net/destinations.ts';
import type { CheckRun } from './check-run.ts';
import { LineSocket } from './line-socket.ts';
import { judgeTls } from './tls-report.ts';

export type ProbeProtocol = 'IMAP' | 'POP3' | 'SMTP';

export interface ProbeTarget {
  protocol: ProbeProtocol;
  host: string;
  port: number;
  encryption: EncryptionName;
  /** Upgrade with STARTTLS when offered, without requiring it (a relay given as smtp://). */
  opportunisticTls?: boolean;
}

export interface ProbeResult {
  /** The address the name resolved to; the protocol session connects there too (one lookup per check). */
  address: string;
  /** The name certificates are checked against (undefined for an IP literal). */
  servername: string | undefined;
  /** Capabilities seen last (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO keywords), upper-cased. */
  capabilities: Set<string>;
  smtp: { authMechanisms: string[]; sizeLimit: number | null } | null;
}

/** Ports where a server waits for a TLS ClientHello and says nothing in plain text. */
const IMPLICIT_TLS_PORTS = new Set([993, 995, 465]);

/**
 * The transport half of a check, on a connection of its own: DNS, TCP connect, TLS (implicit or
 * STARTTLS, with the certificate judged in words), and the greeting (plus EHLO for SMTP). Each
 * step is a phase of `run`; the protocol session (login, mailbox) follows on a second
 * connection made by the same client library the live importer and sender use, so a check
 * passes exactly when real traffic would.
 */
export async function probeServer(run: CheckRun, target: ProbeTarget, destinations: Destinations): Promise<ProbeResult> {
  const { port, protocol, encryption } = target;
  const destination = await run.phase('DNS', () => resolveHost(destinations, target.host, port));
  const { host, addresses, servername } = destination;

  let socket: Socket | TLSSocket | null = null;
  let lines: LineSocket | null = null;
  const abort = () => socket?.destroy();
  let finished = false;
  try {
    const connected = await run.phase('CONNECT', () => connectAny(addresses, port, host, (s) => (socket = s)), { abort });
    socket = connected.socket;
    const address = connected.address;

    if (encryption === 'SSL_TLS') {
      const plain: Socket = socket;
      socket = await run.phase('TLS', () => implicitTls(plain, servername, host, port, (s) => (socket = s)), { abort });
    }

    lines = new LineSocket(socket);
    const current = lines;
    const greeting = await run.phase('GREETING', () => greet(current, protocol, port), {
      abort,
      explain: (e) =>
        e.code === 'TIMEOUT' && encryption !== 'SSL_TLS' && IMPLICIT_TLS_PORTS.has(port)
          ? new MailError('TIMEOUT', 'GREETING', { message: `${e.message} Port ${port} usually expects TLS from the first byte.`, hint: 'Choose SSL/TLS for this port, or use the STARTTLS port (143, 110 or 587).', transient: false })
          : e,
    });
    let capabilities = greeting.capabilities;
    let smtp = greeting.smtp;

    if (encryption === 'STARTTLS' || (encryption === 'NONE' && target.opportunisticTls)) {
      const before = lines;
      const upgraded = await run.phase(
        'TLS',
        async () => {
          const outcome = await startTls(before, protocol, capabilities, servername, host, encryption === 'STARTTLS', (s) => (socket = s));
          return outcome;
        },
        { abort },
      );
      if (upgraded) {
        lines = upgraded.lines;
        capabilities = upgraded.capabilities;
        smtp = upgraded.smtp ?? smtp;
      }
    } else if (encryption === 'NONE') {
      run.note('TLS', 'Not encrypted (encryption: none): the password and every message cross the network readable.');
    }
    finished = true;
    lines.close(protocol === 'IMAP' ? 'Z LOGOUT' : 'QUIT');
    return { address, servername, capabilities, smtp };
  } finally {
    if (!finished) (socket as Socket | TLSSocket | null)?.destroy();
  }
}

async function resolveHost(destinations: Destinations, host: string, port: number) {
  const destination = await destinations.resolve(host, port);
  const list = destination.addresses;
  const detail = destination.servername
    ? `${destination.host} → ${list[0]}${list.length > 1 ? ` (and ${list.length - 1} more)` : ''}.`
    : `${destination.host} is an IP address; no lookup needed.`;
  return { value: destination, detail };
}

/**
 * Tries the addresses in order until one connects (a name with an IPv6 address on an IPv4-only
 * network, or `localhost` answering on 127.0.0.1 only); reports the first address's failure.
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
      if (err.code === 'ECONNREFUSED')
        reject(new MailError('CONNECTION_REFUSED', 'CONNECT', { message: `${host}:${port} refused the connection: nothing listens on this port, or a firewall rejects it.`, cause: err }));
      else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'EADDRNOTAVAIL')
        reject(new MailError('CONNECTION_REFUSED', 'CONNECT', { message: `No network route to ${host} (${address}).`, transient: true, cause: err }));
      else reject(err);
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
  const text = `${err.code ?? ''} ${err.message}`;
  if (/wrong version number|packet length too long|unknown protocol|http request|record layer failure/i.test(text))
    return new MailError('TLS_MISMATCH', 'TLS', { message: `Port ${port} does not speak TLS from the first byte: the server answered in plain text.`, cause: err });
  if (err.code === 'ECONNRESET' || /socket disconnected|closed/i.test(err.message))
    return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { message: 'The server closed the connection during the TLS handshake.', cause: err });
  return new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { message: `The TLS handshake failed: ${err.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:/i, '')}`, cause: err });
}

interface Greeting {
  capabilities: Set<string>;
  smtp: ProbeResult['smtp'];
}

async function greet(lines: LineSocket, protocol: ProbeProtocol, port: number): Promise<{ value: Greeting; detail: string }> {
  if (protocol === 'SMTP') {
    const reply = await readSmtpReply(lines);
    if (reply.code !== 220) throw smtpRefusal(reply, port);
    const ehlo = await sendEhlo(lines);
    return {
      value: { capabilities: ehlo.capabilities, smtp: ehlo.smtp },
      detail: `SMTP server ready: “${clip(reply.text)}”; offers ${describeSmtp(ehlo.capabilities, ehlo.smtp)}.`,
    };
  }
  const line = await lines.readLine();
  if (protocol === 'IMAP') {
    if (/^\* (OK|PREAUTH)\b/i.test(line)) {
      const caps = /\[CAPABILITY ([^\]]*)\]/i.exec(line)?.[1];
      return { value: { capabilities: capabilitySet(caps), smtp: null }, detail: `IMAP server ready: “${clip(line.replace(/^\* \w+ (\[[^\]]*\] ?)?/, ''))}”.` };
    }
    if (/^\* BYE\b/i.test(line)) throw refusal(line, 'GREETING');
    throw wrongProtocol(line, 'IMAP', port);
  }
  if (line.startsWith('+OK')) return { value: { capabilities: new Set(), smtp: null }, detail: `POP3 server ready: “${clip(line.slice(3).trim())}”.` };
  if (line.startsWith('-ERR')) throw refusal(line, 'GREETING');
  throw wrongProtocol(line, 'POP3', port);
}

interface Upgraded {
  lines: LineSocket;
  capabilities: Set<string>;
  smtp: ProbeResult['smtp'];
}

async function startTls(
  lines: LineSocket,
  protocol: ProbeProtocol,
  known: Set<string>,
  servername: string | undefined,
  host: string,
  required: boolean,
  track: (s: TLSSocket) => void,
): Promise<{ value: Upgraded | null; detail: string }> {
  let offered: boolean;
  if (protocol === 'IMAP') {
    const caps = known.size ? known : await imapCapabilities(lines, 'T1');
    offered = caps.has('STARTTLS');
  } else if (protocol === 'POP3') {
    const caps = await pop3Capabilities(lines);
    // Without CAPA a server may still know STLS; asking is the only way to find out.
    offered = caps === null || caps.has('STLS');
  } else offered = known.has('STARTTLS');

  if (offered) {
    if (protocol === 'IMAP') {
      lines.write('T2 STARTTLS');
      const answer = (await lines.readUntil((l) => l.startsWith('T2 '))).at(-1)!;
      offered = /^T2 OK/i.test(answer);
    } else if (protocol === 'POP3') {
      lines.write('STLS');
      offered = (await lines.readLine()).startsWith('+OK');
    } else {
      lines.write('STARTTLS');
      offered = (await readSmtpReply(lines)).code === 220;
    }
  }
  if (!offered) {
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
  if (protocol === 'SMTP') {
    // Capabilities before STARTTLS cannot be trusted (RFC 3207 §4.2); AUTH often appears only now.
    const ehlo = await sendEhlo(upgraded);
    return { value: { lines: upgraded, capabilities: ehlo.capabilities, smtp: ehlo.smtp }, detail: `STARTTLS: ${detail.replace(/\.$/, '')}; then offers ${describeSmtp(ehlo.capabilities, ehlo.smtp)}.` };
  }
  return { value: { lines: upgraded, capabilities: new Set(), smtp: null }, detail: `STARTTLS: ${detail}` };
}

async function imapCapabilities(lines: LineSocket, tag: string): Promise<Set<string>> {
  lines.write(`${tag} CAPABILITY`);
  const answer = await lines.readUntil((l) => l.startsWith(`${tag} `));
  const line = answer.find((l) => /^\* CAPABILITY /i.test(l));
  return capabilitySet(line?.slice('* CAPABILITY '.length));
}

async function pop3Capabilities(lines: LineSocket): Promise<Set<string> | null> {
  lines.write('CAPA');
  const status = await lines.readLine();
  if (!status.startsWith('+OK')) return null;
  const body = await lines.readUntil((l) => l === '.');
  return new Set(body.slice(0, -1).map((l) => l.split(' ')[0]!.toUpperCase()));
}

interface SmtpReply {
  code: number;
  text: string;
  lines: string[];
}

async function readSmtpReply(lines: LineSocket): Promise<SmtpReply> {
  const all = await lines.readUntil((l) => !/^\d{3}-/.test(l));
  const last = all.at(-1)!;
  const code = /^\d{3}(?= |$)/.test(last) ? Number(last.slice(0, 3)) : NaN;
  return { code, text: all.map((l) => l.slice(4)).join(' ').trim(), lines: all };
}

async function sendEhlo(lines: LineSocket): Promise<{ capabilities: Set<string>; smtp: NonNullable<ProbeResult['smtp']> }> {
  const local = lines.socket.localAddress ?? '127.0.0.1';
  // An address literal is always a valid EHLO argument; a made-up name may be refused.
  lines.write(`EHLO ${isIP(local) === 6 ? `[IPv6:${local}]` : `[${local.replace(/^::ffff:/, '')}]`}`);
  const reply = await readSmtpReply(lines);
  if (reply.code !== 250) {
    const transient = reply.code >= 400 && reply.code < 500;
    throw new MailError(transient ? 'SERVER_UNAVAILABLE' : 'PROTOCOL_ERROR', 'GREETING', { message: `The server refused EHLO: ${clip(reply.lines.join(' '))}`, serverResponse: reply.lines.join('\n'), transient });
  }
  const keywords = reply.lines.slice(1).map((l) => l.slice(4).trim());
  const capabilities = new Set(keywords.map((k) => k.split(/[ =]/)[0]!.toUpperCase()));
  const auth = keywords.find((k) => /^AUTH[ =]/i.test(k));
  const size = keywords.find((k) => /^SIZE\b/i.test(k));
  const limit = size ? Number(size.split(/\s+/)[1]) : NaN;
  return {
    capabilities,
    smtp: { authMechanisms: auth ? auth.slice(5).trim().toUpperCase().split(/\s+/).filter(Boolean) : [], sizeLimit: Number.isFinite(limit) && limit > 0 ? limit : null },
  };
}

function describeSmtp(caps: Set<string>, smtp: ProbeResult['smtp']): string {
  const parts: string[] = [];
  if (caps.has('STARTTLS')) parts.push('STARTTLS');
  if (smtp?.authMechanisms.length) parts.push(`AUTH ${smtp.authMechanisms.join(' ')}`);
  if (smtp?.sizeLimit) parts.push(`messages up to ${Math.round(smtp.sizeLimit / 1024 / 1024)} MB`);
  return parts.length ? parts.join(', ') : 'no extensions';
}

/**
 * A greeting that refuses us. The server's words are not echoed: until it has said `220`,
 * `* OK` or `+OK` nothing says it is a mail server at all (N5). Its words still pick the code.
 */
function smtpRefusal(reply: SmtpReply, port: number): MailError {
  if (Number.isNaN(reply.code)) return wrongProtocol(reply.lines[0] ?? '', 'SMTP', port);
  const classified = toMailError({ message: reply.text, responseCode: reply.code }, 'GREETING');
  if (classified.code === 'RATE_LIMITED') return new MailError('RATE_LIMITED', 'GREETING', { message: `The server is throttling connections (reply ${reply.code}).` });
  if (reply.code >= 400 && reply.code < 500)
    return new MailError('SERVER_UNAVAILABLE', 'GREETING', { message: `The server is temporarily not accepting connections (reply ${reply.code}).` });
  return new MailError('SERVER_UNAVAILABLE', 'GREETING', {
    message: `The server refuses connections from Correio (reply ${reply.code}).`,
    transient: false,
    hint: 'The server rejects this network address (a block list or a policy). Ask the provider to allow it.',
  });
}

function refusal(line: string, phase: 'GREETING'): MailError {
  const classified = toMailError({ message: line }, phase);
  if (classified.code === 'RATE_LIMITED') return new MailError('RATE_LIMITED', phase, { message: 'The server is throttling connections.' });
  return new MailError('SERVER_UNAVAILABLE', phase, { message: 'The server refused the connection in its greeting.' });
}

/** A greeting from another kind of server says which port the admin probably meant; its bytes stay out. */
function wrongProtocol(line: string, expected: ProbeProtocol, port: number): MailError {
  const seen = /^\* (OK|PREAUTH|BYE)/i.test(line)
    ? 'an IMAP server'
    : /^[+-](OK|ERR)/.test(line)
      ? 'a POP3 server'
      : /^\d{3}[ -]/.test(line)
        ? 'an SMTP server'
        : /^HTTP\/|^</i.test(line)
          ? 'a web server'
          : /^SSH-/.test(line)
            ? 'an SSH server'
            : null;
  return new MailError('PROTOCOL_MISMATCH', 'GREETING', {
    message: `Port ${port} does not speak ${expected}${seen ? `: it answers like ${seen}` : ''}.`,
  });
}

function capabilitySet(list: string | undefined): Set<string> {
  return new Set((list ?? '').split(/\s+/).filter(Boolean).map((c) => c.toUpperCase()));
}

function clip(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
