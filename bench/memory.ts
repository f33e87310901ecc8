// Memory while importing ten 25 MB attachments: peak RSS minus idle RSS (attachments must
// stream to the blob store, never sit whole in memory).
//   node --expose-gc --import tsx bench/memory.ts
import { randomBytes } from 'node:crypto';
process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
const { connectDovecotAccount } = await import('../tests/helpers/accounts.ts');
const { signUp, startTestApp } = await import('../tests/helpers/app.ts');
const { startDovecot } = await import('../tests/helpers/dovecot.ts');
const { gqlOk } = await import('../tests/helpers/graphql.ts');
const { buildMail } = await import('../tests/helpers/mail.ts');
const { waitFor } = await import('../tests/helpers/wait.ts');
const { fmt, printTable } = await import('./lib/report.ts');

const COUNT = 10;
const SIZE = 25 * 1024 * 1024;
const dovecot = await startDovecot({ users: [{ user: 'mem', password: 'pw' }] });
for (let i = 0; i < COUNT; i++) {
  const base64 = randomBytes(SIZE).toString('base64').replace(/.{76}/g, '$&\r\n');
  await dovecot.deliver(
    'mem',
    [`From: Ana <ana@cliente.example>`, `To: mem@acme.example`, `Subject: memory ${i}`, `Message-ID: <mem-${i}@cliente.example>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'Segue.', '--m', `Content-Type: application/zip; name="big-${i}.zip"`, 'Content-Disposition: attachment', 'Content-Transfer-Encoding: base64', '', base64, '--m--', ''].join('\r\n'),
  );
}
const app = await startTestApp({ LOG_LEVEL: 'warn' });
const admin = await signUp(app.url);
// Warm up: one small import so parser workers and connection pools exist before "idle" is read.
await dovecot.deliver('mem', buildMail({ subject: 'warm up' }).raw);
const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'mem', { incoming: { importExisting: 'NONE' } });
await new Promise((r) => setTimeout(r, 2000));
global.gc?.();
await new Promise((r) => setTimeout(r, 500));
const idle = process.memoryUsage().rss;
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
// Re-connect the same mailbox asking for everything: the ten big messages are now a backlog.
await gqlOk(app.url, `mutation($id: ID!) { deleteEmailAccount(id: $id) }`, { id: account.id }, admin.token);
const t = performance.now();
await connectDovecotAccount(app.url, admin.token, dovecot, 'mem', { incoming: { importExisting: 'ALL' }, account: { name: 'Memory again' } });
await waitFor(async () => (await gqlOk(app.url, `{ tickets(filter: { search: "memory" }) { totalCount } }`, {}, admin.token)).tickets.totalCount >= COUNT, 'the big imports', 600_000, 100);
const seconds = (performance.now() - t) / 1000;
clearInterval(sampler);
await app.stop();
await dovecot.stop();
const growth = (peak - idle) / 1024 / 1024;
printTable(`Memory: ${COUNT} messages with a ${SIZE / 1024 / 1024} MB attachment each (${app.db.kind})`, [
  { figure: 'idle RSS', value: `${fmt(idle / 1024 / 1024)} MB` },
  { figure: 'peak RSS while importing', value: `${fmt(peak / 1024 / 1024)} MB` },
  { figure: 'peak − idle', value: `${fmt(growth)} MB`, target: '≤ 100 MB', pass: growth <= 100 },
  { figure: 'import time', value: `${fmt(seconds, 1)} s (${fmt((COUNT * SIZE) / 1024 / 1024 / seconds, 1)} MB/s of attachments)` },
]);
process.exit(0);
