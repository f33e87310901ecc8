// Issue 14: GET /metrics in Prometheus text format, scraped the way Prometheus does, after real
// work: a mail received by Correio's SMTP receiver, a reply sent through an SMTP server, a
// GraphQL query by name. Behind CORREIO_METRICS_TOKEN when set; on a port of its own by choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { createSinkAccount, outboundEngineOptions, reply, waitForDelivery } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'metrics-token-0123456789';
let app: TestApp;
let separate: TestApp;
let sink: SmtpSink;

/** The value of one series in the exposition text, or null. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{([^}]*)\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return null;
}

const scrape = async (url: string, token: string | null = TOKEN) => {
  const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

beforeAll(async () => {
  sink = await startSmtpSink({ tls: 'none', auth: { user: 'smtp-user', pass: 'smtp-pass' } });
  app = await startTestApp({ CORREIO_METRICS_TOKEN: TOKEN }, outboundEngineOptions());
  separate = await startTestApp({ CORREIO_METRICS_PORT: '0' });
});
afterAll(async () => {
  await app?.stop();
  await separate?.stop();
  await sink?.stop();
});

describe('GET /metrics', () => {
  it('refuses a scrape without the token, naming what is needed', async () => {
    expect((await scrape(app.url, null)).status).toBe(401);
    expect((await scrape(app.url, 'wrong-token-0123456789')).status).toBe(401);
    expect((await scrape(app.url, null)).text).toContain('CORREIO_METRICS_TOKEN');
  });

  it('counts imports, sends, GraphQL operations and mailbox states from real work', async () => {
    const admin = await signUp(app.url);
    const { emailAccounts } = await gqlOk(app.url, `query AccountsForMetrics { emailAccounts { address kind } }`, {}, admin.token);
    const builtin = emailAccounts.find((a: any) => a.kind === 'BUILTIN').address as string;
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'ana@cliente.example', to: [builtin] }, buildMail({ from: 'Ana <ana@cliente.example>', to: builtin, subject: 'Métricas' }).raw);
    const ticketId = await waitFor(async () => (await gqlOk(app.url, `{ tickets(filter: { search: "Métricas" }) { edges { node { id } } } }`, {}, admin.token)).tickets.edges[0]?.node.id, 'the ticket');
    await createSinkAccount(app, admin.token, sink, { address: 'suporte@acme.example' });
    const action = await reply(app, admin.token, ticketId, { text: 'Resposta' });
    await waitForDelivery(app, admin.token, ticketId, action.id, (a) => a.delivery === 'SENT' || a.delivery === 'FAILED', 'the reply to settle');

    const { status, type, text } = await scrape(app.url);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(value(text, 'correio_messages_imported_total', { outcome: 'created', account_kind: 'BUILTIN' })).toBe(1);
    expect(value(text, 'correio_import_batch_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'correio_arrival_to_commit_seconds_count')).toBeGreaterThanOrEqual(0);
    expect((value(text, 'correio_sends_total', { result: 'sent' }) ?? 0) + (value(text, 'correio_sends_total', { result: 'failed' }) ?? 0)).toBe(1);
    expect(value(text, 'correio_graphql_request_duration_seconds_count', { operation: 'AccountsForMetrics', type: 'query' })).toBe(1);
    // Mailbox states as the accounts screen shows them: the built-in account receives (OK once it has).
    expect(text).toMatch(/correio_mailboxes\{direction="INCOMING",state="[A-Z]+"\} \d+/);
    expect(value(text, 'correio_outbox_depth')).toBe(0);
    expect(value(text, 'correio_outbox_oldest_age_seconds')).toBe(0);
    expect(value(text, 'correio_graphql_subscriptions_open')).toBe(0);
    // Default process metrics, the event-loop lag among them.
    expect(value(text, 'correio_nodejs_eventloop_lag_seconds')).not.toBeNull();
    expect(value(text, 'correio_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('gives client-chosen operation names a bounded set of series', async () => {
    const admin = await signUp(app.url);
    for (let i = 0; i < 120; i++) await gqlOk(app.url, `query Probe${i} { me { id } }`, {}, admin.token);
    const { text } = await scrape(app.url);
    const operations = new Set([...text.matchAll(/correio_graphql_request_duration_seconds_count\{operation="([^"]+)"/g)].map((m) => m[1]));
    expect(operations.size).toBeLessThanOrEqual(101);
    expect(operations.has('other')).toBe(true);
  });

  it('with CORREIO_METRICS_PORT, serves them there and not on the public port', async () => {
    expect(separate.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await scrape(separate.metricsUrl!, null)).status).toBe(200);
    const onPublic = await fetch(`${separate.url}/metrics`);
    expect(await onPublic.text()).not.toContain('correio_');
  });
});
