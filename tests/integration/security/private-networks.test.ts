import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, reply, waitForDelivery } from '../../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { accountStatus, createAccount, incomingInput, TEST_SETTINGS, testAccount } from '../../helpers/status.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 10 §1–2 (N5): a stranger who signs up becomes an admin and may type any host into an
// account. Correio must not become their way into the machine's own network, nor echo what a
// non-mail service there says. The apps here run with the production default — no private host
// allowed — while real servers listen on loopback and count every connection they get.

interface CountingServer {
  port: number;
  connections: number;
  stop(): Promise<void>;
}

async function countingServer(banner: string | null, closeAfterMs?: number): Promise<CountingServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (banner) socket.write(banner);
    // A service that gives up on a client speaking the wrong protocol, as sshd does.
    if (closeAfterMs) setTimeout(() => socket.destroy(), closeAfterMs).unref();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return state.connections;
    },
    stop: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

const BANNER = 'SSH-2.0-OpenSSH_9.2p1 internal-build-host-7 SECRET-BANNER\r\n';

let strict: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let imapLike: CountingServer;
let ssh: CountingServer;
let sink: SmtpSink;

beforeAll(async () => {
  imapLike = await countingServer('* OK [CAPABILITY IMAP4rev1] ready\r\n');
  ssh = await countingServer(BANNER, 1000);
  sink = await startSmtpSink({ tls: 'none' });
  strict = await startTestApp(
    { CORREIO_PRIVATE_HOSTS_ALLOWED: '', CORREIO_CHECK_TIMEOUT_SECONDS: '3', SMTP_RELAY_URL: `smtp://127.0.0.1:${sink.port}` },
    outboundEngineOptions({ outbox: { retry: { minMs: 100, maxMs: 200, maxAgeMs: 5000 } } }),
  );
  admin = await signUp(strict.url);
});
afterAll(async () => {
  await strict?.stop();
  await Promise.all([imapLike?.stop(), ssh?.stop(), sink?.stop()]);
});

const settingsCheck = (host: string, port: number, protocol = 'IMAP') =>
  gqlOk(strict.url, TEST_SETTINGS, { input: incomingInput('Probe', { host, port, protocol }) }, admin.token).then((d) => d.testEmailSettings);

describe('no reaching into private networks (N5)', () => {
  it.each(['127.0.0.1', 'localhost', 'LOCALHOST.', '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1'])(
    'testEmailSettings refuses %s as PRIVATE_ADDRESS and opens no connection',
    async (host) => {
      const before = imapLike.connections;
      const status = await settingsCheck(host, imapLike.port);
      expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'PRIVATE_ADDRESS' });
      expect(status.incoming.hint).toMatch(/CORREIO_PRIVATE_HOSTS_ALLOWED/);
      expect(status.incoming.checks.map((c: { phase: string; ok: boolean }) => `${c.phase}:${c.ok}`)).toEqual(['CONFIG:true', 'DNS:false']);
      expect(imapLike.connections).toBe(before);
    },
  );

  it('refuses IPv6 loopback and link-local, unspecified and cloud-metadata addresses the same way', async () => {
    for (const host of ['::1', '[::1]', '0.0.0.0', '169.254.169.254', 'fe80::1', '10.0.0.1', '192.168.0.10', '100.64.0.1']) {
      const status = await settingsCheck(host, 993);
      expect(status.incoming.code, host).toBe('PRIVATE_ADDRESS');
    }
  });

  it('a saved account is tested, synced and shown refused, and the engine never connects to it', async () => {
    const before = imapLike.connections;
    const id = await createAccount(strict.url, admin.token, incomingInput('Saved', { host: 'localhost', port: imapLike.port }));
    const tested = await testAccount(strict.url, admin.token, id);
    expect(tested.incoming).toMatchObject({ state: 'ERROR', code: 'PRIVATE_ADDRESS' });
    // The live importer ran into the same wall: its failure is in the account's history.
    const status = await waitFor(async () => {
      const s = await accountStatus(strict.url, admin.token, id);
      return s.lastErrors.some((e: { code: string; phase: string }) => e.code === 'PRIVATE_ADDRESS' && e.phase === 'DNS') ? s : null;
    }, 'the engine to record PRIVATE_ADDRESS');
    expect(status.lastErrors.every((e: { transient: boolean }) => e.transient === false)).toBe(true);
    expect(imapLike.connections).toBe(before);
  });

  it('the SMTP relay of built-in addresses is checked and used under the same rule', async () => {
    const accounts = (await gqlOk(strict.url, `{ emailAccounts { id kind } }`, {}, admin.token)).emailAccounts;
    const builtin = accounts.find((a: { kind: string }) => a.kind === 'BUILTIN');
    const status = await testAccount(strict.url, admin.token, builtin.id);
    expect(status.outgoing).toMatchObject({ state: 'ERROR', code: 'PRIVATE_ADDRESS' });
    expect(sink.connections).toBe(0);
  });

  it('a reply through an account whose SMTP server is private fails at once, and no byte is sent', async () => {
    const account = await createSinkAccount(strict, admin.token, sink, { address: 'private@acme.example', outgoing: { host: 'localhost', encryption: 'NONE' } });
    const { ticketId } = await importCustomerMail(strict, account.id, { subject: 'Privado', to: 'private@acme.example' });
    const action = await reply(strict, admin.token, ticketId, { text: 'Olá' });
    const done = await waitForDelivery(strict, admin.token, ticketId, action.id, (a) => a.delivery === 'FAILED', 'the reply to fail');
    expect(done.deliveryError).toMatch(/private network/);
    expect(sink.connections).toBe(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('a legitimate install allows its own LAN server by name, address:port or CIDR, and only that', async () => {
    for (const allowed of [`127.0.0.1:${imapLike.port}`, '127.0.0.0/8', 'localhost', '*']) {
      const lan = await startTestApp({ CORREIO_PRIVATE_HOSTS_ALLOWED: allowed, CORREIO_ROLE: 'api', CORREIO_CHECK_TIMEOUT_SECONDS: '1' });
      try {
        const token = (await signUp(lan.url)).token;
        const before = imapLike.connections;
        const ok = (await gqlOk(lan.url, TEST_SETTINGS, { input: incomingInput('Lan', { host: 'localhost', port: imapLike.port }) }, token)).testEmailSettings;
        // Past the policy: the scripted server greeted, then the login found no answer.
        expect(ok.incoming.checks.slice(0, 4).map((c: { phase: string; ok: boolean }) => `${c.phase}:${c.ok}`), allowed).toEqual(['CONFIG:true', 'DNS:true', 'CONNECT:true', 'GREETING:true']);
        expect(imapLike.connections).toBeGreaterThan(before);
        if (allowed !== '*' && allowed !== '127.0.0.0/8' && allowed !== 'localhost') {
          const other = (await gqlOk(lan.url, TEST_SETTINGS, { input: incomingInput('Other', { host: '127.0.0.1', port: ssh.port }) }, token)).testEmailSettings;
          expect(other.incoming.code).toBe('PRIVATE_ADDRESS');
        }
      } finally {
        await lan.stop();
      }
    }
  });

  it('a bad entry in CORREIO_PRIVATE_HOSTS_ALLOWED stops start-up and names it', async () => {
    await expect(startTestApp({ CORREIO_PRIVATE_HOSTS_ALLOWED: 'mail.lan, smtp://oops/' })).rejects.toThrow(/CORREIO_PRIVATE_HOSTS_ALLOWED.*smtp:\/\/oops\//s);
  });
});

describe('no banner echo (N5)', () => {
  let open: TestApp;
  let token: string;
  beforeAll(async () => {
    open = await startTestApp({ CORREIO_PRIVATE_HOSTS_ALLOWED: `127.0.0.1:${ssh.port}`, CORREIO_CHECK_TIMEOUT_SECONDS: '3' }, outboundEngineOptions());
    token = (await signUp(open.url)).token;
  });
  afterAll(() => open?.stop());

  it.each(['IMAP', 'POP3'])('says "this port does not speak %s" without the bytes the peer sent', async (protocol) => {
    const status = (await gqlOk(open.url, TEST_SETTINGS, { input: incomingInput('Ssh', { host: '127.0.0.1', port: ssh.port, protocol }) }, token)).testEmailSettings;
    expect(status.incoming).toMatchObject({ state: 'ERROR', code: 'PROTOCOL_MISMATCH' });
    expect(status.incoming.message).toMatch(new RegExp(`does not speak ${protocol}`));
    expect(JSON.stringify(status)).not.toMatch(/SECRET-BANNER|OpenSSH|internal-build-host/);
  });

  it('the live importer and the sender do not echo it either', async () => {
    const id = await createAccount(open.url, token, incomingInput('SshLive', { host: '127.0.0.1', port: ssh.port }));
    const errors = await waitFor(async () => {
      const s = await accountStatus(open.url, token, id);
      return s.lastErrors.length ? s.lastErrors : null;
    }, 'the importer to record its failure');
    expect(JSON.stringify(errors)).not.toMatch(/SECRET-BANNER|OpenSSH/);

    const account = await createSinkAccount(open, token, sink, { address: 'ssh@acme.example', outgoing: { host: '127.0.0.1', port: ssh.port, encryption: 'NONE', requiresAuth: false } });
    const { ticketId } = await importCustomerMail(open, account.id, { subject: 'Banner', to: 'ssh@acme.example' });
    const action = await reply(open, token, ticketId, { text: 'Olá' });
    const retried = await waitForDelivery(open, token, ticketId, action.id, (a) => !!a.deliveryError, 'the send to fail');
    expect(retried.deliveryError).not.toMatch(/SECRET-BANNER|OpenSSH/);
    const outgoing = await accountStatus(open.url, token, account.id);
    expect(JSON.stringify(outgoing)).not.toMatch(/SECRET-BANNER|OpenSSH/);
  });
});
