import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { gql } from '../helpers/graphql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('production hygiene', () => {
  it('answers /healthz with the database it runs on', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: app.db.kind });
  });

  it('keeps an idle connection open longer than its client does, so a reused one never resets', async () => {
    // Browsers and Node's fetch close an idle keep-alive connection after 4–5 s, proxies after
    // 60 s. A server that closes first races the client's next request on that connection, which
    // then fails with ECONNRESET. Two requests on one connection, 6 s apart:
    const { port } = new URL(app.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const request = 'GET /healthz HTTP/1.1\r\nHost: correio.test\r\nConnection: keep-alive\r\n\r\n';
    const responses = () => received.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0;
    const until = async (n: number) => {
      for (let i = 0; i < 100 && responses() < n; i++) await sleep(50);
    };
    socket.write(request);
    await until(1);
    await sleep(6_000);
    expect(socket.destroyed).toBe(false);
    socket.write(request);
    await until(2);
    expect(responses()).toBe(2);
    socket.end();
    await closed;
  }, 20_000);

  it('blocks requests a browser could send cross-site without a preflight (CSRF)', async () => {
    const form = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    expect(form.status).toBe(403);
    const get = await fetch(`${app.url}/graphql?query=%7B__typename%7D`);
    expect(get.status).toBe(403);
    const ok = await fetch(`${app.url}/graphql?query=%7B__typename%7D`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(ok.status).toBe(200);
  });

  it('refuses queries nested too deep', async () => {
    // Introspection types are cyclic, so they can nest without end.
    const nested = `{ __schema { types { ${'fields { type { '.repeat(7)} name ${'} } '.repeat(7)} } } }`;
    const r = await gql(app.url, nested);
    expect(r.errors?.[0]?.message).toMatch(/depth/i);
    const shallow = await gql(app.url, `{ __schema { types { fields { type { name } } } } }`);
    expect(shallow.errors).toBeUndefined();
    // Fragments count by the fields they nest, not by their spreads: hiding depth in fragments
    // does not get past the limit, and a shallow query built from many fragments is not refused.
    const level = (i: number, inner: string) => `fragment L${i} on __Field { type { fields { ${inner} } } }`;
    const hidden = `{ __schema { types { fields { ...L0 } } } } ${[0, 1, 2, 3, 4].map((i) => level(i, i < 4 ? `...L${i + 1}` : 'name')).join(' ')}`;
    expect((await gql(app.url, hidden)).errors?.[0]?.message).toMatch(/depth/i);
    // The web app's accounts list: fragments within fragments, the same ones reused by siblings.
    const spread = `query EmailAccounts { emailAccounts { ...Row } }
      fragment Text on LocalizedText { code params { name value } detail }
      fragment Side on ConnectionStatus { state message messageText { ...Text } hintText { ...Text } }
      fragment Status on AccountStatus { overall incoming { ...Side } outgoing { ...Side } }
      fragment Row on EmailAccount { id name status { ...Status } }`;
    // Past the depth check, it meets the next one: whoever asks must be logged in.
    expect((await gql(app.url, spread)).errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
  });

  it('hides GraphiQL outside development', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/graphiql/i);
  });

  it('serves GraphiQL in development', async () => {
    const dev = await startTestApp({ NODE_ENV: 'development' });
    try {
      const res = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/graphiql/i);
    } finally {
      await dev.stop();
    }
  });

  it('gives parse and validation errors a stable code', async () => {
    const parse = await gql(app.url, `{ tickets {`);
    expect(parse.errors?.[0]?.extensions?.['code']).toBeTruthy();
    const unknown = await gql(app.url, `{ noSuchField }`);
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
