import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gql, gqlFrom, gqlOk } from '../helpers/graphql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token user { email role } } }`;

describe('sign up and log in', () => {
  it('creates the workspace, its first admin and the built-in support address (A1)', async () => {
    const { token, slug, email } = await signUp(app.url, { slug: 'acme-brasil' });
    const data = await gqlOk(app.url, `{ me { email role } workspace { slug builtinDomain } emailAccounts { kind address active } }`, {}, token);
    expect(data.me).toEqual({ email, role: 'ADMIN' });
    expect(data.workspace).toEqual({ slug, builtinDomain: 'acme-brasil.correio.localhost' });
    expect(data.emailAccounts).toEqual([{ kind: 'BUILTIN', address: 'support@acme-brasil.correio.localhost', active: true }]);
  });

  it('logs in with the right password and returns a token that works', async () => {
    const { email, password } = await signUp(app.url);
    const data = await gqlOk(app.url, LOGIN, { email: email.toUpperCase(), password });
    expect(data.login.user).toEqual({ email, role: 'ADMIN' });
    const me = await gqlOk(app.url, `{ me { email } }`, {}, data.login.token);
    expect(me.me.email).toBe(email);
  });

  it('gives the same answer for a wrong password and an unknown e-mail', async () => {
    const { email } = await signUp(app.url);
    const wrong = await gql(app.url, LOGIN, { email, password: 'not the password' });
    const unknown = await gql(app.url, LOGIN, { email: 'nobody@nowhere.example', password: 'not the password' });
    expect(wrong.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_CREDENTIALS' } });
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(unknown.errors?.[0]?.extensions).toEqual(wrong.errors?.[0]?.extensions);
  });

  it('refuses a client that keeps guessing one address, but never locks the address’s owner out', async () => {
    const { email, password } = await signUp(app.url);
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await gqlFrom('127.0.0.11', app.url, LOGIN, { email, password: `guess-${i}` });
      codes.push(String(r.errors?.[0]?.extensions?.['code']));
    }
    expect(codes.slice(0, 10).every((c) => c === 'INVALID_CREDENTIALS')).toBe(true);
    expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // The guesser gains nothing even with the right password…
    expect((await gqlFrom('127.0.0.11', app.url, LOGIN, { email, password })).errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    // …while the owner, elsewhere, logs in (slowed down, not refused).
    const started = Date.now();
    const owner = await gqlFrom('127.0.0.12', app.url, LOGIN, { email, password });
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.login.user.email).toBe(email);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('slows every further guess at an address down progressively, from any number of clients', async () => {
    const { email } = await signUp(app.url);
    const timings: number[] = [];
    for (let i = 0; i < 9; i++) {
      const started = Date.now();
      const r = await gqlFrom(`127.0.1.${i + 1}`, app.url, LOGIN, { email, password: `guess-${i}` });
      expect(r.errors?.[0]?.extensions?.['code']).toBe('INVALID_CREDENTIALS');
      timings.push(Date.now() - started);
    }
    // Five free tries, then 250 ms, 500 ms, 1 s, 2 s before the password is even checked.
    expect(Math.max(...timings.slice(0, 5))).toBeLessThan(250);
    expect(timings[6]!).toBeGreaterThanOrEqual(500);
    expect(timings[8]!).toBeGreaterThanOrEqual(2000);
  });

  it('limits sign-ups per client IP', async () => {
    const limited = await startTestApp({ CORREIO_SIGNUP_PER_IP_PER_HOUR: '2' });
    try {
      await signUp(limited.url);
      await signUp(limited.url);
      const third = await gql(limited.url, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
        input: { workspaceName: 'Third', workspaceSlug: 'third', name: 'C', email: 'c@example.com', password: 'long enough password' },
      });
      expect(third.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
      // Another client is not affected.
      const other = await gqlFrom('127.0.0.21', limited.url, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
        input: { workspaceName: 'Third', workspaceSlug: 'third', name: 'C', email: 'c@example.com', password: 'long enough password' },
      });
      expect(other.errors).toBeUndefined();
    } finally {
      await limited.stop();
    }
  });

  it('rejects a forged or missing token with UNAUTHENTICATED', async () => {
    const forged = await gql(app.url, `{ tickets { totalCount } }`, {}, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad');
    expect(forged.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const none = await gql(app.url, `{ emailAccounts { id } }`);
    expect(none.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('validates sign-up input with field paths and saves nothing on error', async () => {
    const r = await gql(app.url, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { workspaceName: 'X', workspaceSlug: 'Bad Slug!', name: 'X', email: 'not-an-email', password: 'short' },
    });
    expect(r.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_FAILED');
    const fields = (r.errors?.[0]?.extensions?.['fields'] as Array<{ path: string[] }>).map((f) => f.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['input.workspaceSlug', 'input.email', 'input.password']));
  });

  it('refuses a taken slug and a registered e-mail with one identical answer', async () => {
    const first = await signUp(app.url);
    const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
    const sameSlug = await gql(app.url, SIGN_UP, { input: { workspaceName: 'Other', workspaceSlug: first.slug, name: 'B', email: 'b-unique@example.com', password: 'long enough password' } });
    const sameEmail = await gql(app.url, SIGN_UP, { input: { workspaceName: 'Other', workspaceSlug: 'fresh-slug-x', name: 'B', email: first.email, password: 'long enough password' } });
    expect(sameSlug.errors?.[0]?.extensions).toMatchObject({ code: 'SIGNUP_REFUSED' });
    // An outsider cannot tell which of the two was taken: same code, message and fields.
    expect(sameEmail).toEqual(sameSlug);
    // Nothing half-saved: the slug of the failed sign-up is still free.
    await signUp(app.url, { slug: 'fresh-slug-x' });
  });
});

describe('CORREIO_SIGNUP=closed', () => {
  it('allows the first workspace and refuses the next', async () => {
    const closed = await startTestApp({ CORREIO_SIGNUP: 'closed' });
    try {
      await signUp(closed.url);
      const second = await gql(closed.url, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
        input: { workspaceName: 'Second', workspaceSlug: 'second', name: 'B', email: 'b@example.com', password: 'long enough password' },
      });
      expect(second.errors?.[0]?.extensions?.['code']).toBe('SIGNUP_CLOSED');
    } finally {
      await closed.stop();
    }
  });
});
