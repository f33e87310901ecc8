import type { ImapFlow } from 'imapflow';
import { text } from '@correio/texts';
import { MailError } from '../../../errors.ts';
import { createImapClient } from '../../../imap/connection.ts';
import { importableFolder } from '../../../imap/importable-folder.ts';
import type { IncomingConnection } from '../../../settings/connection-settings.ts';
import type { CheckRun } from '../check-run.ts';
import type { ProbeResult } from '../probe.ts';
import { capabilitySet, clip, greetingRefusal, loggedIn, wrongProtocol } from './words.ts';
import type { Dialect } from './types.ts';

export const imapDialect: Dialect = {
  protocol: 'IMAP',
  goodbye: 'Z LOGOUT',
  async greet(lines, port) {
    const line = await lines.readLine();
    if (/^\* (OK|PREAUTH)\b/i.test(line)) {
      const caps = /\[CAPABILITY ([^\]]*)\]/i.exec(line)?.[1];
      return { value: { capabilities: capabilitySet(caps), smtp: null }, detail: text('check.greeting.imap', { banner: clip(line.replace(/^\* \w+ (\[[^\]]*\] ?)?/, '')) }) };
    }
    if (/^\* BYE\b/i.test(line)) throw greetingRefusal(line);
    throw wrongProtocol(line, 'IMAP', port);
  },
  async requestStartTls(lines, greeting) {
    const caps = greeting.capabilities.size ? greeting.capabilities : await capabilities(lines);
    if (!caps.has('STARTTLS')) return false;
    lines.write('T2 STARTTLS');
    return /^T2 OK/i.test((await lines.readUntil((l) => l.startsWith('T2 '))).at(-1)!);
  },
  describe: () => null,
};

async function capabilities(lines: Parameters<Dialect['greet']>[0]): Promise<Set<string>> {
  lines.write('T1 CAPABILITY');
  const answer = await lines.readUntil((l) => l.startsWith('T1 '));
  return capabilitySet(answer.find((l) => /^\* CAPABILITY /i.test(l))?.slice('* CAPABILITY '.length));
}

/** The session half: imapflow (the live importer's client) logs in, lists the folders and opens the import folder read-write, as the importer will. */
export async function checkImapSession(run: CheckRun, settings: IncomingConnection, probe: ProbeResult): Promise<void> {
  const client = createImapClient({ ...settings, host: probe.address }, { timeoutMs: run.remaining(), servername: probe.servername });
  // imapflow reports socket errors as events too; the phase's own rejection carries them.
  client.on('error', () => undefined);
  const abort = () => client.close();
  try {
    await run.phase(
      'AUTH',
      async () => {
        await client.connect();
        return { value: null, detail: loggedIn(settings) };
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
  if (mailbox.readOnly) throw new MailError('FOLDER_READ_ONLY', 'MAILBOX', { text: text('mail.FOLDER_READ_ONLY.named', { folder }) });
  const idle = client.capabilities.has('IDLE');
  const count = mailbox.exists;
  const one = count === 1;
  const shown = { folder: mailbox.path };
  return {
    value: null,
    detail: idle ? (one ? text('check.mailbox.idleOne', shown) : text('check.mailbox.idle', { ...shown, count })) : one ? text('check.mailbox.pollOne', shown) : text('check.mailbox.poll', { ...shown, count }),
  };
}
