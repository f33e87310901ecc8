import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { text } from '@correio/texts';
import { MailError } from '../../errors.ts';

/**
 * A socket read line by line, for the few commands a check speaks itself (greeting,
 * CAPABILITY/CAPA/EHLO, STARTTLS, goodbye). No timeouts here: the check's deadline aborts it by
 * destroying the socket, which rejects whatever read is pending. Its own failures are MailErrors;
 * the check's phase restamps where they happened.
 */
export class LineSocket {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(readonly socket: Socket | TLSSocket) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  readLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Reads lines until `isLast` says the response is complete; returns all of them. */
  async readUntil(isLast: (line: string) => boolean): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const line = await this.readLine();
      out.push(line);
      if (isLast(line)) return out;
    }
  }

  write(line: string): void {
    if (!this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  /**
   * Hands the socket to TLS (STARTTLS). Certificates are judged by the caller from the result
   * (`authorized`, `authorizationError`) so a bad one is reported in detail, not as a bare error.
   */
  upgrade(servername: string | undefined): Promise<TLSSocket> {
    // Anything the server sent after its STARTTLS answer arrived unencrypted: refuse it (RFC 3207 §4.2).
    if (this.buffer || this.lines.length) return Promise.reject(new MailError('TLS_HANDSHAKE_FAILED', 'TLS', { text: text('mail.TLS_HANDSHAKE_FAILED.dataAfterStarttls') }));
    this.detach();
    return new Promise((resolve, reject) => {
      const secure = tlsConnect({ socket: this.socket as Socket, servername, rejectUnauthorized: false }, () => resolve(secure));
      secure.once('error', reject);
    });
  }

  /** Says goodbye without waiting for the answer, then closes. */
  close(goodbye?: string): void {
    if (goodbye && !this.socket.destroyed && this.socket.writable) this.socket.end(`${goodbye}\r\n`);
    const socket = this.socket;
    setTimeout(() => socket.destroy(), 200).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    // latin1 keeps every byte; the lines a check reads are ASCII protocol text.
    this.buffer += chunk.toString('latin1');
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      this.push(this.buffer.slice(0, end).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(end + 1);
    }
    // A server that never ends its line is still a protocol error, not a hang.
    if (this.buffer.length > 16_384) this.onError(new MailError('PROTOCOL_ERROR', 'GREETING', { text: text('mail.PROTOCOL_ERROR.lineTooLong') }));
  };

  private readonly onError = (err: Error): void => {
    this.fail(err);
  };

  private readonly onClose = (): void => {
    this.fail(new MailError('CONNECTION_RESET', 'GREETING', { text: text('mail.CONNECTION_RESET.closedByServer') }));
  };

  private push(line: string): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(line);
    } else this.lines.push(line);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }
}
