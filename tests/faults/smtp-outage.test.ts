import { openDatabase, schema, type DatabaseHandle } from '@correio/core';
import { DEFAULT_OUTBOX_OPTIONS } from '@correio/mail-engine';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../helpers/app.ts';
import { CREATE_ACCOUNT } from '../helpers/fragments.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../helpers/process.ts';
import { seedTicket } from '../helpers/seed.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

let db: SharedDatabase;
let handle: DatabaseHandle;
let sink: SmtpSink;
let proc: CorreioProcess;
const REPLIES = 20;
/** CORREIO_SEND_RETRY_MIN_SECONDS of the process: the shortest retry step. */
const RETRY_MIN_S = 1;
/** The outbox's poll for due rows: the process sets no other. */
const OUTBOX_POLL_MS = DEFAULT_OUTBOX_OPTIONS.pollMs;

beforeAll(async () => {
  db = await sharedDatabase();
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  // Short retry steps so a 30-second outage is ridden out in a test's time, not in minutes.
  proc = await spawnCorreio({ ...db.env, CORREIO_SEND_RETRY_MIN_SECONDS: String(RETRY_MIN_S), CORREIO_SEND_RETRY_MAX_MINUTES: '0.1' });
  handle = await openDatabase({ databaseUrl: db.env['DATABASE_URL'] });
});
afterAll(async () => {
  await handle?.close();
  await proc?.stop();
  await sink?.stop();
  await db?.dispose();
});

describe('SMTP server answering 4xx for 30 s', () => {
  it('retries every reply and delivers each exactly once', async () => {
    const admin = await signUp(proc.url);
    const ws = (await gqlOk(proc.url, `{ workspace { id } }`, {}, admin.token)).workspace.id as string;
    const account = (
      await gqlOk(
        proc.url,
        CREATE_ACCOUNT,
        {
          input: {
            name: 'Acme',
            kind: 'EXTERNAL',
            address: 'support@acme.example',
            outgoing: { host: '127.0.0.1', port: sink.port, encryption: 'NONE', requiresAuth: true, username: 'smtp-user', password: 'smtp-pass', useSeparateIdentity: true },
          },
        },
        admin.token,
      )
    ).createEmailAccount;
    const tickets = [];
    for (let i = 0; i < REPLIES; i++) tickets.push(await seedTicket(handle.db, ws, { subject: `Outage ${i}`, customerEmail: `c${i}@cliente.example`, accountId: account.id }));

    sink.failFor(30_000, 451, '4.3.0 Mail server temporarily unavailable, try again later', 'DATA');
    const start = Date.now();
    for (const t of tickets) await gqlOk(proc.url, `mutation($id: ID!) { replyToTicket(ticketId: $id, input: { text: "Estamos verificando." }) { id } }`, { id: t.id }, admin.token);

    await waitFor(() => sink.messages.length >= REPLIES, 'every reply to arrive', 120_000, 200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(29_000);
    // Every outbox row is SENT with its lease released: no send is in flight any more …
    await waitFor(async () => {
      const rows = await handle.db.select({ state: schema.outbox.state, leaseOwner: schema.outbox.leaseOwner }).from(schema.outbox).where(eq(schema.outbox.workspaceId, ws));
      return rows.length === REPLIES && rows.every((r) => r.state === 'SENT' && r.leaseOwner === null);
    }, 'every outbox row to be SENT', 30_000, 200);
    // … and, a negative check with a bounded wait, no copy comes later: a row that was (wrongly) due
    // again would be sent within one poll of the outbox plus the shortest retry step.
    await new Promise((r) => setTimeout(r, OUTBOX_POLL_MS + RETRY_MIN_S * 1000));
    const ids = await Promise.all(sink.messages.map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(sink.messages).toHaveLength(REPLIES);
    expect(new Set(ids).size).toBe(REPLIES);

    const states = await Promise.all(
      tickets.map(async (t) => (await gqlOk(proc.url, `query($id: ID!) { ticket(id: $id) { actions { kind delivery } } }`, { id: t.id }, admin.token)).ticket.actions.find((a: { kind: string }) => a.kind === 'EMAIL_OUT').delivery),
    );
    expect(states.every((s) => s === 'SENT')).toBe(true);
  }, 240_000);
});
