// Outbox throughput: 2,000 queued replies sent by the mail engine's outbox to a local smtp-server,
// against nodemailer's raw pooled send of the very same composed messages, in the same run.
//   node --import tsx bench/outbox.ts [count]     (DATABASE_URL, default the local PostgreSQL; BENCH_DB=pglite for the embedded one)
//
// The outbox figure includes everything a queued reply costs the engine: leasing rows (SENDING,
// committed before SMTP), the SMTP transaction, and recording SENT on the row and the action.
// Composition (footer, MIME) happens when the agent sends (replyToTicket), so both sides send the
// same pre-built bytes; its rate is printed separately. Five interleaved rounds, medians.
import nodemailer from 'nodemailer';
import { eq, sql } from 'drizzle-orm';
import { rowsOf, schema } from '@correio/core';
import { enqueueEmail, isOutboxPayload, textToHtml } from '@correio/mail-engine';

if (process.env['BENCH_DB'] === 'pglite') delete process.env['DATABASE_URL'];
else process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { signUp, startTestApp } = await import('../tests/helpers/app.ts');
const { createSinkAccount, importCustomerMail } = await import('../tests/helpers/outbound.ts');
const { startSmtpSink } = await import('../tests/helpers/smtp-sink.ts');
const { fmt, printTable } = await import('./lib/report.ts');

const count = Number(process.argv[2] ?? 2000);
const CONNECTIONS = 5;
const ROUNDS = 5;

const sink = await startSmtpSink({ tls: 'none' });
const app = await startTestApp({ LOG_LEVEL: 'warn' }, { inboundSmtp: false, outbox: { pollMs: 50, smtp: { maxConnections: CONNECTIONS } } });
const db = app.runtime.database.db;
const admin = await signUp(app.url, { name: 'Agente Bench' });
const account = await createSinkAccount(app, admin.token, sink, { account: { brand: { name: 'Acme Ltda', url: 'https://acme.example' } }, outgoing: { requiresAuth: false, username: null, password: null } });
const [accountRow] = await db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, account.id));
const { ticketId, messageId: rootId } = await importCustomerMail(app, account.id, { subject: 'Pedido 4471 atrasado', messageId: 'bench-root@cliente.example' });
const [user] = await db.select().from(schema.users).where(eq(schema.users.id, admin.userId));

// Queue the replies while the outbox is stopped, as an agent team would over a busy hour. Queueing
// composes each message (footer, MIME) and stores its bytes: that cost is paid by replyToTicket.
await app.engine!.outbox.stop();
const text = (i: number) => `Olá Ana,\n\nVerificamos o pedido ${i}: ele foi despachado hoje pela transportadora e deve chegar em até 3 dias úteis.\nO código de rastreio é BR${100000 + i}XX. Qualquer dúvida, é só responder este e-mail.\n\nAbraço,\nEquipe Acme`;
const t = performance.now();
for (let start = 0; start < count; start += 200) {
  await db.transaction(async (tx) => {
    for (let i = start; i < Math.min(count, start + 200); i++)
      await enqueueEmail(
        tx,
        {
          workspaceId: accountRow!.workspaceId,
          ticketId,
          account: accountRow!,
          author: { id: user!.id, name: user!.name, avatarUrl: null },
          to: 'ana@cliente.example',
          cc: ['chefe@cliente.example'],
          subject: 'Re: Pedido 4471 atrasado [#1]',
          text: text(i),
          html: textToHtml(text(i)),
          inReplyTo: rootId,
          references: [rootId],
          attachments: [],
        },
        { blobs: app.runtime.blobs },
      );
  });
}
const queueRate = count / ((performance.now() - t) / 1000);

// The very same bytes, for the baseline.
const payloads = rowsOf<{ payload: unknown }>(await db.execute(sql`select payload from outbox where state = 'QUEUED' order by created_at`)).map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
const composed = await Promise.all(payloads.filter(isOutboxPayload).map(async (p) => ({ envelope: p.envelope, raw: await app.runtime.blobs.readBuffer(p.rawBlobKey) })));
const megabytes = composed.reduce((n, c) => n + c.raw.length, 0) / 1024 / 1024;
console.log(`${count} replies queued (${fmt(megabytes, 1)} MB) at ${fmt(queueRate)} replies/s incl. composition; database: ${app.db.kind}, ${CONNECTIONS} SMTP connections`);

async function rawPooledSend(messages: typeof composed): Promise<number> {
  sink.reset();
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, ignoreTLS: true, maxConnections: CONNECTIONS, maxMessages: 100 });
  const t = performance.now();
  await Promise.all(messages.map((m) => transport.sendMail({ envelope: m.envelope, raw: m.raw })));
  const seconds = (performance.now() - t) / 1000;
  transport.close();
  return messages.length / seconds;
}

/** One outbox round: every queued row sent and recorded SENT; returns messages per second. */
async function outboxRound(): Promise<number> {
  sink.reset();
  const t = performance.now();
  app.engine!.outbox.start();
  for (;;) {
    if (sink.messages.length >= count) {
      const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from outbox where state = 'SENT'`));
      if ((row?.n ?? 0) >= count) break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const rate = count / ((performance.now() - t) / 1000);
  await app.engine!.outbox.stop();
  return rate;
}

/** Puts the same rows back in the queue for the next round (same Message-IDs, same bytes). */
async function requeueAll(): Promise<void> {
  await db.execute(sql`update outbox set state = 'QUEUED', attempts = 0, first_attempt_at = null, sent_at = null, next_attempt_at = now(), lease_owner = null, lease_expires_at = null, last_response = null`);
  await db.execute(sql`update ticket_actions set delivery = 'QUEUED', delivery_error = null where kind = 'EMAIL_OUT'`);
}

// The machine is shared and noisy: warm both paths up, then interleave measured rounds and take medians.
await rawPooledSend(composed.slice(0, 300));
await outboxRound();
const baselines: number[] = [];
const outboxRates: number[] = [];
let duplicates = 0;
let actions: { sent: number; other: number } | undefined;
for (let round = 0; round < ROUNDS; round++) {
  baselines.push(await rawPooledSend(composed));
  await requeueAll();
  outboxRates.push(await outboxRound());
  duplicates += sink.messages.length - count;
  [actions] = rowsOf<{ sent: number; other: number }>(
    await db.execute(sql`select count(*) filter (where delivery = 'SENT')::int as sent, count(*) filter (where delivery <> 'SENT')::int as other from ticket_actions where kind = 'EMAIL_OUT'`),
  );
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(baselines);
const outboxRate = median(outboxRates);
const ratio = outboxRate / baseline;

await app.stop();
await sink.stop();

printTable(`Outbox throughput (${count} replies, ${app.db.kind}, ${CONNECTIONS} SMTP connections, median of ${ROUNDS} interleaved rounds)`, [
  { figure: 'outbox → SMTP, recorded SENT', value: `${fmt(outboxRate)} msg/s`, baseline: `${fmt(baseline)} msg/s raw pooled`, ratio: fmt(ratio, 2), target: '≥ 0.70', pass: ratio >= 0.7 },
  { figure: 'rounds: outbox', value: outboxRates.map((r) => fmt(r)).join(' / ') },
  { figure: 'rounds: raw pooled send', value: baselines.map((r) => fmt(r)).join(' / ') },
  { figure: 'queueing (compose + store), untimed above', value: `${fmt(queueRate)} replies/s` },
  { figure: 'actions SENT / not SENT (last round)', value: `${actions?.sent} / ${actions?.other}`, target: `${count} / 0`, pass: actions?.sent === count && actions.other === 0 },
  { figure: 'duplicate deliveries', value: String(duplicates), target: '0', pass: duplicates === 0 },
]);
process.exit(0);
