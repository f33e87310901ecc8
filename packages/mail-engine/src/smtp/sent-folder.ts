import type { AccountRow, Logger, SecretBox } from '@correio/core';
import { toMailError } from '../mail-error-rules.ts';
import { createImapClient } from '../imap/connection.ts';
import type { Destinations } from '../net/destinations.ts';
import { incomingConnectionOf } from '../settings/connection-settings.ts';

// Providers that already file every message submitted over SMTP into Sent: a second copy would be a duplicate.
const SAVES_SUBMITTED_MAIL = new Set(['gmail', 'outlook']);
// Copies wait in memory for their account's next IMAP session; past this they are dropped (and logged).
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** Whether a sent message should also be filed in the account's IMAP Sent folder. */
export function keepsSentCopies(account: Pick<AccountRow, 'kind' | 'incomingProtocol' | 'incomingHost' | 'providerId'>): boolean {
  return account.kind === 'EXTERNAL' && account.incomingProtocol === 'IMAP' && !!account.incomingHost && !SAVES_SUBMITTED_MAIL.has(account.providerId ?? '');
}

interface Pending {
  account: AccountRow;
  raws: Buffer[];
  bytes: number;
}

/**
 * Files a copy of every sent message in the account's Sent folder (IMAP APPEND, \Seen), so the
 * mailbox stays complete for people who also open it in a mail client. Copies of one account are
 * batched into one short IMAP session. The importer never takes them for customer mail: their
 * Message-IDs were stored as outgoing before they were sent, and Sent is never imported.
 * Best effort by design: delivery already succeeded, so a failed copy is logged, never retried forever.
 */
export class SentFolderSaver {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly secrets: SecretBox,
    private readonly destinations: Destinations,
    private readonly log: Logger,
    private readonly options: { timeoutMs: number; tls?: { rejectUnauthorized?: boolean } } = { timeoutMs: 30_000 },
    /** OAuth mailboxes' access tokens (issue 13). */
    private readonly oauthToken: (account: AccountRow) => Promise<string> = () => Promise.reject(new Error('no OAuth token source')),
  ) {}

  save(account: AccountRow, raw: Buffer): void {
    if (!keepsSentCopies(account)) return;
    const entry = this.pending.get(account.id) ?? { account, raws: [], bytes: 0 };
    if (entry.bytes + raw.length > MAX_QUEUED_BYTES) {
      this.log.warn({ workspaceId: account.workspaceId, accountId: account.id }, 'too many sent copies waiting for the IMAP Sent folder; this copy is not saved');
      return;
    }
    entry.account = account;
    entry.raws.push(raw);
    entry.bytes += raw.length;
    this.pending.set(account.id, entry);
    if (!this.running.has(account.id)) {
      const run = this.flush(account.id).finally(() => this.running.delete(account.id));
      this.running.set(account.id, run);
    }
  }

  /** Waits for the copies in progress (engine shutdown). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  private async flush(accountId: string): Promise<void> {
    for (;;) {
      const batch = this.pending.get(accountId);
      if (!batch || !batch.raws.length) return;
      this.pending.delete(accountId);
      await this.append(batch.account, batch.raws);
    }
  }

  private async append(account: AccountRow, raws: Buffer[]): Promise<void> {
    let client: ReturnType<typeof createImapClient> | null = null;
    try {
      const settings = incomingConnectionOf(account, this.secrets, account.oauthProvider ? await this.oauthToken(account) : null);
      if (!settings) return;
      const destination = await this.destinations.resolve(settings.host, settings.port);
      client = createImapClient({ ...settings, host: destination.addresses[0]! }, { servername: destination.servername, timeoutMs: this.options.timeoutMs, ...(this.options.tls ? { tls: this.options.tls } : {}) });
      client.on('error', () => undefined);
      await client.connect();
      // \Sent by SPECIAL-USE, or by its well-known (localized) name when the server has no SPECIAL-USE.
      const sent = (await client.list()).find((f) => f.specialUse === '\\Sent');
      if (!sent) {
        this.log.info({ workspaceId: account.workspaceId, accountId: account.id }, 'no Sent folder in this mailbox; sent copies are not saved');
        return;
      }
      for (const raw of raws) await client.append(sent.path, raw, ['\\Seen'], new Date());
      this.log.debug({ workspaceId: account.workspaceId, accountId: account.id, copies: raws.length }, 'sent copies saved to the Sent folder');
    } catch (err) {
      const error = toMailError(err, 'MAILBOX');
      this.log.warn({ workspaceId: account.workspaceId, accountId: account.id, code: error.code, error: error.message }, 'could not save sent copies to the Sent folder');
    } finally {
      const open = client;
      await open?.logout().catch(() => open.close());
    }
  }
}
