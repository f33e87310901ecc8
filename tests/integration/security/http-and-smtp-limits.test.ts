import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { subscribe, wsClient } from '../../helpers/graphql.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 10 §9: the small holes. CORS that reflected any origin with credentials, cacheable API
// answers, a graphql-ws query over the limits that crashed its socket with a stack trace, and an
// SMTP receiver any one sender could fill.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ CORREIO_CORS_ORIGINS: 'https://help.acme.example', INBOUND_SMTP_MAX_CONNECTIONS: '6', INBOUND_SMTP_MAX_CONNECTIONS_PER_IP: '3' });
});
afterAll(() => app?.stop());

const post = (headers: Record<string, string>) =>
  fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });

describe('HTTP', () => {
  it('answers a stranger’s origin without CORS headers, and never allows credentials', async () => {
    const evil = await post({ origin: 'https://evil.example' });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${app.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the origins CORREIO_CORS_ORIGINS lists, still without credentials', async () => {
    const listed = await post({ origin: 'https://help.acme.example' });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://help.acme.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('marks every GraphQL answer nosniff and no-store', async () => {
    const res = await post({});
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('graphql-ws', () => {
  it('answers a query over the limits with a GraphQL error and keeps the socket', async () => {
    const printed = vi.spyOn(console, 'error');
    let printedCalls = -1;
    const client = wsClient(app.url);
    try {
      for (const [query, message] of [
        [`subscription { ticketChanged { ${'id '.repeat(6000)} } }`, /Token limit of 5000 exceeded/],
        [`subscription { ticketChanged { ${'a: id '.repeat(40)} } }`, /Aliases limit of 30 exceeded/],
        [`subscription { ticketChanged {`, /Syntax Error/],
      ] as const) {
        const refused = subscribe(client, query);
        await expect(refused.next(1)).rejects.toThrow(message);
      }
      // The same socket still answers: it was not closed with 4500.
      const fine = subscribe(client, `subscription { ticketChanged { id } }`);
      const [event] = await fine.next(1);
      expect(event!.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      await client.dispose();
      printedCalls = printed.mock.calls.length;
      printed.mockRestore();
    }
    // Nothing was printed: no "Internal error occurred during message handling" with a stack.
    expect(printedCalls).toBe(0);
  });
});

describe('Correio’s SMTP receiver', () => {
  const open: Socket[] = [];
  afterAll(() => open.forEach((s) => s.destroy()));

  function greeting(localAddress: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: app.engine!.inboundSmtpPort!, localAddress });
      open.push(socket);
      socket.once('data', (d) => resolve(d.toString()));
      socket.once('error', reject);
    });
  }

  it('limits concurrent connections per client address and in total, and says which limit in its 421', async () => {
    const first = await Promise.all([greeting('127.0.0.31'), greeting('127.0.0.31'), greeting('127.0.0.31')]);
    expect(first.every((g) => g.startsWith('220 '))).toBe(true);
    const fourth = await greeting('127.0.0.31');
    expect(fourth).toMatch(/^421 4\.7\.0 Too many connections from your address \(limit 3\)/);
    // Other senders still get in, until the server's total is reached.
    const others = await Promise.all([greeting('127.0.0.32'), greeting('127.0.0.32'), greeting('127.0.0.33')]);
    expect(others.every((g) => g.startsWith('220 '))).toBe(true);
    expect(await greeting('127.0.0.34')).toMatch(/^421 4\.3\.2 Too many connections to this server right now \(limit 6\)/);
    // A closed connection gives its place back, once the server has seen it close: until then
    // the only answer is the per-address 421 (refused connections are never counted).
    open.shift()!.destroy();
    const refusedMeanwhile: string[] = [];
    const admitted = await waitFor(async () => {
      const answer = await greeting('127.0.0.31');
      if (answer.startsWith('220 ')) return answer;
      refusedMeanwhile.push(answer);
      open.pop()!.destroy();
      return null;
    }, 'the closed connection’s place to be given back', 5000, 20);
    expect(admitted).toMatch(/^220 /);
    for (const answer of refusedMeanwhile) expect(answer).toMatch(/^421 4\.7\.0 Too many connections from your address \(limit 3\)/);
  });
});
