import { schema } from '@correio/core';
import { OutboxWorker, outboxOptions } from '@correio/mail-engine';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { createSinkAccount, importCustomerMail, outboundEngineOptions, rawHeaders, reply, waitForDelivery } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { testCertificate } from '../helpers/tls.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The outbox's documented rule: a row is marked SENDING under a lease before its SMTP transaction;
 * a row found SENDING under an EXPIRED lease belongs to an engine that died mid-send and is sent
 * again with the same Message-ID (at-least-once); a row under a LIVE lease is never touched.
 */

let app: TestApp;
let sink: SmtpSink;
let admin: Awaited<ReturnType<typeof signUp>>;
let account: { id: string };

const db = () => app.runtime.database.db;
const copiesOf = (messageId: string) => sink.messages.filter((m) => rawHeaders(m.raw).get('message-id')?.[0] === `<${messageId}>`);
const outboxRow = async (actionId: string) => (await db().select().from(schema.outbox).where(eq(schema.outbox.actionId, actionId)))[0]!;

/** Queues a reply on a fresh ticket. */
async function queueReply(subject: string) {
  const { ticketId } = await importCustomerMail(app, account.id, { subject });
  const action = await reply(app, admin.token, ticketId, { text: subject });
  return { ticketId, action };
}

/**
 * Runs `body` with this engine's outbox stopped, so the test decides what state its rows are in
 * before `resume()` starts it again. It is running again when `body` ends, whatever happened.
 */
async function withOutboxStopped(body: (resume: () => void) => Promise<void>): Promise<void> {
  const outbox = app.engine!.outbox;
  await outbox.stop();
  let running = false;
  const resume = () => {
    if (running) return;
    running = true;
    outbox.start();
  };
  try {
    await body(resume);
  } finally {
    resume();
  }
}

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'starttls', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({}, outboundEngineOptions({ outbox: { leaseMs: 1500 } }));
  admin = await signUp(app.url);
  account = await createSinkAccount(app, admin.token, sink);
});
afterAll(async () => {
  await app?.stop();
  await sink?.stop();
});
beforeEach(() => sink.reset());

describe('outbox crash safety', () => {
  it('sends again, once and with the same Message-ID, a row an engine left SENDING when its lease expired', async () => {
    await withOutboxStopped(async (resume) => {
      const { ticketId, action } = await queueReply('Engine caiu no meio do envio');
      // What a crashed engine leaves behind: the row leased and SENDING, the lease now over.
      await db().execute(sql`update outbox set state = 'SENDING', lease_owner = 'dead-engine', lease_expires_at = now() - interval '1 second', attempts = 1, first_attempt_at = now() where action_id = ${action.id}`);
      resume();
      await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the interrupted reply to be SENT');
      expect(copiesOf(action.messageId)).toHaveLength(1);
      expect(await outboxRow(action.id)).toMatchObject({ state: 'SENT', attempts: 2, leaseOwner: null });
      expect(app.logs.some((l) => l.includes('an engine stopped while sending this message'))).toBe(true);
    });
  });

  it('leaves a row alone while another engine’s lease on it is alive, and takes it over when it expires', async () => {
    await withOutboxStopped(async (resume) => {
      const { ticketId, action } = await queueReply('Outro engine está enviando');
      // Queued with it, free to send: once this one is SENT, the outbox has claimed what was due and passed the leased row by.
      const witness = await queueReply('Enviada ao lado');
      await db().execute(sql`update outbox set state = 'SENDING', lease_owner = 'busy-engine', lease_expires_at = now() + interval '2 seconds', attempts = 1, first_attempt_at = now() where action_id = ${action.id}`);
      resume();
      await waitForDelivery(app, admin.token, witness.ticketId, witness.action.id, (a) => a.delivery === 'SENT', 'the free reply to be SENT');
      expect(copiesOf(action.messageId)).toHaveLength(0);
      expect(sink.transactions).toBe(1); // the free reply's, nothing else
      expect(await outboxRow(action.id)).toMatchObject({ state: 'SENDING', leaseOwner: 'busy-engine' });
      await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be taken over after the lease expired');
      expect(copiesOf(action.messageId)).toHaveLength(1);
    });
  });

  it('documents the remaining window: accepted by the server but SENT never recorded → a second copy with the same Message-ID', async () => {
    const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Janela de duplicidade' });
    const action = await reply(app, admin.token, ticketId, { text: 'Olá' });
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT');
    const first = copiesOf(action.messageId)[0]!;
    // The engine "crashed" between the server's 250 and the commit of SENT.
    await db().execute(sql`update outbox set state = 'SENDING', lease_owner = 'dead-engine', lease_expires_at = now() - interval '1 second', sent_at = null where action_id = ${action.id}`);
    await db().execute(sql`update ticket_actions set delivery = 'QUEUED' where id = ${action.id}`);
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT', 'the reply to be SENT again');
    const copies = copiesOf(action.messageId);
    expect(copies).toHaveLength(2);
    // Same Message-ID and Date: receiving systems that de-duplicate by Message-ID keep one.
    const [a, b] = copies.map((c) => rawHeaders(c.raw));
    expect(b!.get('message-id')).toEqual(a!.get('message-id'));
    expect(b!.get('date')).toEqual(a!.get('date'));
    expect(rawHeaders(first.raw).get('subject')).toEqual(b!.get('subject'));
  });

  it('lets two engines share one outbox without sending anything twice (N2)', async () => {
    const second = new OutboxWorker(app.runtime, app.engine!.status, 'second-engine', app.engine!.destinations, outboxOptions({ pollMs: 50, batchSize: 3, smtp: { tls: { ca: testCertificate().cert } } }));
    second.start();
    let mainStopped = false;
    try {
      const { ticketId } = await importCustomerMail(app, account.id, { subject: 'Dois engines' });
      const actions = [];
      for (let i = 0; i < 12; i++) actions.push(await reply(app, admin.token, ticketId, { text: `Resposta ${i}` }));
      await sink.waitForMessages(12, 15_000);
      await waitFor(async () => {
        const rows = await db().select({ state: schema.outbox.state, owner: schema.outbox.leaseOwner }).from(schema.outbox).where(eq(schema.outbox.state, 'SENT'));
        return rows.length >= 12;
      }, 'every row to be SENT');
      // stop() returns once the worker's sends in flight are finished: a second copy that either
      // engine was still sending has reached the sink by now.
      mainStopped = true;
      await Promise.all([second.stop(), app.engine!.outbox.stop()]);
      for (const a of actions) expect(copiesOf(a.messageId)).toHaveLength(1);
      expect(sink.messages).toHaveLength(12);
    } finally {
      await second.stop();
      if (mainStopped) app.engine!.outbox.start();
    }
  });
});
