// Arrival latency: a message delivered into Dovecot → ticketChanged received by a graphql-ws
// client, beside raw imapflow IDLE `exists` latency measured in the same run.
//   node --import tsx bench/latency.ts [samples]
import { ImapFlow } from 'imapflow';
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { connectDovecotAccount } = await import('../tests/helpers/accounts.ts');
const { signUp, startTestApp } = await import('../tests/helpers/app.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { subscribe, wsClient, gqlOk } = await import('../tests/helpers/graphql.ts');
const { buildMail } = await import('../tests/helpers/mail.ts');
const { waitFor } = await import('../tests/helpers/wait.ts');
const { fmt, percentile, printTable } = await import('./lib/report.ts');

const samples = Number(process.argv[2] ?? 100);
const dovecot = await startDovecot({ users: [{ user: 'latency', password: 'pw' }, { user: 'raw', password: 'pw' }] });
const app = await startTestApp({ LOG_LEVEL: 'warn' });
const admin = await signUp(app.url);
const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'latency');
await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox');

// The raw baseline: one imapflow client idling on another mailbox of the same server.
const raw = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user: 'raw', pass: 'pw' }, logger: false, disableAutoIdle: true });
await raw.connect();
await raw.mailboxOpen('INBOX');
let onExists: (() => void) | null = null;
raw.on('exists', () => onExists?.());
void raw.idle();

const client = wsClient(app.url, admin.token);
const sub = subscribe(client, `subscription { ticketChanged { id } }`);
await new Promise((r) => setTimeout(r, 500));

const correio: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < samples; i++) {
  // Alternate the two so both see the same server load.
  let t = performance.now();
  await new Promise<void>((resolve) => {
    onExists = resolve;
    void dovecot.deliver('raw', buildMail({ subject: `raw ${i}` }).raw);
  });
  baseline.push(performance.now() - t);
  onExists = null;
  void raw.idle();
  t = performance.now();
  await dovecot.deliver('latency', buildMail({ subject: `latency ${i}`, from: `cliente${i}@cliente.example` }).raw);
  await sub.next(i + 1, 10_000);
  correio.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 50));
}
sub.dispose();
await client.dispose();
await raw.logout();
await app.stop();
await dovecot.stop();

const overheadP50 = percentile(correio, 50) - percentile(baseline, 50);
printTable(`Arrival latency (${samples} samples, ${app.db.kind})`, [
  { figure: 'raw imapflow IDLE exists p50 / p95', value: `${fmt(percentile(baseline, 50))} / ${fmt(percentile(baseline, 95))} ms` },
  { figure: 'Correio delivery → ticketChanged p50 / p95', value: `${fmt(percentile(correio, 50))} / ${fmt(percentile(correio, 95))} ms`, baseline: 'raw IDLE', ratio: fmt(percentile(correio, 50) / percentile(baseline, 50), 2) },
  { figure: 'p50 overhead over raw', value: `${fmt(overheadP50)} ms`, target: '≤ 100 ms', pass: overheadP50 <= 100 },
  { figure: 'p95 end-to-end', value: `${fmt(percentile(correio, 95))} ms`, target: '≤ 1000 ms', pass: percentile(correio, 95) <= 1000 },
]);
process.exit(0);
