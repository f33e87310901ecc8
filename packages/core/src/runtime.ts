import { join } from 'node:path';
import { BlobStore } from './blobs/blob-store.ts';
import type { CorreioConfig } from './config/config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { createEventBus, type EventBus } from './events/event-bus.ts';
import { securePrivateDataDir } from './files/private-data-dir.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { loadKeyRing, type KeyRing } from './secrets/keys.ts';
import { bindAccountSecrets } from './secrets/bind-account-secrets.ts';
import { SecretBox } from './secrets/secret-box.ts';

/** Everything a Correio process shares between the API and the mail engine. */
export interface Runtime {
  config: CorreioConfig;
  database: DatabaseHandle;
  blobs: BlobStore;
  keys: KeyRing;
  secrets: SecretBox;
  events: EventBus;
  logger: Logger;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests share one). */
  database?: DatabaseHandle;
  events?: EventBus;
}

export async function createRuntime(config: CorreioConfig, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  await securePrivateDataDir(config.dataDir, logger);
  const keys = await loadKeyRing(config.secretKey, config.dataDir);
  const blobs = new BlobStore(join(config.dataDir, 'blobs'));
  await blobs.init();
  const database =
    overrides.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') }));
  // PGlite created its files through its own file system layer, under the process umask.
  if (!overrides.database && !config.databaseUrl) await securePrivateDataDir(config.dataDir, logger.child({ component: 'data-folder' }));
  const secrets = new SecretBox(keys.credentials);
  await bindAccountSecrets(database.db, secrets, logger);
  const events = overrides.events ?? createEventBus(config.redisUrl);
  database.onConnectionError((err) => logger.warn({ err: { message: err.message } }, 'database connection lost; the pool reconnects'));
  return {
    config,
    database,
    blobs,
    keys,
    secrets,
    events,
    logger,
    async close() {
      await events.close();
      if (!overrides.database) await database.close();
    },
  };
}
