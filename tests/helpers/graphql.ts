import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** A bare fetch-based client: tests see exactly what a front-end developer's client would. */
export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
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
export async function gqlOk<T = Record<string, any>>(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await gql<T>(baseUrl, query, variables, token);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

export function wsClient(baseUrl: string, token?: string): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
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
