// Proves the test-server helpers against real clients.
// Run: ./node_modules/.bin/vitest run --root . --dir tests/helpers-selftest  (see README of the helpers in the report)
import { connect as netConnect } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processGroupAlive, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { testCertificate } from '../helpers/tls.ts';
import { waitFor } from '../helpers/wait.ts';

function message(subject: string, body = 'Hello from the self-test.'): string {
  return [
    'From: Customer <customer@example.test>',
    'To: Support <support@example.test>',
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}.${Date.now()}@example.test>`,
    'Date: Tue, 04 Mar 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

function imapClient(options: Partial<ImapFlowOptions> & { port: number }): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    secure: false,
    // imapflow upgrades opportunistically when STARTTLS is offered (tls: true): stay plain.
    doSTARTTLS: false,
    auth: { user: 'alice', pass: 'wonder:land' },
    logger: false,
    ...options,
  });
}

/** A minimal line-based POP3 client over node:net. */
async function pop3Session(port: number, commands: string[]): Promise<string[]> {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  let buffer = '';
  const pending: Array<(chunk: string) => void> = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    pending.shift()?.(buffer);
  });
  const readUntil = async (done: (text: string) => boolean): Promise<string> => {
    while (!done(buffer)) {
      await new Promise<string>((resolve, reject) => {
        pending.push(resolve);
        socket.once('error', reject);
      });
    }
    const text = buffer;
    buffer = '';
    return text;
  };
  const singleLine = (text: string): boolean => text.includes('\r\n');
  const multiLine = (text: string): boolean => text.startsWith('-ERR') ? text.includes('\r\n') : text.includes('\r\n.\r\n');
  const replies = [await readUntil(singleLine)];
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    const isMulti = /^(UIDL|LIST|RETR|TOP)$/i.test(command) || /^(RETR|TOP) /i.test(command);
    replies.push(await readUntil(isMulti ? multiLine : singleLine));
  }
  socket.destroy();
  return replies;
}

describe('dovecot helper', () => {
  let dovecot: Dovecot;
  let startupMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    dovecot = await startDovecot({ tls: true, users: [{ user: 'alice', password: 'wonder:land' }, { user: 'bob', password: 'builder' }] });
    startupMs = Date.now() - started;
    console.log(`[selftest] dovecot start-up: ${startupMs} ms (imap ${dovecot.imapPort}, imaps ${dovecot.imapsPort})`);
  }, 30_000);

  afterAll(async () => {
    const pid = dovecot?.pid;
    await dovecot?.stop();
    if (pid) expect(processGroupAlive(pid)).toBe(false);
  }, 30_000);

  it('logs in over plain IMAP and sees a delivered message with its INTERNALDATE', async () => {
    const internalDate = new Date('2024-05-06T07:08:09Z');
    await dovecot.deliver('alice', message('plain-login'), { internalDate });
    const client = imapClient({ port: dovecot.imapPort });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const found = [];
      for await (const msg of client.fetch('1:*', { envelope: true, internalDate: true, flags: true })) found.push(msg);
      const mine = found.find((m) => m.envelope?.subject === 'plain-login');
      expect(mine).toBeDefined();
      expect(new Date(mine!.internalDate as Date).toISOString()).toBe(internalDate.toISOString());
      expect(mine!.flags?.has('\\Seen')).toBe(false);
    } finally {
      lock.release();
      await client.logout();
    }
  });

  it('logs in over implicit TLS and STARTTLS, trusting the test certificate', async () => {
    await dovecot.deliver('alice', message('seen-one'), { seen: true });
    const implicit = imapClient({ port: dovecot.imapsPort!, secure: true, tls: { rejectUnauthorized: false } });
    await implicit.connect();
    const mailbox = await implicit.mailboxOpen('INBOX');
    expect(mailbox.exists).toBeGreaterThanOrEqual(2);
    const seen = await implicit.search({ seen: true });
    expect(seen === false ? [] : seen).not.toHaveLength(0);
    await implicit.logout();

    const starttls = imapClient({
      port: dovecot.imapPort,
      doSTARTTLS: true,
      tls: { ca: [testCertificate().cert], servername: 'localhost' },
    });
    await starttls.connect();
    expect(starttls.secureConnection).toBe(true);
    await starttls.logout();
  });

  it('gets a new UIDVALIDITY and new UIDs after resetUidValidity', async () => {
    const client = imapClient({ port: dovecot.imapPort });
    await client.connect();
    const before = await client.mailboxOpen('INBOX');
    const uidsBefore = (await client.search({ all: true }, { uid: true })) || [];
    await client.mailboxClose();

    await dovecot.resetUidValidity('alice');

    const after = await client.mailboxOpen('INBOX');
    const uidsAfter = (await client.search({ all: true }, { uid: true })) || [];
    await client.logout();

    expect(after.uidValidity).not.toBe(before.uidValidity);
    expect(after.uidValidity > before.uidValidity).toBe(true);
    expect(uidsAfter).toHaveLength(uidsBefore.length);
    for (const uid of uidsAfter) expect(uidsBefore).not.toContain(uid);
  });

  it('notifies an IDLE client of a delivery quickly', async () => {
    // imapflow only enters IDLE by itself after 15 s of inactivity: start it explicitly.
    const client = imapClient({ port: dovecot.imapPort, disableAutoIdle: true });
    await client.connect();
    await client.mailboxOpen('INBOX');
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      void client.idle();
      await waitFor(() => client.idling, 'the client to be in IDLE', 5000, 10);
      const start = Date.now();
      const exists = new Promise<void>((resolve) => client.once('exists', () => resolve()));
      await dovecot.deliver('alice', message(`idle-${i}`));
      await exists;
      latencies.push(Date.now() - start);
    }
    await client.logout();
    console.log(`[selftest] IDLE EXISTS latency ms: ${latencies.join(', ')}`);
    for (const latency of latencies) expect(latency).toBeLessThan(1500);
  });

  it('sessions() lists the logged-in clients and the command each is running', async () => {
    const client = imapClient({ port: dovecot.imapPort, disableAutoIdle: true });
    await client.connect();
    await client.mailboxOpen('INBOX');
    try {
      void client.idle();
      const idling = await waitFor(async () => (await dovecot.sessions()).find((s) => s.user === 'alice' && s.command === 'IDLE'), 'alice in IDLE', 5000, 20);
      expect(idling).toMatchObject({ protocol: 'imap', ip: '127.0.0.1' });
    } finally {
      await client.logout();
    }
    await waitFor(async () => !(await dovecot.sessions()).some((s) => s.user === 'alice'), 'the session to end', 5000, 20);
  });

  it('serves the mailbox over POP3 (USER/PASS/STAT/UIDL/QUIT)', async () => {
    await dovecot.deliver('bob', message('for-bob-1'));
    await dovecot.deliver('bob', message('for-bob-2'));
    const replies = await pop3Session(dovecot.pop3Port, ['USER bob', 'PASS builder', 'STAT', 'UIDL', 'RETR 2', 'QUIT']);
    expect(replies[0]).toMatch(/^\+OK/);
    expect(replies[2]).toMatch(/^\+OK Logged in/);
    expect(replies[3]).toMatch(/^\+OK 2 \d+/);
    expect(replies[4]!.split('\r\n').filter((l) => /^\d+ \S+$/.test(l))).toHaveLength(2);
    expect(replies[5]).toContain('Subject: for-bob-2');
    expect(replies[6]).toMatch(/^\+OK/);
  });

  it('delivers many messages fast, in order', async () => {
    const count = 2000;
    const started = Date.now();
    await dovecot.deliverMany('bulk', Array.from({ length: count }, (_, i) => message(`bulk-${i}`)));
    const deliverMs = Date.now() - started;
    await dovecot.setPassword('bulk', 'pw');
    const client = imapClient({ port: dovecot.imapPort, auth: { user: 'bulk', pass: 'pw' } });
    await client.connect();
    const mailbox = await client.mailboxOpen('INBOX');
    expect(mailbox.exists).toBe(count);
    const subjects: string[] = [];
    for await (const msg of client.fetch('1:*', { envelope: true, uid: true })) subjects[msg.seq - 1] = msg.envelope?.subject ?? '';
    await client.logout();
    console.log(`[selftest] deliverMany ${count}: ${deliverMs} ms`);
    expect(subjects.slice(0, 3)).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
    expect(subjects[count - 1]).toBe(`bulk-${count - 1}`);
  }, 60_000);

  it('setPassword changes the password; logLines shows the logins', async () => {
    await dovecot.setPassword('bob', 'new-password');
    try {
      const old = await pop3Session(dovecot.pop3Port, ['USER bob', 'PASS builder', 'QUIT']);
      expect(old[2]).toMatch(/^-ERR/);
      const fresh = await pop3Session(dovecot.pop3Port, ['USER bob', 'PASS new-password', 'QUIT']);
      expect(fresh[2]).toMatch(/^\+OK/);
      // Dovecot's log process writes a moment after the session ends: wait for the lines.
      const lines = await waitFor(async () => {
        const all = await dovecot.logLines();
        return all.filter((l) => /pop3-login: Info: Login: user=<bob>/.test(l)).length >= 2 && all.some((l) => /Password mismatch/.test(l)) ? all : null;
      }, 'both logins and the mismatch in the log', 5000, 100).catch(() => dovecot.logLines());
      expect(lines.filter((l) => /pop3-login: Info: Login: user=<bob>/.test(l)).length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => /Password mismatch/.test(l))).toBe(true);
    } finally {
      await dovecot.setPassword('bob', 'builder');
    }
  });

  it('pause() makes connections hang, resume() brings it back; restart keeps ports and mail', async () => {
    await dovecot.pause();
    try {
      const hung = await new Promise<string>((resolve) => {
        const socket = netConnect({ host: '127.0.0.1', port: dovecot.imapPort });
        socket.setEncoding('utf8');
        socket.once('data', (d: string) => {
          socket.destroy();
          resolve(`data: ${d}`);
        });
        setTimeout(() => {
          socket.destroy();
          resolve('silent');
        }, 700);
      });
      expect(hung).toBe('silent');
    } finally {
      await dovecot.resume();
    }

    const imapPort = dovecot.imapPort;
    const t0 = Date.now();
    await dovecot.restart();
    console.log(`[selftest] restart: ${Date.now() - t0} ms`);
    expect(dovecot.imapPort).toBe(imapPort);
    const client = imapClient({ port: dovecot.imapPort });
    await client.connect();
    const status = await client.status('INBOX', { messages: true });
    await client.logout();
    expect(status === false ? 0 : status.messages).toBeGreaterThanOrEqual(7);
  }, 30_000);
});

describe('smtp sink helper', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: 'agent', pass: 's3cret' }, authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] });
  });

  afterAll(async () => {
    await sink?.stop();
  });

  const transport = (auth: Record<string, string>, extra: Record<string, unknown> = {}) =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth,
      ...extra,
    });

  it('captures a message sent with STARTTLS + AUTH PLAIN', async () => {
    sink.reset();
    const mailer = transport({ user: 'agent', pass: 's3cret' }, { authMethod: 'PLAIN' });
    const info = await mailer.sendMail({ from: 'support@example.test', to: ['customer@example.test', 'cc@example.test'], subject: 'Re: help', text: 'We are on it.' });
    expect(info.response).toMatch(/^250 /);
    const [captured] = await sink.waitForMessages(1, 2000);
    expect(captured!.from).toBe('support@example.test');
    expect(captured!.to).toEqual(['customer@example.test', 'cc@example.test']);
    expect(captured!.secure).toBe(true);
    expect(captured!.user).toBe('agent');
    expect(captured!.raw.toString()).toContain('Subject: Re: help');
    expect(sink.authLog).toEqual([{ method: 'PLAIN', username: 'agent', ok: true }]);
    expect(sink.connections).toBe(1);
    mailer.close();
  });

  it('failNext(1, 451) fails the first send, the second succeeds', async () => {
    sink.reset();
    sink.failNext(1, 451, '4.3.0 Try again later');
    const mailer = transport({ user: 'agent', pass: 's3cret' });
    const first = await mailer.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'one', text: '1' }).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(Error);
    expect((first as { responseCode?: number }).responseCode).toBe(451);
    expect((first as { response?: string }).response).toMatch(/^451 4\.3\.0 Try again later/);
    await mailer.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'two', text: '2' });
    expect(sink.messages.map((m) => m.raw.toString().match(/Subject: (\w+)/)?.[1])).toEqual(['two']);
    mailer.close();
  });

  it('rejects at RCPT, rejects bad credentials, supports CRAM-MD5 and XOAUTH2', async () => {
    sink.reset();
    sink.failNext(1, 550, '5.1.1 User unknown', 'RCPT');
    const mailer = transport({ user: 'agent', pass: 's3cret' });
    const rejected = await mailer.sendMail({ from: 'a@example.test', to: 'gone@example.test', text: 'x' }).catch((err: unknown) => err);
    expect((rejected as { responseCode?: number }).responseCode).toBe(550);
    mailer.close();

    const wrong = transport({ user: 'agent', pass: 'nope' });
    const denied = await wrong.sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'x' }).catch((err: unknown) => err);
    expect((denied as { code?: string }).code).toBe('EAUTH');
    wrong.close();

    const cram = transport({ user: 'agent', pass: 's3cret' }, { authMethod: 'CRAM-MD5' });
    await cram.sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'cram' });
    cram.close();

    const oauth = transport({ type: 'OAuth2', user: 'agent', accessToken: 's3cret' });
    await oauth.sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'oauth' });
    oauth.close();

    expect(sink.authLog.map((a) => `${a.method}:${a.ok}`)).toEqual(['PLAIN:true', 'PLAIN:false', 'CRAM-MD5:true', 'XOAUTH2:true']);
    expect(sink.messages).toHaveLength(2);
  });

  it('implicit TLS and plain modes work', async () => {
    const implicit = await startSmtpSink({ tls: 'implicit' });
    const plain = await startSmtpSink({ tls: 'none', auth: { user: 'u', pass: 'p' } });
    try {
      await nodemailer
        .createTransport({ host: '127.0.0.1', port: implicit.port, secure: true, tls: { rejectUnauthorized: false } })
        .sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'tls' });
      await nodemailer
        .createTransport({ host: '127.0.0.1', port: plain.port, secure: false, ignoreTLS: true, auth: { user: 'u', pass: 'p' } })
        .sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'plain' });
      expect(implicit.messages[0]!.secure).toBe(true);
      expect(plain.messages[0]!.secure).toBe(false);
      expect(plain.messages[0]!.user).toBe('u');
    } finally {
      await implicit.stop();
      await plain.stop();
    }
  });
});
