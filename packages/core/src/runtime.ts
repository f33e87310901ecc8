import { join } from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { BlobStore } from './blobs/blob-store.ts';
import type { CorreioConfig } from './config/config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { createEventBus, type EventBus } from './events/event-bus.ts';
import { securePrivateDataDir } from './files/private-data-dir.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { loadKeyRing, type KeyRing } from './secrets/keys.ts';
import { bindAccountSecrets } from './secrets/bind-account-secrets.ts';
import { SecretBox } from './secrets/secret-box.ts';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { emailAccounts } from './db/schema/account.ts';
import { OAuthClients } from './oauth/oauth-client.ts';
import { Metrics } from './metrics/metrics.ts';
import { OAuthTokenKeeper, type TokenKeeperOptions } from './oauth/token-keeper.ts';

/** Everything a Correio process shares between the API and the mail engine. */
export interface Runtime {
  config: CorreioConfig;
  database: DatabaseHandle;
  blobs: BlobStore;
  keys: KeyRing;
  secrets: SecretBox;
  events: EventBus;
  logger: Logger;
  /** OAuth 2.0 mailboxes (issue 13): the provider apps, and the one place access tokens come from. */
  oauth: { clients: OAuthClients; tokens: OAuthTokenKeeper };
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests share one). */
  database?: DatabaseHandle;
  events?: EventBus;
  /** Provider calls and refresh timing (tests point these at a local provider and short clocks). */
  oauth?: { clients?: Pick<OAuthClients, 'refresh'>; tokens?: Partial<TokenKeeperOptions>; now?: () => number };
}

export async function createRuntime(config: CorreioConfig, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel, 'correio', config.logFormat);
  await securePrivateDataDir(config.dataDir, logger);
  const keys = await loadKeyRing(config.secretKey, config.dataDir);
  const blobs = new BlobStore(join(config.dataDir, 'blobs'));
  await blobs.init();
  const database =
    overrides.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') }));
  // PGlite created its files through its own file system layer, under the process umask.
  if (!overrides.database && !config.databaseUrl) await securePrivateDataDir(config.dataDir, logger.child({ component: 'data-folder' }));
  // The embedded database has one process at a time: say which, for `npm run backup` to check.
  const pidFile = !overrides.database && !config.databaseUrl ? join(config.dataDir, 'correio.pid') : null;
  if (pidFile) await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
  const secrets = new SecretBox(keys.credentials);
  await bindAccountSecrets(database.db, secrets, logger);
  const events = overrides.events ?? createEventBus(config.redisUrl);
  database.onConnectionError((err) => logger.warn({ err: { message: err.message } }, 'database connection lost; the pool reconnects'));
  const clients = new OAuthClients(config);
  const tokens = new OAuthTokenKeeper(
    {
      db: database.db,
      secrets,
      clients: overrides.oauth?.clients ?? clients,
      logger,
      owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      ...(overrides.oauth?.now ? { now: overrides.oauth.now } : {}),
      // The mailbox's worker holds a connection made with the old token: touching the account
      // restarts it, and it then reports OAUTH_REAUTH_REQUIRED instead of carrying on unnoticed.
      onGrantFailed: (accountId) => {
        void database.db
          .update(emailAccounts)
          .set({ updatedAt: new Date() })
          .where(eq(emailAccounts.id, accountId))
          .then(() => events.pubsub.publish('engine', { kind: 'ACCOUNT_CHANGED', accountId }))
          .catch((err: Error) => logger.warn({ err: { message: err.message }, accountId }, 'could not signal a refused OAuth grant'));
      },
    },
    overrides.oauth?.tokens,
  );
  return {
    config,
    metrics: new Metrics(),
    oauth: { clients, tokens },
    database,
    blobs,
    keys,
    secrets,
    events,
    logger,
    async close() {
      await events.close();
      if (!overrides.database) await database.close();
      if (pidFile) await rm(pidFile, { force: true });
    },
  };
}
