import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { emailAccounts } from './account.ts';
import { oauthProviderEnum } from './enums.ts';
import { users, workspaces } from './workspace.ts';

/**
 * What one consent at a provider gave Correio: the identity the admin signed in as and the
 * tokens, sealed. A grant without `accountId` is pending: the admin came back from the consent
 * page and has not saved the account form yet. `refreshingUntil` is the single-flight claim on
 * a refresh across processes; the new access token and the rotated refresh token are written by
 * one UPDATE, so neither can be saved without the other.
 */
export const oauthGrants = pgTable(
  'oauth_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').references(() => emailAccounts.id, { onDelete: 'cascade' }),
    provider: oauthProviderEnum('provider').notNull(),
    /** The provider's subject (`sub`) and the address the admin signed in as. */
    subject: text('subject').notNull(),
    identity: text('identity').notNull(),
    /** Microsoft's tenant id (`tid`): refreshes go to the tenant's own endpoint. */
    tenantId: text('tenant_id'),
    scope: text('scope'),
    accessTokenSealed: text('access_token_sealed'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenSealed: text('refresh_token_sealed'),
    /** Last successful token response (consent or refresh); idle grants are refreshed daily from it. */
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
    refreshCount: integer('refresh_count').notNull().default(0),
    refreshingUntil: timestamp('refreshing_until', { withTimezone: true }),
    refreshingBy: text('refreshing_by'),
    /** Set when the provider refused the grant for good: nothing is retried until a reconnect. */
    failureCode: text('failure_code'),
    failureDetail: text('failure_detail'),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('oauth_grants_account').on(t.accountId), index('oauth_grants_workspace').on(t.workspaceId), index('oauth_grants_refreshed').on(t.refreshedAt)],
);

export type OAuthGrantRow = typeof oauthGrants.$inferSelect;

/**
 * A consent in flight: created by `startOAuthConnection`, used once by `GET /oauth/callback`
 * within ten minutes. Only hashes of the `state` and of the browser binding are stored; the PKCE
 * verifier is sealed.
 */
export const oauthAuthorizations = pgTable(
  'oauth_authorizations',
  {
    stateHash: text('state_hash').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: oauthProviderEnum('provider').notNull(),
    /** Reconnect: the account whose grant this consent replaces. */
    accountId: uuid('account_id').references(() => emailAccounts.id, { onDelete: 'cascade' }),
    /** A shared or delegated mailbox address, when it differs from the identity signing in. */
    address: text('address'),
    browserBindingHash: text('browser_binding_hash').notNull(),
    codeVerifierSealed: text('code_verifier_sealed').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('oauth_authorizations_expires').on(t.expiresAt)],
);
