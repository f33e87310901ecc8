// Proves the OAuth 2.0 test servers against real clients: tokens the local provider issues log in
// to Dovecot (IMAP and POP3) and to the SMTP sink; a forged, revoked or expired one does not.
import { connect as netConnect } from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

let provider: OidcProvider;
let dovecot: Dovecot;
let sink: SmtpSink;
const mailbox = 'suporte@acme.example';

beforeAll(async () => {
  provider = await startOidcProvider();
  [dovecot, sink] = await Promise.all([
    startDovecot({ users: [{ user: mailbox, password: 'app-password' }], oauth2: { introspectionUrl: provider.introspectionUrl } }),
    startSmtpSink({ tls: 'none', auth: { user: mailbox, pass: 'app-password' }, authMethods: ['PLAIN', 'XOAUTH2'], oauth2Introspection: provider.introspectionUrl }),
  ]);
});
afterAll(async () => {
  await Promise.all([dovecot?.stop(), sink?.stop()]);
  await provider?.close();
});

async function imapLogin(user: string, accessToken: string): Promise<'OK' | 'REFUSED'> {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, doSTARTTLS: false, auth: { user, accessToken }, logger: false });
  try {
    await client.connect();
    await client.logout();
    return 'OK';
  } catch (err) {
    if ((err as { authenticationFailed?: boolean }).authenticationFailed) return 'REFUSED';
    throw err;
  }
}

/** POP3 has no client here that speaks XOAUTH2 yet: the SASL exchange by hand (RFC 5034). */
async function pop3Login(user: string, accessToken: string): Promise<string> {
  const socket = netConnect({ host: '127.0.0.1', port: dovecot.pop3Port });
  socket.setEncoding('utf8');
  const lines: string[] = [];
  let buffered = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\r\n')) >= 0) {
      lines.push(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
    }
    wake?.();
  });
  const nextLine = async () => {
    while (!lines.length) await new Promise<void>((resolve) => (wake = resolve));
    return lines.shift()!;
  };
  await nextLine();
  const line = `AUTH XOAUTH2 ${Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64')}\r\n`;
  socket.write(line);
  let reply = await nextLine();
  // A refusal comes as a "+ <error JSON>" challenge first; the client answers it with an empty line.
  if (/^\+( |$)/.test(reply)) {
    socket.write('\r\n');
    reply = await nextLine();
  }
  socket.destroy();
  return reply;
}

const smtpSend = async (user: string, secret: { accessToken: string } | { pass: string }) => {
  const auth = 'accessToken' in secret ? { type: 'OAuth2' as const, user, accessToken: secret.accessToken } : { user, pass: secret.pass };
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, auth });
  try {
    await transport.sendMail({ from: user, to: 'cliente@example.test', subject: 'XOAUTH2', text: 'Olá' });
    return 'SENT';
  } catch (err) {
    return (err as { code?: string }).code === 'EAUTH' ? 'REFUSED' : String(err);
  } finally {
    transport.close();
  }
};

describe('OAuth 2.0 test servers', () => {
  it('Dovecot accepts a token the provider issued for the mailbox, over IMAP and POP3', async () => {
    const token = await provider.mintAccessToken(mailbox);
    expect(await provider.introspect(token)).toMatchObject({ active: true, sub: mailbox });
    expect(await imapLogin(mailbox, token)).toBe('OK');
    expect(await pop3Login(mailbox, token)).toMatch(/^\+OK/);
  });

  it('Dovecot refuses a made-up token, a token issued to another mailbox, and a revoked one', async () => {
    expect(await imapLogin(mailbox, 'not-a-token')).toBe('REFUSED');
    expect(await imapLogin(mailbox, await provider.mintAccessToken('outra@acme.example'))).toBe('REFUSED');
    const token = await provider.mintAccessToken(mailbox);
    expect(await imapLogin(mailbox, token)).toBe('OK');
    await provider.revoke(token);
    expect(await imapLogin(mailbox, token)).toBe('REFUSED');
    expect(await pop3Login(mailbox, token)).toMatch(/^-ERR/);
  });

  it('Dovecot refuses a token once it has expired', async () => {
    // Long enough for the first login on a loaded CI machine (1 s was not), short enough to wait out.
    const token = await provider.mintAccessToken(mailbox, { ttlSeconds: 4 });
    expect(await imapLogin(mailbox, token)).toBe('OK');
    // Until the provider itself says the token is over: its own lifetime, not a guess.
    await waitFor(async () => !(await provider.introspect(token)).active, 'the token to expire', 10_000, 200);
    expect(await imapLogin(mailbox, token)).toBe('REFUSED');
  });

  it('the SMTP sink checks XOAUTH2 tokens with the provider the same way; passwords still work', async () => {
    sink.reset();
    const token = await provider.mintAccessToken(mailbox);
    expect(await smtpSend(mailbox, { accessToken: token })).toBe('SENT');
    expect(await smtpSend(mailbox, { accessToken: await provider.mintAccessToken('outra@acme.example') })).toBe('REFUSED');
    await provider.revoke(token);
    expect(await smtpSend(mailbox, { accessToken: token })).toBe('REFUSED');
    expect(await smtpSend(mailbox, { pass: 'app-password' })).toBe('SENT');
    // nodemailer tries a refused XOAUTH2 login twice; every XOAUTH2 attempt after the first was refused.
    const attempts = sink.authLog.map((a) => `${a.method}:${a.ok}`);
    expect(attempts).toEqual(['XOAUTH2:true', ...Array(attempts.length - 2).fill('XOAUTH2:false'), 'PLAIN:true']);
    expect(sink.messages).toHaveLength(2);
  });
});
