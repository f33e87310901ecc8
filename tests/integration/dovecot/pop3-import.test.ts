import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { waitFor } from '../../helpers/wait.ts';

let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
const DAY = 86_400_000;

const subjects = async (search: string) =>
  ((await gqlOk(app.url, `query($s: String) { tickets(first: 100, filter: { search: $s }) { edges { node { subject actions { text } } } } }`, { s: search }, admin.token)).tickets.edges as Array<{ node: { subject: string; actions: Array<{ text: string }> } }>).map((e) => e.node);

/** How many messages the POP3 maildrop holds, asked over a raw POP3 session. */
function pop3Count(user: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(dovecot.pop3Port, '127.0.0.1');
    const script = [`USER ${user}`, `PASS ${password}`, 'STAT', 'QUIT'];
    let buffer = '';
    let step = 0;
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!line.startsWith('+OK')) return reject(new Error(line));
        if (step === 3) resolve(Number(line.split(' ')[1]));
        if (step < script.length) socket.write(`${script[step++]}\r\n`);
      }
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'pop', password: 'pop-secret' }] });
  app = await startTestApp();
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
});

describe('POP3 import', () => {
  it('polls, imports each UIDL once, and deletes imported mail older than N days', async () => {
    const old = new Date(Date.now() - 5 * DAY);
    await dovecot.deliver('pop', buildMail({ subject: 'POP old', date: old }).raw, { internalDate: old });
    await dovecot.deliver('pop', buildMail({ subject: 'POP dotted', text: 'first line\r\n.line starting with a dot\r\n..two dots' }).raw);
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'pop', { protocol: 'POP3', incoming: { importExisting: 'ALL', deleteAfterDays: 3 } });
    await waitFor(async () => (await subjects('POP')).length === 2, 'both messages');
    const dotted = (await subjects('POP dotted'))[0]!;
    expect(dotted.actions[0]!.text).toBe('first line\n.line starting with a dot\n..two dots');

    // POP3 messages have no server date we trust: "older than N days" counts from the Date header
    // when importing history, so the old one goes on the next poll and the new one stays.
    await waitFor(async () => (await pop3Count('pop', 'pop-secret')) === 1, 'the old message to be deleted on the server', 10_000);
    await dovecot.deliver('pop', buildMail({ subject: 'POP later' }).raw);
    await waitFor(async () => (await subjects('POP')).length === 3, 'the next poll');
    // Two more POP3 sessions of the importer end (Dovecot logs each logout): the first may be the
    // poll that imported "POP later", the second began after it and saw both messages again.
    const polls = async () => (await dovecot.logLines()).filter((l) => /pop3\(pop\)<\d+><[^>]+>: Info: Disconnected/.test(l)).length;
    const pollsSoFar = await polls();
    await waitFor(async () => (await polls()) >= pollsSoFar + 2, 'two more polls of the maildrop', 10_000);
    expect((await subjects('POP')).map((t) => t.subject).sort()).toEqual(['POP dotted', 'POP later', 'POP old']);
    const status = (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { incoming { protocol port } status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount;
    expect(status).toMatchObject({ incoming: { protocol: 'POP3', port: dovecot.pop3Port }, status: { incoming: { state: 'OK' } } });
  });

  it('reports a wrong POP3 password as AUTH_FAILED', async () => {
    await dovecot.setPassword('pop2', 'right');
    const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'pop2', { protocol: 'POP3', incoming: { password: 'wrong' } });
    const errors = await waitFor(async () => {
      const a = (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { lastErrors { code phase transient serverResponse } } }`, { id: account.id }, admin.token)).emailAccount;
      return a.lastErrors.length && a.lastErrors;
    }, 'an error');
    expect(errors[0]).toMatchObject({ code: 'AUTH_FAILED', phase: 'AUTH', transient: false });
    expect(errors[0].serverResponse).toMatch(/-ERR/);
  });
});
