import { schema, type Runtime } from '@correio/core';
import { retryFailedImport, type Importer } from '@correio/mail-engine';
import { text, type ServerText } from '@correio/texts';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, fieldError, notFound, validationError } from '../errors.ts';
import { isUuid } from './account-service.ts';

const { failedImports, refusedMessages, emailAccounts } = schema;

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
    if (!isUuid(id)) throw notFound('failedImport');
    const result = await retryFailedImport(this.runtime, this.importer, viewer.workspaceId, id);
    if (!result) throw notFound('failedImport');
    if (result.kind === 'FAILED') throw importFailed('api.VALIDATION_FAILED.retryFailed', result.text);
    return true;
  }

  /** W9: a held message, let through by an admin; imported once, whatever happens to the call. */
  async release(viewer: Viewer, id: string): Promise<RefusedMessageRow> {
    const [row] = isUuid(id) ? await this.db.select().from(refusedMessages).where(and(eq(refusedMessages.id, id), eq(refusedMessages.workspaceId, viewer.workspaceId))) : [];
    if (!row) throw notFound('refusedMessage');
    if (!row.held || !row.rawBlobKey) throw validationError([fieldError(['id'], text('validation.release.notHeld'))]);
    if (row.releasedAt) return row;
    const [account] = await this.db.select().from(emailAccounts).where(and(eq(emailAccounts.id, row.accountId), eq(emailAccounts.workspaceId, viewer.workspaceId)));
    if (!account) throw notFound('account');
    // The ledger key names the release, so releasing twice (two admins, a retried call) imports once.
    const result = await this.importer.import(account, { sourceKey: `release:${row.id}`, raw: { blobKey: row.rawBlobKey }, receivedAt: row.at, historical: false, released: true, ...(row.authenticationResults ? { arrival: { verified: row.authenticationResults } } : {}) });
    if (result.kind === 'FAILED') throw importFailed('api.VALIDATION_FAILED.releaseFailed', result.text);
    const [released] = await this.db.update(refusedMessages).set({ releasedAt: new Date() }).where(eq(refusedMessages.id, row.id)).returning();
    return released!;
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

/** The import's own reason, inside our sentence: `{reason}` holds its code (renderText words it too). */
function importFailed(code: 'api.VALIDATION_FAILED.retryFailed' | 'api.VALIDATION_FAILED.releaseFailed', reason: ServerText): AppError {
  return new AppError('VALIDATION_FAILED', { code, params: { ...reason.params, reasonText: reason.code }, detail: reason.detail }, { fields: [fieldError(['id'], reason)] });
}
