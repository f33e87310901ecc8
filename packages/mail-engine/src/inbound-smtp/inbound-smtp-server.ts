import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { schema, type Runtime, type AccountRow } from '@correio/core';
import { and, eq, sql } from 'drizzle-orm';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { isDatabaseUnavailable } from '../pipeline/database-errors.ts';
import type { Importer } from '../pipeline/importer.ts';

const { emailAccounts } = schema;

export interface InboundSmtpOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Parent domain of built-in addresses. */
  inboundDomain: string;
  /** Connections at once, in total and from one client address (INBOUND_SMTP_MAX_CONNECTIONS[_PER_IP]). */
  maxConnections: number;
  maxConnectionsPerIp: number;
}

type SmtpError = Error & { responseCode?: number };
const smtpError = (responseCode: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode });

/**
 * Correio's own receiver for built-in addresses (A1). Recipients are checked at RCPT time, so
 * mail for unknown or inactive addresses is refused before any data is sent; the message is
 * answered 250 only after it is committed (or kept as a failed import), and a database outage
 * answers 451 so the sending server retries later: nothing is lost either way.
 */
export class InboundSmtpServer {
  private server: SMTPServer | null = null;
  // Sessions counted against the limits, by client address; refused ones are never counted.
  private readonly counted = new Map<string, string>();
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly runtime: Runtime,
    private readonly importer: Importer,
    private readonly options: InboundSmtpOptions,
  ) {}

  get port(): number {
    return (this.server?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const log = this.runtime.logger.child({ component: 'inbound-smtp' });
    const server = new SMTPServer({
      name: `mx.${this.options.inboundDomain}`,
      banner: 'Correio inbound',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: this.options.maxMessageBytes,
      logger: false,
      // A PTR lookup per connection costs a DNS query for every stranger and gives nothing we use.
      disableReverseLookup: true,
      onConnect: (session, callback) => callback(this.admit(session)),
      onClose: (session) => this.release(session),
      onRcptTo: (address, session, callback) => {
        this.accountFor(address.address)
          .then((account) => {
            if (!account) return callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
            (session as SMTPServerSession & { accounts?: AccountRow[] }).accounts = [...((session as { accounts?: AccountRow[] }).accounts ?? []), account];
            callback();
          })
          .catch((err) => {
            log.warn({ err: { message: (err as Error).message } }, 'recipient lookup failed');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          });
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session as SMTPServerSession & { accounts?: AccountRow[] })
          .then(() => callback())
          .catch((err: SmtpError) => {
            if (!err.responseCode) log.error({ err: { message: err.message } }, 'inbound message failed');
            callback(err.responseCode ? err : smtpError(451, '4.3.0 Temporary failure, try again later'));
          });
      },
    });
    server.on('error', (err) => log.warn({ err: { message: err.message } }, 'smtp receiver error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    log.info({ port: this.port }, 'SMTP receiver for built-in addresses is listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Correio's own limits, so one sender cannot hold every connection: the 421 says which one was hit. */
  private admit(session: SMTPServerSession): SmtpError | undefined {
    const ip = session.remoteAddress;
    if (this.counted.size >= this.options.maxConnections)
      return smtpError(421, `4.3.2 Too many connections to this server right now (limit ${this.options.maxConnections}); try again later`);
    const mine = this.perIp.get(ip) ?? 0;
    if (mine >= this.options.maxConnectionsPerIp)
      return smtpError(421, `4.7.0 Too many connections from your address (limit ${this.options.maxConnectionsPerIp}); try again later`);
    this.perIp.set(ip, mine + 1);
    this.counted.set(session.id, ip);
    return undefined;
  }

  private release(session: SMTPServerSession): void {
    const ip = this.counted.get(session.id);
    if (ip === undefined) return;
    this.counted.delete(session.id);
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(ip, left);
    else this.perIp.delete(ip);
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession & { accounts?: AccountRow[] }): Promise<void> {
    // Store the raw bytes once, streaming; every recipient account imports the same blob.
    const copy = new PassThrough();
    stream.pipe(copy);
    const stored = await this.runtime.blobs.put(copy);
    if (stream.sizeExceeded) {
      await this.runtime.blobs.delete(stored.key);
      throw smtpError(552, `5.3.4 Message too big: the limit is ${Math.floor(this.options.maxMessageBytes / 1024 / 1024)} MB`);
    }
    const queueId = randomUUID();
    const seen = new Set<string>();
    for (const account of session.accounts ?? []) {
      if (seen.has(account.id)) continue;
      seen.add(account.id);
      try {
        await this.importer.import(account, {
          sourceKey: `smtp:${queueId}`,
          raw: { blobKey: stored.key },
          receivedAt: new Date(),
          historical: false,
          // The receiver saw the connection itself: SPF is checked against it (W9).
          arrival: { smtp: { ip: session.remoteAddress, helo: session.hostNameAppearsAs || null, mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null } },
        });
      } catch (err) {
        if (isDatabaseUnavailable(err)) throw smtpError(451, '4.3.0 Temporary failure storing the message, try again later');
        throw err;
      }
    }
  }

  private async accountFor(address: SMTPServerAddress['address']): Promise<AccountRow | null> {
    const [account] = await this.runtime.database.db
      .select()
      .from(emailAccounts)
      .where(and(eq(sql`lower(${emailAccounts.address})`, address.toLowerCase()), eq(emailAccounts.kind, 'BUILTIN'), eq(emailAccounts.active, true), eq(emailAccounts.incomingEnabled, true)));
    return account ?? null;
  }
}
