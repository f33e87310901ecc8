import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from './wait.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/**
 * A bare fetch-based client: tests see exactly what a front-end developer's client would. It asks
 * for English (`acceptLanguage`), which most assertions are written in; pass 'pt-BR', or null for
 * no header at all (the server's default, pt-BR), to see another language.
 */
export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  acceptLanguage: string | null = 'en',
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/**
 * Like gql, but from another client address: the connection leaves from `localAddress`
 * (any 127.x.y.z on Linux loopback), so per-IP limits see a different client.
 */
export function gqlFrom<T = Record<string, any>>(localAddress: string, baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const url = new URL(`${baseUrl}/graphql`);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLResponse<T>));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Like gql, but fails the test with the server's errors when there are any. */
export async function gqlOk<T = Record<string, any>>(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string, acceptLanguage: string | null = 'en'): Promise<T> {
  const result = await gql<T>(baseUrl, query, variables, token, acceptLanguage);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

export function wsClient(baseUrl: string, token?: string): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { locale: 'en', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    retryAttempts: 0,
    lazy: true,
  });
}

/** Collects subscription events into an array; `next(n)` waits until n have arrived. */
export function subscribe<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: GraphQLResponse<T>[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let failure: unknown;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        events.push(value as GraphQLResponse<T>);
        for (const w of [...waiters]) if (events.length >= w.n) w.resolve();
      },
      error: (err) => {
        failure = err;
        for (const w of waiters) w.resolve();
      },
      complete: () => undefined,
    },
  );
  return {
    events,
    get error() {
      return failure;
    },
    async next(n: number, timeoutMs = 10_000): Promise<GraphQLResponse<T>[]> {
      if (events.length < n && !failure) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`expected ${n} subscription events, got ${events.length}`)), timeoutMs);
          waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
        });
      }
      if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
      return events.slice(0, n);
    },
    dispose,
  };
}

/** What the subscription helpers below need of a running app (a TestApp, or startCorreio's result). */
export interface CountsSubscriptions {
  subscriptions: { readonly open: number; reached(atLeast: number): Promise<void> };
}

/**
 * Resolves once `app` has at least `n` graphql-ws subscriptions open ("the subscription is
 * registered"); fails after `timeoutMs` instead of hanging the test. `n` counts every open
 * subscription of that process: take `app.subscriptions.open` before subscribing and add yours.
 */
export async function subscriptionsOpen(app: CountsSubscriptions, n: number, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      app.subscriptions.reached(n),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`expected ${n} open subscriptions within ${timeoutMs} ms, ${app.subscriptions.open} are open`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until the server has let go of a test's subscriptions (at most `n` left open), so the
 * test ends with the count it found and the next test's `open` is exact. Call it after disposing.
 */
export async function subscriptionsClosed(app: CountsSubscriptions, n: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => app.subscriptions.open <= n, `at most ${n} open subscriptions (${app.subscriptions.open} are open)`, timeoutMs, 10);
}

/**
 * For a subscription on a server the test has no handle on (a child process, or one that relays
 * through Redis): runs `poke` — something harmless that publishes an event this subscription
 * receives — again and again until the first event arrives. From then on the subscription is
 * registered end to end. Returns how many events had arrived (events of the pokes).
 */
export async function untilDelivering(sub: { events: unknown[]; readonly error: unknown }, poke: () => Promise<unknown>, what: string, timeoutMs = 15_000, everyMs = 250): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await poke();
    const waitUntil = Date.now() + everyMs;
    while (!sub.events.length && !sub.error && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 10));
    if (sub.error) throw new Error(`subscription failed while waiting for ${what}: ${JSON.stringify(sub.error)}`);
    if (sub.events.length) return sub.events.length;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}
