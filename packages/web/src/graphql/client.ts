import { cacheExchange, Client, CombinedError, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { ref, shallowRef } from 'vue';
import { i18n } from '#i18n/index.ts';
import { session } from '#shared/composables/useSession.ts';
import { errorCodes } from './errors.ts';

/** State of the live connection (graphql-ws), shown in the top bar. */
export const liveState = ref<'idle' | 'connecting' | 'live' | 'reconnecting'>('idle');
const reconnectListeners = new Set<() => void>();

/** Called after the live connection came back: screens refetch what they may have missed. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

let ws: WsClient | null = null;
let wsToken: string | null = null;
/** Subscriptions open right now: a socket closed while some are open was dropped, not idle. */
let activeSubscriptions = 0;

function wsClient(): WsClient {
  if (ws && wsToken === session.token) return ws;
  ws?.dispose();
  wsToken = session.token;
  let dropped = false;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  ws = createWsClient({
    url,
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 15_000) + Math.random() * 500)),
    // The locale makes the server word texts (and error messages) as the app does (issue 14).
    connectionParams: () => ({ locale: i18n.global.locale.value, ...(session.token ? { authorization: `Bearer ${session.token}` } : {}) }),
    on: {
      connecting: () => {
        liveState.value = dropped ? 'reconnecting' : 'connecting';
      },
      connected: () => {
        liveState.value = 'live';
        // Events may have been missed while the socket was down: let screens refetch.
        if (dropped) for (const listener of reconnectListeners) listener();
        dropped = false;
      },
      closed: () => {
        // The lazy socket also closes when the last subscription ends: that is not an outage.
        dropped = activeSubscriptions > 0;
        liveState.value = dropped ? 'reconnecting' : 'idle';
      },
    },
  });
  return ws;
}

let unauthenticatedHandler: (() => void) | null = null;
/** What to do when the server says the token is no longer valid (set by the router). */
export function onUnauthenticated(handler: () => void): void {
  unauthenticatedHandler = handler;
}

function makeClient(): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const headers: Record<string, string> = { 'accept-language': i18n.global.locale.value };
      if (session.token) headers['authorization'] = `Bearer ${session.token}`;
      return { headers };
    },
    exchanges: [
      mapExchange({
        onError(error: CombinedError) {
          if (session.token && errorCodes(error).includes('UNAUTHENTICATED')) unauthenticatedHandler?.();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              activeSubscriptions += 1;
              const stop = wsClient().subscribe(input, sink);
              let done = false;
              return {
                unsubscribe() {
                  if (done) return;
                  done = true;
                  activeSubscriptions -= 1;
                  stop();
                },
              };
            },
          };
        },
      }),
    ],
  });
}

/** The urql client; replaced on login and logout so no cached data crosses sessions. */
export const client = shallowRef<Client>(makeClient());

export function resetClient(): void {
  ws?.dispose();
  ws = null;
  wsToken = null;
  liveState.value = 'idle';
  client.value = makeClient();
}
