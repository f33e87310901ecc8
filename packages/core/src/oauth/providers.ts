import type { CorreioConfig } from '../config/config.ts';
import type { oauthProviderEnum } from '../db/schema/enums.ts';

export type OAuthProviderName = (typeof oauthProviderEnum.enumValues)[number];
export const OAUTH_PROVIDERS = ['GOOGLE', 'MICROSOFT'] as const satisfies readonly OAuthProviderName[];

/** One provider's app as this install configured it, and what a consent asks for. */
export interface OAuthProviderSettings {
  provider: OAuthProviderName;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Where discovery starts (`/.well-known/openid-configuration` under it). */
  issuer: string;
  /** The variables an operator sets, named in every configuration error. */
  variables: { clientId: string; clientSecret: string; issuer: string };
  /** Unset variables that keep the provider's button off. */
  missing: string[];
  scopes: string[];
  /** Extra authorization parameters: Google only returns a refresh token with these. */
  authorizationParams: Record<string, string>;
  /** The provider's mail servers, filled into the form when the admin connects. */
  mail: { incomingHost: string; incomingPort: number; outgoingHost: string; outgoingPort: number };
  /** Microsoft's multi-tenant issuers: refresh against the signed-in tenant's own endpoint. */
  tenantTemplate: boolean;
  /**
   * `scope` sent with a refresh: Microsoft's v2 endpoint wants the resource's scopes again; other
   * providers (and RFC 6749 §6) take an omitted scope as "what was granted".
   */
  refreshScope: string | null;
}

const MICROSOFT_MULTI_TENANT = /^(organizations|common|consumers)$/i;
const MICROSOFT_MAIL_SCOPES = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send'];

export function oauthProviderSettings(config: CorreioConfig, provider: OAuthProviderName): OAuthProviderSettings {
  if (provider === 'GOOGLE') {
    const g = config.oauth.google;
    const variables = { clientId: 'CORREIO_GOOGLE_CLIENT_ID', clientSecret: 'CORREIO_GOOGLE_CLIENT_SECRET', issuer: 'CORREIO_OAUTH_GOOGLE_ISSUER' };
    return {
      provider,
      clientId: g.clientId,
      clientSecret: g.clientSecret,
      issuer: g.issuer ?? 'https://accounts.google.com',
      variables,
      missing: missing({ [variables.clientId]: g.clientId, [variables.clientSecret]: g.clientSecret }),
      // https://mail.google.com/ is the one scope Gmail's IMAP, POP and SMTP accept.
      scopes: ['openid', 'email', 'https://mail.google.com/'],
      // offline + consent: Google hands out a refresh token only on a consent screen.
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      mail: { incomingHost: 'imap.gmail.com', incomingPort: 993, outgoingHost: 'smtp.gmail.com', outgoingPort: 587 },
      tenantTemplate: false,
      refreshScope: null,
    };
  }
  const m = config.oauth.microsoft;
  const variables = { clientId: 'CORREIO_MICROSOFT_CLIENT_ID', clientSecret: 'CORREIO_MICROSOFT_CLIENT_SECRET', issuer: 'CORREIO_OAUTH_MICROSOFT_ISSUER' };
  return {
    provider,
    clientId: m.clientId,
    clientSecret: m.clientSecret,
    issuer: m.issuer ?? `https://login.microsoftonline.com/${m.tenant}/v2.0`,
    variables,
    missing: missing({ [variables.clientId]: m.clientId, [variables.clientSecret]: m.clientSecret }),
    // Exchange Online's mail scopes are named under its resource; offline_access brings the refresh token.
    scopes: ['openid', 'email', 'offline_access', ...MICROSOFT_MAIL_SCOPES],
    // The account picker, for admins signed in to several tenants; custom issuers may not know it.
    authorizationParams: m.issuer ? {} : { prompt: 'select_account' },
    mail: { incomingHost: 'outlook.office365.com', incomingPort: 993, outgoingHost: 'smtp.office365.com', outgoingPort: 587 },
    tenantTemplate: !m.issuer && MICROSOFT_MULTI_TENANT.test(m.tenant),
    refreshScope: m.issuer ? null : MICROSOFT_MAIL_SCOPES.concat('offline_access').join(' '),
  };
}

function missing(values: Record<string, string | undefined>): string[] {
  return Object.entries(values)
    .filter(([, v]) => !v)
    .map(([k]) => k);
}

/** The issuer a refresh goes to: a multi-tenant Microsoft app uses the grant's own tenant. */
export function refreshIssuer(settings: OAuthProviderSettings, tenantId: string | null): string {
  if (settings.tenantTemplate && tenantId && /^[0-9a-f-]{36}$/i.test(tenantId)) return `https://login.microsoftonline.com/${tenantId}/v2.0`;
  return settings.issuer;
}
