import type { OAuthGrantRow } from '@correio/core';
import { builder } from '../builder.ts';
import type { OAuthProviderInfo } from '../services/oauth-service.ts';
import { EmailAccountRef } from './account.ts';
import { OAuthProviderEnum } from './enums.ts';

const OAuthProviderInfoRef = builder.objectRef<OAuthProviderInfo>('OAuthProviderInfo').implement({
  description: 'Whether this install can connect mailboxes of a provider with OAuth 2.0, and what the form fills in.',
  fields: (t) => ({
    provider: t.expose('provider', { type: OAuthProviderEnum, description: 'The provider.' }),
    configured: t.exposeBoolean('configured', { description: 'False: the operator has not registered the app; the button is off and `missingSettings` says why.' }),
    missingSettings: t.exposeStringList('missingSettings', { description: 'Server variables that must be set first, e.g. CORREIO_GOOGLE_CLIENT_ID.' }),
    redirectUri: t.exposeString('redirectUri', { description: 'The redirect URI to register at the provider (CORREIO_PUBLIC_URL + /oauth/callback).' }),
    incomingHost: t.exposeString('incomingHost', { description: 'IMAP server of the provider.' }),
    incomingPort: t.exposeInt('incomingPort', { description: 'IMAP port (993, SSL/TLS).' }),
    outgoingHost: t.exposeString('outgoingHost', { description: 'SMTP server of the provider.' }),
    outgoingPort: t.exposeInt('outgoingPort', { description: 'SMTP port (587, STARTTLS).' }),
  }),
});

const OAuthStartRef = builder.objectRef<{ authorizationUrl: string; expiresAt: Date }>('OAuthStart').implement({
  description: 'A consent in flight: send the admin’s browser to `authorizationUrl`; it comes back to /oauth/callback.',
  fields: (t) => ({
    authorizationUrl: t.exposeString('authorizationUrl', { description: 'The provider’s consent page (state, PKCE and nonce included).' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'The consent must come back before this (10 minutes), in the same browser.' }),
  }),
});

const OAuthConnectionRef = builder.objectRef<OAuthGrantRow>('OAuthConnection').implement({
  description: 'A completed consent waiting for its account to be saved (`EmailAccountInput.oauthConnectionId`).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Pass as `oauthConnectionId` when creating the account.' }),
    provider: t.expose('provider', { type: OAuthProviderEnum, description: 'The provider signed in to.' }),
    identity: t.exposeString('identity', { description: 'The address the admin signed in as.' }),
  }),
});

const AccountOAuthRef = builder.objectRef<OAuthGrantRow>('AccountOAuth').implement({
  description: 'How an OAuth account signs in (issue 13). Tokens are never returned.',
  fields: (t) => ({
    provider: t.expose('provider', { type: OAuthProviderEnum, description: 'The provider.' }),
    identity: t.exposeString('identity', { description: 'Who signed in to grant access (may differ from a shared mailbox’s address).' }),
    connectedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the mailbox was first connected.' }),
    lastRefreshAt: t.expose('refreshedAt', { type: 'DateTime', description: 'Last time the provider issued a token (consent or refresh).' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime', nullable: true, description: 'When the current access token expires; Correio refreshes it ahead of time.' }),
    needsReconnect: t.boolean({ description: 'The provider refused the grant for good: “Reconnect” (startOAuthConnection with accountId) is needed.', resolve: (g) => g.failureCode === 'OAUTH_REAUTH_REQUIRED' }),
    failure: t.exposeString('failureDetail', { nullable: true, description: 'Why, in the provider’s words (e.g. invalid_grant: …).' }),
  }),
});

builder.objectField(EmailAccountRef, 'oauth', (t) =>
  t.field({
    type: AccountOAuthRef,
    nullable: true,
    authScopes: { admin: true },
    description: 'Set when the account signs in with OAuth 2.0 instead of passwords. Admins only.',
    resolve: (a, _args, ctx) => (a.oauthProvider ? ctx.services.oauth.grantOf(a.id) : null),
  }),
);

builder.queryFields((t) => ({
  oauthProviders: t.withAuth({ admin: true }).field({
    type: [OAuthProviderInfoRef],
    description: 'The OAuth providers and whether this install has their apps configured.',
    resolve: (_root, _args, ctx) => ctx.services.oauth.providers(),
  }),
  oauthConnection: t.withAuth({ admin: true }).field({
    type: OAuthConnectionRef,
    nullable: true,
    description: 'A consent that came back and is not used by an account yet (the callback’s `oauthConnection` parameter); null when unknown, used or from another workspace.',
    args: { id: t.arg.id({ required: true, description: 'The id from the callback.' }) },
    resolve: (_root, args, ctx) => ctx.services.oauth.pendingConnection(ctx.viewer, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  startOAuthConnection: t.withAuth({ admin: true }).field({
    type: OAuthStartRef,
    description:
      'Starts “Connect with Google/Microsoft” (issue 13): with `accountId` it reconnects that account; `address` names a shared or delegated mailbox when it differs from who signs in. Must be called over HTTP from the browser that will open the URL (it sets the browser-binding cookie).',
    args: {
      provider: t.arg({ type: OAuthProviderEnum, required: true, description: 'Provider to sign in with.' }),
      accountId: t.arg.id({ description: 'Reconnect this account.' }),
      address: t.arg.string({ description: 'The mailbox address, when it is not the signing-in user’s own.' }),
    },
    resolve: async (_root, args, ctx) => {
      const started = await ctx.services.oauth.start(ctx.viewer, args.provider, args.accountId ? String(args.accountId) : null, args.address ?? null);
      ctx.setCookie?.(started.cookie);
      return started;
    },
  }),
}));
