import type { ImapFlow } from 'imapflow';
import { MailError } from '../../errors.ts';
import { createImapClient } from '../../imap/connection.ts';
import { Pop3Client } from '../../pop3/pop3-client.ts';
import type { IncomingConnection } from '../../settings/connection-settings.ts';
import type { Destinations } from '../../net/destinations.ts';
import type { CheckRun } from './check-run.ts';
import { importableFolder } from '../../imap/importable-folder.ts';
import { probeServer } from './probe.ts';

/**
 * IMAP: the transport probe, then imapflow (the live importer's client) logs in, lists the
 * folders and opens the import folder read-write, as the importer will.
 */
export async function checkImap(run: CheckRun, settings: IncomingConnection, destinations: Destinations): Promise<void> {
  const probe = await probeServer(run, { protocol: 'IMAP', host: settings.host, port: settings.port, encryption: settings.encryption }, destinations);
  if (!settings.password) throw missingPassword(run, 'incoming');
  const client = createImapClient({ ...settings, host: probe.address }, { timeoutMs: run.remaining(), servername: probe.servername });
  // imapflow reports socket errors as events too; the phase's own rejection carries them.
  client.on('error', () => undefined);
  const abort = () => client.close();
  try {
    await run.phase(
      'AUTH',
      async () => {
        await client.connect();
        return { value: null, detail: `Logged in as ${settings.username}.` };
      },
      { abort },
    );
    await run.phase('MAILBOX', () => openFolder(client, settings.folder), { abort });
  } finally {
    if (client.usable) await client.logout().catch(() => client.close());
    else client.close();
  }
}

async function openFolder(client: ImapFlow, folder: string) {
  const entry = importableFolder(await client.list(), folder);
  const mailbox = await client.mailboxOpen(entry.path);
  if (mailbox.readOnly)
    throw new MailError('FOLDER_READ_ONLY', 'MAILBOX', { message: `“${folder}” opens read-only: Correio could not mark or remove imported messages.` });
  const idle = client.capabilities.has('IDLE');
  return {
    value: null,
    detail: `“${mailbox.path}”: ${mailbox.exists} message${mailbox.exists === 1 ? '' : 's'}, read-write; ${idle ? 'IDLE supported: new mail shows up within a second' : 'no IDLE: Correio polls for new mail'}.`,
  };
}

/** POP3: the transport probe, then our POP3 client (the live importer's) logs in and runs STAT. */
export async function checkPop3(run: CheckRun, settings: IncomingConnection, destinations: Destinations): Promise<void> {
  const probe = await probeServer(run, { protocol: 'POP3', host: settings.host, port: settings.port, encryption: settings.encryption }, destinations);
  if (!settings.password) throw missingPassword(run, 'incoming');
  const client = new Pop3Client({ host: probe.address, port: settings.port, encryption: settings.encryption, timeoutMs: run.remaining(), servername: probe.servername });
  const abort = () => client.close();
  try {
    await run.phase(
      'AUTH',
      async () => {
        await client.connect();
        await client.login(settings.username, settings.password);
        return { value: null, detail: `Logged in as ${settings.username}.` };
      },
      { abort },
    );
    await run.phase(
      'MAILBOX',
      async () => {
        const { count, size } = await client.stat();
        const caps = await client.loadCapabilities();
        // The importer identifies messages by UIDL; without it every poll would look new.
        if (caps.size && !caps.has('UIDL'))
          throw new MailError('PROTOCOL_ERROR', 'MAILBOX', { message: 'The server does not support UIDL, which Correio needs to import each message exactly once.', transient: false, hint: 'Use IMAP for this mailbox.' });
        return { value: null, detail: `${count} message${count === 1 ? '' : 's'} (${formatBytes(size)}) waiting.` };
      },
      { abort },
    );
    await client.quit().catch(() => undefined);
  } finally {
    client.close();
  }
}

/** No stored password: the login would fail for a reason the admin can fix in the form. */
function missingPassword(run: CheckRun, side: 'incoming' | 'outgoing'): MailError {
  const error = new MailError('NOT_CONFIGURED', 'AUTH', {
    message: `No ${side} password is saved for this account.`,
    hint: 'Type the password in the account settings and save again.',
  });
  run.phases.push({ phase: 'AUTH', ok: false, ms: 0, detail: error.message, error: { code: error.code, message: error.message, serverResponse: null, transient: false, hint: error.hint } });
  return error;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
