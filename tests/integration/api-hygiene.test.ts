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
