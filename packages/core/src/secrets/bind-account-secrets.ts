import { eq, or, like, and } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { emailAccounts } from '../db/schema/account.ts';
import type { Logger } from '../logging/logger.ts';
import { accountSecretContext, legacyAccountSecretContext, type AccountSecretField } from './secret-binding.ts';
import { isLegacySealed, type SecretBox } from './secret-box.ts';

const COLUMNS = {
  'incoming-password': 'incomingPasswordSealed',
  'outgoing-password': 'outgoingPasswordSealed',
  'outgoing-access-token': 'outgoingAccessTokenSealed',
} as const satisfies Record<AccountSecretField, keyof typeof emailAccounts.$inferSelect>;

/**
 * Re-seals secrets stored before A13 so they are bound to the server settings they were saved
 * with. Runs at every start-up and touches only legacy rows; each update is conditional on the
 * old value, so processes starting together cannot overwrite a newer secret. A value that does
 * not open (the key changed) is left alone: it never opened anyway, and the check says so.
 */
export async function bindAccountSecrets(db: Database, secrets: SecretBox, logger: Logger): Promise<number> {
  const legacy = await db
    .select()
    .from(emailAccounts)
    .where(or(...Object.values(COLUMNS).map((c) => like(emailAccounts[c], 'v1.%'))));
  let bound = 0;
  for (const account of legacy) {
    for (const [field, column] of Object.entries(COLUMNS) as Array<[AccountSecretField, (typeof COLUMNS)[AccountSecretField]]>) {
      const sealed = account[column];
      if (!sealed || !isLegacySealed(sealed)) continue;
      let plain: string;
      try {
        plain = secrets.open(sealed, legacyAccountSecretContext(account.id, field));
      } catch {
        continue;
      }
      const resealed = secrets.seal(plain, accountSecretContext(account.id, field, account));
      await db
        .update(emailAccounts)
        .set({ [column]: resealed })
        .where(and(eq(emailAccounts.id, account.id), eq(emailAccounts[column], sealed)));
      bound += 1;
    }
  }
  if (bound) logger.info({ secrets: bound }, 'bound stored account secrets to their servers');
  return bound;
}
