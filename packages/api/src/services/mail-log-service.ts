import { schema, type Runtime } from '@correio/core';
import { retryFailedImport, type Importer } from '@correio/mail-engine';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from './account-service.ts';

const { failedImports, refusedMessages } = schema;

export type FailedImportRow = typeof failedImports.$inferSelect;
export type RefusedMessageRow = typeof refusedMessages.$inferSelect;

/** What happened to mail that did not become a ticket: failed imports (W7) and refused messages (A4, W5). */
export class MailLogService {
  constructor(
    private readonly runtime: Runtime,
    private readonly importer: Importer,
  ) {}

  private get db() {
    return this.runtime.database.db;
  }

  failedImports(viewer: Viewer, accountId: string | null | undefined, includeResolved = false) {
    const conditions = [eq(failedImports.workspaceId, viewer.workspaceId)];
    if (accountId) {
      if (!isUuid(accountId)) return Promise.resolve([]);
      conditions.push(eq(failedImports.accountId, accountId));
    }
    if (!includeResolved) conditions.push(isNull(failedImports.resolvedAt));
    return this.db.select().from(failedImports).where(and(...conditions)).orderBy(desc(failedImports.at)).limit(500);
  }

  async retry(viewer: Viewer, id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound('Failed import');
    const result = await retryFailedImport(this.runtime, this.importer, viewer.workspaceId, id);
    if (!result) throw notFound('Failed import');
    if (result.kind === 'FAILED') throw new AppError('VALIDATION_FAILED', `The message still cannot be imported: ${result.error}`, { fields: [{ path: ['id'], message: result.error }] });
    return true;
  }

  refusedMessages(viewer: Viewer, accountId: string | null | undefined) {
    const conditions = [eq(refusedMessages.workspaceId, viewer.workspaceId)];
    if (accountId) {
      if (!isUuid(accountId)) return Promise.resolve([]);
      conditions.push(eq(refusedMessages.accountId, accountId));
    }
    return this.db.select().from(refusedMessages).where(and(...conditions)).orderBy(desc(refusedMessages.at)).limit(500);
  }
}
