import { schema, type Runtime } from '@correio/core';
import { and, eq } from 'drizzle-orm';
import type { ImportResult, Importer } from './importer.ts';

const { failedImports, emailAccounts } = schema;

/** Runs a kept raw message through the pipeline again (W7); its failed-import row resolves on success. */
export async function retryFailedImport(runtime: Runtime, importer: Importer, workspaceId: string, failedImportId: string): Promise<ImportResult | null> {
  const db = runtime.database.db;
  const [row] = await db
    .select({ failed: failedImports, account: emailAccounts })
    .from(failedImports)
    .innerJoin(emailAccounts, eq(emailAccounts.id, failedImports.accountId))
    .where(and(eq(failedImports.id, failedImportId), eq(failedImports.workspaceId, workspaceId)));
  if (!row) return null;
  return importer.import(row.account, { sourceKey: row.failed.sourceKey, raw: { blobKey: row.failed.rawBlobKey }, receivedAt: row.failed.at, historical: false });
}
