export * from './db/client.ts';
export * as schema from './db/schema/index.ts';
export * from './config/config.ts';
export * from './secrets/keys.ts';
export * from './secrets/secret-box.ts';
export * from './blobs/blob-store.ts';
export * from './logging/logger.ts';
export * from './events/event-bus.ts';
export * from './runtime.ts';
