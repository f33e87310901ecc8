import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { schema, type Runtime } from '@correio/core';
import { and, eq, sql } from 'drizzle-orm';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { isDatabaseUnavailable } from '../pipeline/database-errors.ts';
import type { AccountRow } from '../pipeline/ingest.ts';
import type { Importer } from '../pipeline/importer.ts';

const { emailAccounts } = schema;

export interface InboundSmtpOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Parent domain of built-in addresses. */
  inboundDomain: string;
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
        await this.importer.import(account, { sourceKey: `smtp:${queueId}`, raw: { blobKey: stored.key }, receivedAt: new Date(), historical: false });
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
