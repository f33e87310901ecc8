import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from './pop3-client.ts';

/** A scripted POP3 server that writes its answers one byte at a time, so every framing boundary is exercised. */
function scriptedServer(answers: Record<string, string>): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    const send = async (text: string) => {
      for (const byte of Buffer.from(text, 'latin1')) {
        socket.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
    };
    void send('+OK ready\r\n');
    let pending = '';
    socket.on('data', async (chunk) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const verb = line.split(' ')[0]!;
        await send(answers[line] ?? answers[verb] ?? '-ERR unknown\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

describe('Pop3Client', () => {
  it('frames byte-by-byte answers, undoes dot-stuffing and keeps 8-bit bytes', async () => {
    const body = 'Subject: caf\xe9\r\n\r\n..leading dot\r\n.\r\n';
    const s = await scriptedServer({
      USER: '+OK\r\n',
      PASS: '+OK logged in\r\n',
      STAT: '+OK 2 320\r\n',
      UIDL: '+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n',
      'RETR 1': `+OK 40 octets\r\n${body}`,
      QUIT: '+OK bye\r\n',
    });
    server = s.server;
    const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'NONE' });
    expect(await client.connect()).toBe('ready');
    await client.login('u', 'p');
    expect(await client.stat()).toEqual({ count: 2, size: 320 });
    expect(await client.uidl()).toEqual([
      { number: 1, uid: 'aaa' },
      { number: 2, uid: 'bbb' },
    ]);
    const raw = await client.retr(1);
    expect(raw.equals(Buffer.from('Subject: caf\xe9\r\n\r\n.leading dot\r\n', 'latin1'))).toBe(true);
    await client.quit();
  });

  it('turns -ERR into an error carrying the server response', async () => {
    const s = await scriptedServer({ USER: '+OK\r\n', PASS: '-ERR [AUTH] Authentication failed.\r\n' });
    server = s.server;
    const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'NONE' });
    await client.connect();
    await expect(client.login('u', 'wrong')).rejects.toMatchObject({ response: '-ERR [AUTH] Authentication failed.' });
    client.close();
  });

  it('refuses STARTTLS when the server does not offer STLS', async () => {
    const s = await scriptedServer({ CAPA: '+OK\r\nUIDL\r\nUSER\r\n.\r\n' });
    server = s.server;
    const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'STARTTLS' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'STARTTLS_UNSUPPORTED' });
    client.close();
  });

  describe('OAuth login (RFC 5034 SASL)', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');

    it('prefers OAUTHBEARER when offered, with the token as the initial response', async () => {
      const answers: Record<string, string> = { CAPA: '+OK\r\nUIDL\r\nSASL PLAIN XOAUTH2 OAUTHBEARER\r\n.\r\n', AUTH: '-ERR wrong initial response\r\n' };
      const s = await scriptedServer(answers);
      server = s.server;
      const expected = `AUTH OAUTHBEARER ${b64(`n,a=suporte@acme.example,\x01host=127.0.0.1\x01port=${s.port}\x01auth=Bearer tok-1\x01\x01`)}`;
      answers[expected] = '+OK logged in\r\n';
      const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'NONE' });
      await client.connect();
      await client.loginOAuth('suporte@acme.example', 'tok-1');
      client.close();
    });

    it('sends a long token (a Microsoft JWT) after the empty challenge, not on the AUTH line', async () => {
      const token = `eyJ${'a'.repeat(1800)}`;
      const s = await scriptedServer({
        CAPA: '+OK\r\nUIDL\r\nSASL XOAUTH2\r\n.\r\n',
        'AUTH XOAUTH2': '+ \r\n',
        [b64(`user=suporte@acme.example\x01auth=Bearer ${token}\x01\x01`)]: '+OK logged in\r\n',
      });
      server = s.server;
      const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'NONE' });
      await client.connect();
      await client.loginOAuth('suporte@acme.example', token);
      client.close();
    });

    it('a refused token: acknowledges the error challenge and reports the server’s reason, never the token', async () => {
      const reason = '{"status":"invalid_token","schemes":"bearer","scope":"mail"}';
      const s = await scriptedServer({
        CAPA: '+OK\r\nSASL XOAUTH2\r\n.\r\n',
        [`AUTH XOAUTH2 ${b64('user=u@acme.example\x01auth=Bearer secret-token\x01\x01')}`]: `+ ${b64(reason)}\r\n`,
        '': '-ERR [AUTH] Authentication failed.\r\n',
      });
      server = s.server;
      const client = new Pop3Client({ host: '127.0.0.1', port: s.port, encryption: 'NONE' });
      await client.connect();
      const err = await client.loginOAuth('u@acme.example', 'secret-token').catch((e: Error & { response?: string; command?: string }) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as { response: string }).response).toContain('[AUTH] Authentication failed');
      expect((err as { response: string }).response).toContain('invalid_token');
      expect(JSON.stringify({ message: (err as Error).message, response: (err as { response: string }).response, command: (err as { command?: string }).command })).not.toContain('secret-token');
      client.close();
    });
  });
});
