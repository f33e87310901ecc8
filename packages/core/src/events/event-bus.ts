import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';

/**
 * Events carry ids only: a subscriber reloads the entity through its own workspace-scoped
 * query, so nothing private travels through Redis and nothing stale reaches a client.
 * Topics are keyed by workspace id, so one workspace's subscribers never see another's events.
 */
export interface TicketChangedEvent {
  ticketId: string;
  /** What changed, for clients that care (a new action, a field, a new ticket). */
  change: 'CREATED' | 'ACTION_ADDED' | 'UPDATED' | 'DELIVERY_CHANGED';
}

export interface AccountStatusChangedEvent {
  accountId: string;
}

export interface EngineSignal {
  /** An account was created, changed, (de)activated or removed: the engine re-reads it. */
  kind: 'ACCOUNT_CHANGED' | 'OUTBOX_QUEUED' | 'RETRY_FAILED_IMPORT';
  accountId?: string;
  id?: string;
}

/** Something a ticket list shows changed (a group or an agent renamed, a client edited…). */
export type ListsChangedEvent = Record<string, never>;

export type CorreioEvents = {
  ticketChanged: [workspaceId: string, payload: TicketChangedEvent];
  listsChanged: [workspaceId: string, payload: ListsChangedEvent];
  accountStatusChanged: [workspaceId: string, payload: AccountStatusChangedEvent];
  engine: [payload: EngineSignal];
};

export interface EventBus {
  pubsub: PubSub<CorreioEvents>;
  close(): Promise<void>;
}

/** In-process pub/sub by default; with a Redis URL every process of the cluster shares events. */
export function createEventBus(redisUrl?: string): EventBus {
  if (!redisUrl) return { pubsub: createPubSub<CorreioEvents>(), close: async () => undefined };
  const publishClient = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const subscribeClient = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  // The Redis target keeps the channel's key in the event type; yoga routes on it.
  const pubsub = createPubSub<CorreioEvents>({ eventTarget: eventTarget as never });
  return {
    pubsub,
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
