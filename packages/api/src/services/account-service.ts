import { agentHtmlOf } from '@correio/mail-engine';
import { randomUUID } from 'node:crypto';
import { accountSecretContext, grantSecretContext, schema, type OAuthGrantRow, type OAuthProviderName, type AccountRow, type AccountSecretField, type SecretBindingColumns, type Queryable, type Runtime } from '@correio/core';
import { text } from '@correio/texts';
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Viewer } from '../auth/tokens.ts';
import { AppError, fieldError, notFound, validationError } from '../errors.ts';
import { accountInputSchema, connectionColumns, type AccountInput } from './account-input.ts';
import { isUniqueViolation, parseInput } from './validation.ts';

const { emailAccounts, accountStatuses, workspaces, groups, ticketTypes, oauthGrants } = schema;

type AccountValues = typeof emailAccounts.$inferInsert;

/** An OAuth account logs in with its grant in both directions: XOAUTH2/OAUTHBEARER, no passwords. */
function oauthColumns(provider: OAuthProviderName) {
  return {
    oauthProvider: provider,
    incomingPasswordSealed: null,
    outgoingPasswordSealed: null,
    outgoingAccessTokenSealed: null,
    outgoingRequiresAuth: true,
    outgoingAuthMechanism: 'XOAUTH2' as const,
    outgoingUseSeparateIdentity: false,
  };
}

export function builtinAddress(localPart: string, slug: string, inboundDomain: string): string {
  return `${localPart.toLowerCase()}@${slug}.${inboundDomain}`;
}


export class AccountService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  list(viewer: Viewer): Promise<AccountRow[]> {
    return this.db.select().from(emailAccounts).where(eq(emailAccounts.workspaceId, viewer.workspaceId)).orderBy(asc(emailAccounts.createdAt));
  }

  async get(viewer: Viewer, id: string): Promise<AccountRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .select()
      .from(emailAccounts)
      .where(and(eq(emailAccounts.id, id), eq(emailAccounts.workspaceId, viewer.workspaceId)));
    return row ?? null;
  }

  async require(viewer: Viewer, id: string): Promise<AccountRow> {
    const row = await this.get(viewer, id);
    if (!row) throw notFound('account');
    return row;
  }

  async create(viewer: Viewer, rawInput: unknown): Promise<AccountRow> {
    const input = parseInput(accountInputSchema, rawInput, 'input');
    const id = randomUUID();
    const values = await this.valuesFromInput(viewer, id, input, null);
    const grant = input.oauthConnectionId && input.kind === 'EXTERNAL' ? await this.pendingGrant(viewer, input.oauthConnectionId) : null;
    if (grant) Object.assign(values, oauthColumns(grant.provider));
    await this.assertUniqueMailbox(viewer, id, values);
    const row = await this.write(async (tx) => {
      const [created] = await tx.insert(emailAccounts).values({ ...values, id, workspaceId: viewer.workspaceId }).returning();
      await tx.insert(accountStatuses).values([
        { accountId: id, direction: 'INCOMING' },
        { accountId: id, direction: 'OUTGOING' },
      ]);
      if (grant) await this.attachGrant(tx, grant, created!);
      return created!;
    });
    this.signalEngine(id);
    this.runtime.logger.info({ accountId: id, workspaceId: viewer.workspaceId, kind: row.kind }, 'email account created');
    return row;
  }

  async update(viewer: Viewer, id: string, rawInput: unknown): Promise<AccountRow> {
    const existing = await this.require(viewer, id);
    const input = parseInput(accountInputSchema, rawInput, 'input');
    if (input.kind !== existing.kind)
      throw validationError([fieldError(['input', 'kind'], text('validation.account.kindFixed'))]);
    const values = await this.valuesFromInput(viewer, id, input, existing);
    if (existing.oauthProvider) Object.assign(values, oauthColumns(existing.oauthProvider));
    await this.assertUniqueMailbox(viewer, id, values);
    const row = await this.write(async (tx) => {
      const [updated] = await tx
        .update(emailAccounts)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(emailAccounts.id, id), eq(emailAccounts.workspaceId, viewer.workspaceId)))
        .returning();
      return updated!;
    });
    if (existing.brandLogoBlobKey && existing.brandLogoBlobKey !== row.brandLogoBlobKey) await this.runtime.blobs.delete(existing.brandLogoBlobKey);
    this.signalEngine(id);
    this.runtime.events.pubsub.publish('accountStatusChanged', viewer.workspaceId, { accountId: id });
    return row;
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const existing = await this.require(viewer, id);
    await this.db.delete(emailAccounts).where(and(eq(emailAccounts.id, id), eq(emailAccounts.workspaceId, viewer.workspaceId)));
    if (existing.brandLogoBlobKey) await this.runtime.blobs.delete(existing.brandLogoBlobKey);
    this.signalEngine(id);
    this.runtime.logger.info({ accountId: id, workspaceId: viewer.workspaceId }, 'email account removed');
    return true;
  }

  async setActive(viewer: Viewer, id: string, active: boolean): Promise<AccountRow> {
    await this.require(viewer, id);
    const [row] = await this.db
      .update(emailAccounts)
      .set({ active, updatedAt: new Date() })
      .where(and(eq(emailAccounts.id, id), eq(emailAccounts.workspaceId, viewer.workspaceId)))
      .returning();
    this.signalEngine(id);
    // (De)activation changes the shown status (DISABLED) without any check: tell the screens.
    this.runtime.events.pubsub.publish('accountStatusChanged', viewer.workspaceId, { accountId: id });
    return row!;
  }

  /** A consent that came back to this workspace and is not used by an account yet. */
  private async pendingGrant(viewer: Viewer, grantId: string): Promise<OAuthGrantRow> {
    const [grant] = await this.db
      .select()
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, grantId), eq(oauthGrants.workspaceId, viewer.workspaceId), isNull(oauthGrants.accountId)));
    if (!grant) throw new AppError('OAUTH_CONNECTION_INVALID', undefined, { fields: [fieldError(['input', 'oauthConnectionId'], text('api.OAUTH_CONNECTION_INVALID.field'))] });
    return grant;
  }

  /**
   * Hands the consent's tokens to the new account: re-sealed under the account and its servers
   * (A13: they are only ever sent there), and claimed only if still pending, so one consent
   * never serves two accounts.
   */
  private async attachGrant(tx: Queryable, grant: OAuthGrantRow, account: AccountRow): Promise<void> {
    const pending = { id: grant.id, accountId: null, provider: grant.provider };
    const owned = { id: grant.id, accountId: account.id, provider: grant.provider };
    const reseal = (sealed: string | null, field: 'oauth-access-token' | 'oauth-refresh-token') =>
      sealed ? this.runtime.secrets.seal(this.runtime.secrets.open(sealed, grantSecretContext(pending, field, null)), grantSecretContext(owned, field, account)) : null;
    const [attached] = await tx
      .update(oauthGrants)
      .set({ accountId: account.id, accessTokenSealed: reseal(grant.accessTokenSealed, 'oauth-access-token'), refreshTokenSealed: reseal(grant.refreshTokenSealed, 'oauth-refresh-token'), updatedAt: new Date() })
      .where(and(eq(oauthGrants.id, grant.id), isNull(oauthGrants.accountId)))
      .returning({ id: oauthGrants.id });
    if (!attached) throw new AppError('OAUTH_CONNECTION_INVALID');
  }

  private signalEngine(accountId: string): void {
    this.runtime.events.pubsub.publish('engine', { kind: 'ACCOUNT_CHANGED', accountId });
  }

  private async write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      if (isUniqueViolation(err, 'email_accounts_builtin_address'))
        throw validationError([fieldError(['input', 'address'], text('validation.account.builtinAddressTaken'))]);
      throw err;
    }
  }

  /** Maps validated input onto columns: fills ports, seals passwords, keeps secrets the input omits. */
  private async valuesFromInput(viewer: Viewer, id: string, input: AccountInput, existing: AccountRow | null): Promise<Omit<AccountValues, 'id' | 'workspaceId'>> {
    await this.assertOwned(viewer, input);
    const seal = (value: string, field: AccountSecretField, columns: SecretBindingColumns) => this.runtime.secrets.seal(value, accountSecretContext(id, field, columns));
    const brand = await this.brandValues(input, existing);
    const common = {
      name: input.name,
      kind: input.kind,
      providerId: input.kind === 'EXTERNAL' ? (input.providerId ?? null) : null,
      ...brand,
      ticketTypeId: input.ticketTypeId ?? null,
      groupId: input.groupId ?? null,
      sendSingleMessageToAllRecipients: input.sendSingleMessageToAllRecipients ?? existing?.sendSingleMessageToAllRecipients ?? true,
      signature: input.signature === undefined ? (existing?.signature ?? null) : agentHtmlOf(input.signature),
      ...(input.acknowledgement
        ? { ackEnabled: input.acknowledgement.enabled, ackSubject: input.acknowledgement.subject || null, ackText: input.acknowledgement.text || null }
        : existing
          ? {}
          : { ackEnabled: false }),
    };

    if (input.kind === 'BUILTIN') {
      const [ws] = await this.db.select({ slug: workspaces.slug }).from(workspaces).where(eq(workspaces.id, viewer.workspaceId));
      const local = input.address.split('@')[0]!;
      // Built-in accounts receive through Correio's own SMTP receiver and send through the relay;
      // only the import policies of the incoming input mean anything for them.
      const policies = input.incoming;
      return {
        ...common,
        address: builtinAddress(local, ws!.slug, this.runtime.config.inboundDomain),
        incomingEnabled: policies?.enabled ?? existing?.incomingEnabled ?? true,
        newTicketPolicy: policies?.newTicketPolicy ?? existing?.newTicketPolicy ?? 'ANY_SENDER',
        appendReplies: policies?.appendReplies ?? existing?.appendReplies ?? true,
        sameSubjectPolicy: policies?.sameSubjectPolicy ?? existing?.sameSubjectPolicy ?? 'ASSOCIATE_IF_CLIENT_OR_CC',
        dmarcFailPolicy: policies?.dmarcFailPolicy ?? existing?.dmarcFailPolicy ?? 'FLAG',
      };
    }

    const i = input.incoming;
    const o = input.outgoing;
    return {
      ...common,
      address: input.address,
      incomingEnabled: i?.enabled ?? false,
      ...connectionColumns(i, o, seal, existing),
      markAsRead: i?.markAsRead ?? false,
      deleteAfterDays: i?.deleteAfterDays ?? null,
      newTicketPolicy: i?.newTicketPolicy ?? 'ANY_SENDER',
      appendReplies: i?.appendReplies ?? true,
      sameSubjectPolicy: i?.sameSubjectPolicy ?? 'ASSOCIATE_IF_CLIENT_OR_CC',
      importExisting: i?.importExisting ?? existing?.importExisting ?? 'NONE',
      importExistingDays: i?.importExisting === 'LAST_DAYS' ? (i.importExistingDays ?? null) : null,
      dmarcFailPolicy: i?.dmarcFailPolicy ?? existing?.dmarcFailPolicy ?? 'FLAG',
      trustedAuthservId: i?.trustedAuthservId ?? null,
    };
  }

  private async brandValues(input: AccountInput, existing: AccountRow | null) {
    const logo = input.brand?.logoDataUrl;
    let brandLogoBlobKey = existing?.brandLogoBlobKey ?? null;
    let brandLogoContentType = existing?.brandLogoContentType ?? null;
    if (logo === '') {
      brandLogoBlobKey = null;
      brandLogoContentType = null;
    } else if (logo) {
      const [, contentType, data] = /^data:(image\/[a-z]+);base64,(.*)$/s.exec(logo)!;
      const stored = await this.runtime.blobs.put(Buffer.from(data!, 'base64'));
      brandLogoBlobKey = stored.key;
      brandLogoContentType = contentType!;
    }
    return {
      brandName: input.brand ? input.brand.name : (existing?.brandName ?? null),
      brandUrl: input.brand ? input.brand.url : (existing?.brandUrl ?? null),
      brandLogoBlobKey,
      brandLogoContentType,
    };
  }

  /** Ticket type and group must be the caller's own: an id from another workspace is "unknown". */
  private async assertOwned(viewer: Viewer, input: AccountInput): Promise<void> {
    if (input.ticketTypeId) {
      const [t] = await this.db
        .select({ id: ticketTypes.id })
        .from(ticketTypes)
        .where(and(eq(ticketTypes.id, input.ticketTypeId), eq(ticketTypes.workspaceId, viewer.workspaceId)));
      if (!t) throw validationError([fieldError(['input', 'ticketTypeId'], text('validation.account.unknownTicketType'))]);
    }
    if (input.groupId) {
      const [g] = await this.db
        .select({ id: groups.id })
        .from(groups)
        .where(and(eq(groups.id, input.groupId), eq(groups.workspaceId, viewer.workspaceId)));
      if (!g) throw validationError([fieldError(['input', 'groupId'], text('validation.account.unknownGroup'))]);
    }
  }

  /** Two accounts reading the same mailbox would import every message twice. */
  private async assertUniqueMailbox(viewer: Viewer, id: string, values: Partial<AccountValues>): Promise<void> {
    if (!values.incomingHost || !values.incomingUsername) return;
    const [clash] = await this.db
      .select({ id: emailAccounts.id, name: emailAccounts.name })
      .from(emailAccounts)
      .where(
        and(
          eq(emailAccounts.workspaceId, viewer.workspaceId),
          ne(emailAccounts.id, id),
          eq(sql`lower(${emailAccounts.incomingHost})`, values.incomingHost.toLowerCase()),
          eq(sql`lower(${emailAccounts.incomingUsername})`, values.incomingUsername.toLowerCase()),
          eq(emailAccounts.incomingFolder, values.incomingFolder ?? 'INBOX'),
        ),
      );
    if (clash)
      throw new AppError('DUPLICATE_MAILBOX', text('api.DUPLICATE_MAILBOX.named', { name: clash.name }), {
        fields: [fieldError(['input', 'incoming', 'username'], text('api.DUPLICATE_MAILBOX.field', { name: clash.name }))],
      });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
