import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { accountSecretContext, NO_PRIVATE_HOSTS, parsePrivateHostsAllowed, SecretBox } from '@correio/core';
import { renderText, text } from '@correio/texts';
import { afterEach, describe, expect, it } from 'vitest';
import { Destinations } from '../../net/destinations.ts';
import type { DnsResolver } from '../../util/dns-resolver.ts';
import { checkDirection, type CheckableAccount, type CheckEnvironment } from './account-check.ts';

const secrets = new SecretBox(randomBytes(32));
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

let connections = 0;

/** A loopback server that greets (or not) and answers lines through `reply` (tag-aware for IMAP). */
async function scripted(greeting: string | null, reply: (line: string, socket: Socket) => string | null = () => null): Promise<number> {
  const server = createServer((socket) => {
    connections += 1;
    socket.on('error', () => undefined);
    if (greeting !== null) socket.write(greeting);
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const answer = reply(line, socket);
        if (answer) socket.write(answer);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** IMAP lines: tagged answers for CAPABILITY, ID, LOGIN (as given), LOGOUT. */
function imapReplies(login: (tag: string) => string) {
  return (line: string) => {
    const [tag, command] = line.split(' ');
    switch ((command ?? '').toUpperCase()) {
      case 'CAPABILITY':
        return `* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`;
      case 'ID':
        return `* ID NIL\r\n${tag} OK done\r\n`;
      case 'LOGIN':
        return login(tag!);
      case 'LOGOUT':
        return `* BYE bye\r\n${tag} OK done\r\n`;
      default:
        return `${tag} BAD unknown\r\n`;
    }
  };
}

const noDns: DnsResolver = {
  lookup: async (host) => {
    if (host === 'imap.acme.test') return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  },
  resolveMx: async () => [],
};

function env(overrides: Partial<CheckEnvironment> = {}): CheckEnvironment {
  // These scripted servers live on loopback, which the tests allow as an operator would with CORREIO_PRIVATE_HOSTS_ALLOWED.
  return { secrets, destinations: new Destinations(parsePrivateHostsAllowed('127.0.0.1'), noDns), timeoutMs: 2000, relayUrl: undefined, inboundReceiver: () => ({ ok: true, text: text('check.config.receiver', { port: 2525, domain: 'mail.acme.test' }) }), ...overrides };
}

function imapAccount(port: number, overrides: Partial<CheckableAccount> = {}): CheckableAccount {
  const id = randomUUID();
  const account: CheckableAccount = {
    id,
    kind: 'EXTERNAL',
    active: true,
    address: 'support@acme.example',
    oauthProvider: null,
    providerId: null,
    incomingEnabled: true,
    incomingProtocol: 'IMAP',
    incomingHost: '127.0.0.1',
    incomingPort: port,
    incomingEncryption: 'NONE',
    incomingUsername: 'support',
    incomingPasswordSealed: null,
    incomingFolder: 'INBOX',
    outgoingHost: null,
    outgoingPort: null,
    outgoingEncryption: null,
    outgoingRequiresAuth: false,
    outgoingUsername: null,
    outgoingPasswordSealed: null,
    outgoingAccessTokenSealed: null,
    outgoingAuthMechanism: null,
    outgoingUseSeparateIdentity: false,
    ...overrides,
  };
  // Sealed for exactly these settings, as the API would (A13).
  if (!('incomingPasswordSealed' in overrides)) account.incomingPasswordSealed = secrets.seal('secret', accountSecretContext(id, 'incoming-password', account));
  return account;
}

const phasesOf = (r: { phases: Array<{ phase: string; ok: boolean }> }) => r.phases.map((p) => `${p.phase}:${p.ok ? 'ok' : 'fail'}`);

describe('checkDirection against scripted servers', () => {
  it('reports a closed port as CONNECTION_REFUSED after DNS, phase by phase', async () => {
    const r = await checkDirection(imapAccount(await closedPort()), 'INCOMING', env());
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'CONNECTION_REFUSED', phase: 'CONNECT', transient: false });
    expect(phasesOf(r)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:fail']);
    expect(r.phases[2]!.error?.hint).toMatch(/port/);
  });

  it('stores each phase’s words as a text code with its parameters, beside the English', async () => {
    const port = await closedPort();
    const r = await checkDirection(imapAccount(port), 'INCOMING', env());
    const [config, dns, connect] = r.phases;
    expect(config).toMatchObject({
      detail: `IMAP 127.0.0.1:${port}, no encryption, user support.`,
      detailText: { code: 'check.config.incomingPlain', params: { protocol: 'IMAP', host: '127.0.0.1', port, user: 'support' } },
    });
    expect(dns).toMatchObject({ detailText: { code: 'check.dns.ipLiteral', params: { host: '127.0.0.1' } } });
    const refused = { code: 'mail.CONNECTION_REFUSED.refused', params: { host: '127.0.0.1', port } };
    expect(connect).toMatchObject({ detailText: refused, error: { text: refused, hintText: { code: 'mail.CONNECTION_REFUSED.hint' } } });
    expect(connect!.detail).toBe(`127.0.0.1:${port} refused the connection: nothing listens on this port, or a firewall rejects it.`);
    expect(renderText(connect!.detailText, 'pt-BR')).toBe(`127.0.0.1:${port} recusou a conexão: nada está escutando nesta porta, ou um firewall a rejeita.`);
  });

  it('uses the injected resolver: an unknown name is HOST_NOT_FOUND, a known one is connected to its address', async () => {
    const missing = await checkDirection(imapAccount(143, { incomingHost: 'imap.acme.invalid' }), 'INCOMING', env());
    expect(missing.error).toMatchObject({ code: 'HOST_NOT_FOUND', phase: 'DNS' });
    const port = await scripted('+OK POP3 ready\r\n');
    const known = await checkDirection(imapAccount(port, { incomingHost: 'imap.acme.test' }), 'INCOMING', env());
    expect(known.phases[1]).toMatchObject({ phase: 'DNS', ok: true, detail: 'imap.acme.test → 127.0.0.1.' });
    // …and that port turned out to be POP3: said in so many words.
    expect(known.error).toMatchObject({ code: 'PROTOCOL_MISMATCH', phase: 'GREETING', transient: false, serverResponse: null });
    expect(known.error!.message).toMatch(/does not speak IMAP: it answers like a POP3 server/);
  });

  it('gives up on a server that accepts and never answers within the check timeout (TIMEOUT, transient)', async () => {
    const port = await scripted(null);
    const started = Date.now();
    const r = await checkDirection(imapAccount(port), 'INCOMING', env({ timeoutMs: 400 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.error).toMatchObject({ code: 'TIMEOUT', phase: 'GREETING', transient: true });
    expect(r.error!.message).toMatch(/0\.4 s/);
  });

  it('reports SSL/TLS against a plain-text server as TLS_MISMATCH', async () => {
    const port = await scripted('* OK IMAP ready\r\n');
    const r = await checkDirection(imapAccount(port, { incomingEncryption: 'SSL_TLS' }), 'INCOMING', env());
    expect(r.error).toMatchObject({ code: 'TLS_MISMATCH', phase: 'TLS', transient: false });
  });

  it('requires STARTTLS when chosen and the server does not offer it', async () => {
    const port = await scripted('* OK IMAP ready\r\n', imapReplies((tag) => `${tag} OK logged in\r\n`));
    const r = await checkDirection(imapAccount(port, { incomingEncryption: 'STARTTLS' }), 'INCOMING', env());
    expect(r.error).toMatchObject({ code: 'STARTTLS_UNSUPPORTED', phase: 'TLS' });
    expect(phasesOf(r)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok', 'TLS:fail']);
  });

  it('treats LOGIN answered with NO [UNAVAILABLE] as a temporary server problem, not a wrong password', async () => {
    const port = await scripted('* OK [CAPABILITY IMAP4rev1] ready\r\n', imapReplies((tag) => `${tag} NO [UNAVAILABLE] Temporary authentication failure\r\n`));
    const r = await checkDirection(imapAccount(port), 'INCOMING', env());
    expect(r.error).toMatchObject({ code: 'SERVER_UNAVAILABLE', phase: 'AUTH', transient: true });
    expect(r.phases.at(-1)).toMatchObject({ phase: 'AUTH', ok: false, error: { serverResponse: expect.stringContaining('UNAVAILABLE') } });
  });

  it('treats an SMTP 421 greeting as temporary (INTERMITTENT material)', async () => {
    const port = await scripted('421 4.3.2 Service shutting down, try later\r\n');
    const account = imapAccount(0, { incomingEnabled: false, outgoingHost: '127.0.0.1', outgoingPort: port, outgoingEncryption: 'NONE', outgoingRequiresAuth: false });
    const r = await checkDirection(account, 'OUTGOING', env());
    expect(r.error).toMatchObject({ code: 'SERVER_UNAVAILABLE', phase: 'GREETING', transient: true, serverResponse: null });
    expect(r.error!.message).toMatch(/reply 421/);
  });

  it.each([
    ['IMAP', 'SSH-2.0-OpenSSH_9.2 SECRET-BANNER\r\n'],
    ['IMAP', 'HTTP/1.1 400 Bad Request\r\nServer: SECRET-BANNER\r\n\r\n'],
    ['POP3', '* OK SECRET-BANNER\r\n'],
    ['SMTP', 'redis_version:7.0 SECRET-BANNER\r\n'],
    ['SMTP', '554 SECRET-BANNER go away\r\n'],
    ['IMAP', '* BYE SECRET-BANNER\r\n'],
  ])('never echoes what a non-%s peer said (%j)', async (protocol, banner) => {
    const port = await scripted(banner);
    const account =
      protocol === 'SMTP'
        ? imapAccount(0, { incomingEnabled: false, outgoingHost: '127.0.0.1', outgoingPort: port, outgoingEncryption: 'NONE', outgoingRequiresAuth: false })
        : imapAccount(port, { incomingProtocol: protocol as 'IMAP' | 'POP3' });
    const r = await checkDirection(account, protocol === 'SMTP' ? 'OUTGOING' : 'INCOMING', env());
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('SECRET-BANNER');
    if (!banner.startsWith('554') && !banner.startsWith('* BYE')) expect(r.error).toMatchObject({ code: 'PROTOCOL_MISMATCH', phase: 'GREETING', transient: false });
  });

  it('echoes at most 300 characters of a line once the server has greeted properly', async () => {
    const long = 'x'.repeat(2000);
    const port = await scripted('* OK ready\r\n', imapReplies((tag) => `${tag} NO [AUTHENTICATIONFAILED] ${long}\r\n`));
    const r = await checkDirection(imapAccount(port), 'INCOMING', env());
    expect(r.error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(r.error!.serverResponse!.length).toBeLessThanOrEqual(301);
    expect(r.error!.message.length).toBeLessThan(400);
  });

  it.each(['127.0.0.1', 'localhost', '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '[::1]', '::ffff:127.0.0.1', '10.0.0.8', '169.254.169.254', 'internal.acme.test'])(
    'refuses %s as PRIVATE_ADDRESS without opening a connection',
    async (host) => {
      const port = await scripted('* OK ready\r\n');
      const before = connections;
      const lookups: string[] = [];
      const privateDns: DnsResolver = {
        lookup: async (name) => {
          lookups.push(name);
          if (name === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
          if (name === 'internal.acme.test') return [{ address: '93.184.216.34', family: 4 }, { address: '192.168.10.2', family: 4 }];
          throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        },
        resolveMx: async () => [],
      };
      const r = await checkDirection(imapAccount(port, { incomingHost: host }), 'INCOMING', env({ destinations: new Destinations(NO_PRIVATE_HOSTS, privateDns) }));
      expect(r.error).toMatchObject({ code: 'PRIVATE_ADDRESS', phase: 'DNS', transient: false });
      // The kind of range is part of the code, never an English parameter.
      expect(r.error!.text.code).toMatch(/^mail\.PRIVATE_ADDRESS\.(literal|resolved)\.(loopback|private|linkLocal)$/);
      expect(r.error!.hint).toMatch(/CORREIO_PRIVATE_HOSTS_ALLOWED/);
      expect(phasesOf(r)).toEqual(['CONFIG:ok', 'DNS:fail']);
      expect(connections).toBe(before);
      // IP literals in any spelling are judged without asking DNS at all.
      if (!['localhost', 'internal.acme.test'].includes(host)) expect(lookups).toEqual([]);
    },
  );

  it('connects to the address it checked, not to a second answer of the name (DNS rebinding)', async () => {
    const port = await scripted('* OK ready\r\n', imapReplies((tag) => `${tag} OK logged in\r\n`));
    let answers = 0;
    const rebinding: DnsResolver = {
      // First answer public-looking but allowed by CIDR; every later answer would point elsewhere.
      lookup: async () => (answers++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]),
      resolveMx: async () => [],
    };
    const r = await checkDirection(imapAccount(port, { incomingHost: 'rebind.acme.test' }), 'INCOMING', env({ destinations: new Destinations(parsePrivateHostsAllowed('127.0.0.0/8'), rebinding) }));
    expect(answers).toBe(1);
    expect(phasesOf(r).slice(0, 4)).toEqual(['CONFIG:ok', 'DNS:ok', 'CONNECT:ok', 'GREETING:ok']);
  });

  it('checks built-in accounts: receiving through Correio’s receiver, sending only with a relay', async () => {
    const builtin = imapAccount(0, { kind: 'BUILTIN', incomingProtocol: null, incomingHost: null, incomingPort: null });
    const incoming = await checkDirection(builtin, 'INCOMING', env());
    expect(incoming).toMatchObject({
      ok: true,
      phases: [{ phase: 'CONFIG', ok: true, detail: 'Mail for built-in addresses arrives through Correio’s SMTP receiver (port 2525, domain mail.acme.test).', detailText: { code: 'check.config.receiver' } }],
    });
    const outgoing = await checkDirection(builtin, 'OUTGOING', env());
    expect(outgoing.error).toMatchObject({ code: 'RELAY_NOT_CONFIGURED', phase: 'CONFIG', transient: false });
    const noReceiver = await checkDirection(builtin, 'INCOMING', env({ inboundReceiver: () => ({ ok: false, text: text('mail.NOT_CONFIGURED.noReceiver') }) }));
    expect(noReceiver.error).toMatchObject({ code: 'NOT_CONFIGURED', text: { code: 'mail.NOT_CONFIGURED.noReceiver' }, hintText: { code: 'mail.NOT_CONFIGURED.noReceiver.hint' } });
  });

  it('does not check a switched-off or unconfigured direction', async () => {
    const r = await checkDirection(imapAccount(1, { active: false }), 'INCOMING', env());
    expect(r).toMatchObject({ ok: null, phases: [], error: null });
    expect((await checkDirection(imapAccount(1), 'OUTGOING', env())).ok).toBeNull();
  });

  it('names a password that no longer opens (key changed) instead of blaming the server', async () => {
    const r = await checkDirection(imapAccount(1, { incomingPasswordSealed: 'v1.AAAA.BBBB.CCCC' }), 'INCOMING', env());
    expect(r.error).toMatchObject({ code: 'NOT_CONFIGURED', phase: 'CONFIG' });
    expect(r.error!.hint).toMatch(/CORREIO_SECRET_KEY/);
  });
});
