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
});
