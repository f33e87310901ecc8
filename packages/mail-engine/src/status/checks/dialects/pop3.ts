import { text } from '@correio/texts';
import { MailError } from '../../../errors.ts';
import { Pop3Client } from '../../../pop3/pop3-client.ts';
import type { IncomingConnection } from '../../../settings/connection-settings.ts';
import type { CheckRun } from '../check-run.ts';
import type { ProbeResult } from '../probe.ts';
import { clip, formatBytes, greetingRefusal, loggedIn, wrongProtocol } from './words.ts';
import type { Dialect } from './types.ts';

export const pop3Dialect: Dialect = {
  protocol: 'POP3',
  goodbye: 'QUIT',
  async greet(lines, port) {
    const line = await lines.readLine();
    if (line.startsWith('+OK')) return { value: { capabilities: new Set(), smtp: null }, detail: text('check.greeting.pop3', { banner: clip(line.slice(3).trim()) }) };
    if (line.startsWith('-ERR')) throw greetingRefusal(line);
    throw wrongProtocol(line, 'POP3', port);
  },
  async requestStartTls(lines) {
    lines.write('CAPA');
    let offered = true;
    if ((await lines.readLine()).startsWith('+OK')) {
      const body = await lines.readUntil((l) => l === '.');
      offered = body.slice(0, -1).some((l) => l.split(' ')[0]!.toUpperCase() === 'STLS');
    }
    // Without CAPA a server may still know STLS: asking is the only way to find out.
    if (!offered) return false;
    lines.write('STLS');
    return (await lines.readLine()).startsWith('+OK');
  },
  describe: () => null,
};

/** The session half: our POP3 client (the live importer's) logs in and runs STAT. */
export async function checkPop3Session(run: CheckRun, settings: IncomingConnection, probe: ProbeResult): Promise<void> {
  const client = new Pop3Client({ host: probe.address, port: settings.port, encryption: settings.encryption, timeoutMs: run.remaining(), servername: probe.servername });
  const abort = () => client.close();
  try {
    await run.phase(
      'AUTH',
      async () => {
        await client.connect();
        if (settings.accessToken) await client.loginOAuth(settings.username, settings.accessToken);
        else await client.login(settings.username, settings.password);
        return { value: null, detail: loggedIn(settings) };
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
          throw new MailError('PROTOCOL_ERROR', 'MAILBOX', { text: text('mail.PROTOCOL_ERROR.noUidl'), transient: false, hintText: text('mail.PROTOCOL_ERROR.noUidl.hint') });
        return { value: null, detail: count === 1 ? text('check.mailbox.pop3One', { size: formatBytes(size) }) : text('check.mailbox.pop3', { count, size: formatBytes(size) }) };
      },
      { abort },
    );
    await client.quit().catch(() => undefined);
  } finally {
    client.close();
  }
}
