import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { EncryptionName } from '@correio/mail-settings';
import { text, type ServerText } from '@correio/texts';

/**
 * A small RFC 1939 POP3 client (with RFC 2595 STLS and RFC 2449 CAPA).
 *
 * Why not a library: node-pop3 0.11, the most used one, frames responses by TCP chunk (a
 * terminator split across two packets hangs RETR, a split status line is misread), never undoes
 * dot-stuffing (lines starting with "." come back doubled) and has no STLS; yapople has no UIDL.
 * The protocol is line-based and tiny, so the correct version is shorter than the workarounds.
 */

export interface Pop3Options {
  host: string;
  port: number;
  encryption: EncryptionName;
  timeoutMs?: number;
  tls?: { rejectUnauthorized?: boolean };
  /** Name the certificate must carry when `host` is an address resolved beforehand (checks). */
  servername?: string | undefined;
}

export class Pop3Error extends Error {
  constructor(
    message: string,
    readonly response: string | null,
    readonly code: string = 'EPROTOCOL',
  ) {
    super(message);
    this.name = 'Pop3Error';
  }
}

/** A failure of this client itself (no server words): English for logs, and its text for people (see toMailError). */
function ownError(message: string, code: string, said: ServerText): Error {
  return Object.assign(new Error(message), { code, text: said });
}

type Reply = { status: string; body: Buffer | null; continuation?: boolean };
/** `continuation`: a SASL exchange, where the server may answer "+ <challenge>" instead of +OK/-ERR. */
type Pending = { multiline: boolean; continuation?: boolean; resolve: (r: Reply) => void; reject: (e: Error) => void };

const CRLF = Buffer.from('\r\n');

export class Pop3Client {
  private socket: Socket | TLSSocket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private current: { pending: Pending; status: string | null; lines: Buffer[] } | null = null;
  private closedError: Error | null = null;
  capabilities = new Set<string>();
  /** SASL mechanisms from CAPA (RFC 5034), upper-cased. */
  saslMechanisms = new Set<string>();

  constructor(private readonly options: Pop3Options) {}

  /** Connects, reads the greeting and upgrades with STLS when asked; resolves to the greeting. */
  async connect(): Promise<string> {
    const { host, port, encryption } = this.options;
    const tlsOptions = { rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true, servername: this.options.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host) };
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s: Socket | TLSSocket =
        encryption === 'SSL_TLS' ? tlsConnect({ host, port, ...tlsOptions }, () => resolve(s)) : netConnect({ host, port }, () => resolve(s));
      s.once('error', reject);
      s.setTimeout(this.options.timeoutMs ?? 30_000, () => s.destroy(ownError('Timed out waiting for the POP3 server', 'ETIMEDOUT', text('mail.TIMEOUT.pop3'))));
    });
    this.attach(socket);
    // Until the server has said +OK it is not known to be a POP3 server: its words go no further (N5).
    const greeting = await this.expect(false).catch((err: unknown) => {
      throw err instanceof Pop3Error ? new Pop3Error('The server did not greet like a POP3 server.', err.response, 'EGREETING') : err;
    });
    if (encryption === 'STARTTLS') {
      await this.loadCapabilities();
      if (!this.capabilities.has('STLS')) throw ownError('The server does not offer STARTTLS (STLS)', 'STARTTLS_UNSUPPORTED', text('mail.STARTTLS_UNSUPPORTED.stls'));
      await this.command('STLS');
      await this.upgrade(tlsOptions);
    }
    return greeting.status;
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`USER ${user}`);
    await this.command(`PASS ${password}`, false, 'PASS ***');
  }

  /**
   * OAuth 2.0 login (issue 13): OAUTHBEARER (RFC 7628) where the server offers it, else Google's
   * and Microsoft's XOAUTH2. The token goes as the initial response when the line stays within
   * RFC 5034's 255 octets, otherwise after the server's empty challenge (Microsoft's tokens are
   * JWTs of a few kilobytes). A refusal comes as a challenge carrying the reason in JSON, which
   * the client must acknowledge before the server says -ERR.
   */
  async loginOAuth(user: string, accessToken: string): Promise<void> {
    if (!this.saslMechanisms.size) await this.loadCapabilities();
    const mechanism = this.saslMechanisms.has('OAUTHBEARER') ? 'OAUTHBEARER' : 'XOAUTH2';
    const response = Buffer.from(
      mechanism === 'OAUTHBEARER'
        ? `n,a=${saslName(user)},\x01host=${this.options.servername ?? this.options.host}\x01port=${this.options.port}\x01auth=Bearer ${accessToken}\x01\x01`
        : `user=${user}\x01auth=Bearer ${accessToken}\x01\x01`,
    ).toString('base64');
    const shown = `AUTH ${mechanism} ***`;
    let reply: Reply;
    if (`AUTH ${mechanism} ${response}`.length <= 253) {
      reply = await this.command(`AUTH ${mechanism} ${response}`, false, shown, true);
    } else {
      reply = await this.command(`AUTH ${mechanism}`, false, shown, true);
      if (reply.continuation) reply = await this.command(response, false, shown, true);
    }
    if (!reply.continuation) return;
    // The refusal's details (RFC 7628 §3.2.2): {"status":"invalid_token",…}; ending the exchange brings the -ERR.
    const detail = Buffer.from(reply.status.replace(/^\+ ?/, ''), 'base64').toString('utf8').slice(0, 300);
    try {
      await this.command(mechanism === 'OAUTHBEARER' ? 'AQ==' : '', false, shown);
    } catch (err) {
      if (err instanceof Pop3Error) throw new Pop3Error(`${err.message}${detail ? ` (${detail})` : ''}`, `${err.response ?? ''}${detail ? ` ${detail}` : ''}`.trim());
      throw err;
    }
    throw Object.assign(new Pop3Error('The server refused the OAuth token.', detail || null), { text: text('mail.AUTH_FAILED.oauthTokenRefused') });
  }

  async loadCapabilities(): Promise<Set<string>> {
    try {
      const { body } = await this.command('CAPA', true);
      const capa = lines(body).map((l) => l.toUpperCase().split(' '));
      this.capabilities = new Set(capa.map((words) => words[0]!));
      this.saslMechanisms = new Set(capa.find((words) => words[0] === 'SASL')?.slice(1) ?? []);
    } catch (err) {
      if (!(err instanceof Pop3Error)) throw err;
      this.capabilities = new Set();
    }
    return this.capabilities;
  }

  async stat(): Promise<{ count: number; size: number }> {
    const { status } = await this.command('STAT');
    const [count, size] = status.split(' ').map(Number);
    return { count: count ?? 0, size: size ?? 0 };
  }

  /** Message number → unique id, for every message in the maildrop. */
  async uidl(): Promise<Array<{ number: number; uid: string }>> {
    const { body } = await this.command('UIDL', true);
    return lines(body).map((l) => {
      const [n, uid] = l.split(' ');
      return { number: Number(n), uid: uid ?? '' };
    });
  }

  /** Sizes per message number. */
  async list(): Promise<Map<number, number>> {
    const { body } = await this.command('LIST', true);
    return new Map(lines(body).map((l) => l.split(' ').map(Number) as [number, number]));
  }

  async retr(number: number): Promise<Buffer> {
    const { body } = await this.command(`RETR ${number}`, true);
    return body!;
  }

  async dele(number: number): Promise<void> {
    await this.command(`DELE ${number}`);
  }

  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private async command(line: string, multiline = false, shown = line, continuation = false): Promise<Reply> {
    if (!this.socket) throw this.closedError ?? ownError('Not connected', 'ECONNECTION', text('mail.CONNECTION_RESET.closedByServer'));
    const result = this.expect(multiline, shown, continuation);
    this.socket.write(`${line}\r\n`);
    return result;
  }

  private expect(multiline: boolean, shown = 'greeting', continuation = false): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        multiline,
        continuation,
        resolve,
        reject: (e) => reject(Object.assign(e, { command: shown })),
      };
      this.queue.push(pending);
      this.pump();
    });
  }

  private attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.pump();
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const p of [...(this.current ? [this.current.pending] : []), ...this.queue.splice(0)]) p.reject(err);
      this.current = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(ownError('The POP3 server closed the connection', 'ECONNRESET', text('mail.CONNECTION_RESET.closedByServer'))));
  }

  private upgrade(tlsOptions: { rejectUnauthorized: boolean; servername: string | undefined }): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    return new Promise((resolve, reject) => {
      const secure = tlsConnect({ socket: plain, ...tlsOptions }, () => {
        this.attach(secure);
        resolve();
      });
      secure.once('error', reject);
    });
  }

  /** Consumes complete lines from the buffer: status lines, then (for multiline answers) the dot-terminated body. */
  private pump(): void {
    for (;;) {
      if (!this.current) {
        const next = this.queue[0];
        if (!next) return;
        this.current = { pending: next, status: null, lines: [] };
      }
      const end = this.buffer.indexOf(CRLF);
      if (end < 0) return;
      const line = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end + 2);
      const cur = this.current;
      if (cur.status === null) {
        const text = line.toString('latin1');
        if (text.startsWith('-ERR')) {
          this.queue.shift();
          this.current = null;
          cur.pending.reject(new Pop3Error(`POP3 server said: ${text.slice(5) || '-ERR'}`, text));
          continue;
        }
        if (cur.pending.continuation && (text === '+' || text.startsWith('+ '))) {
          this.queue.shift();
          this.current = null;
          cur.pending.resolve({ status: text, body: null, continuation: true });
          continue;
        }
        if (!text.startsWith('+OK')) {
          this.queue.shift();
          this.current = null;
          cur.pending.reject(new Pop3Error(`Unexpected POP3 response: ${text.slice(0, 200)}`, text));
          continue;
        }
        cur.status = text.slice(4);
        if (!cur.pending.multiline) {
          this.queue.shift();
          this.current = null;
          cur.pending.resolve({ status: cur.status, body: null });
        }
        continue;
      }
      if (line.length === 1 && line[0] === 0x2e) {
        this.queue.shift();
        this.current = null;
        cur.pending.resolve({ status: cur.status, body: joinLines(cur.lines) });
        continue;
      }
      // Byte-stuffing: a line starting with "." was sent with one more.
      cur.lines.push(line[0] === 0x2e ? line.subarray(1) : line);
    }
  }
}

function joinLines(parts: Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) out.push(p, CRLF);
  return Buffer.concat(out);
}

function lines(body: Buffer | null): string[] {
  return (body?.toString('latin1') ?? '').split('\r\n').filter(Boolean);
}

/** RFC 7628's gs2 authzid: "," and "=" are escaped in the user name. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}
