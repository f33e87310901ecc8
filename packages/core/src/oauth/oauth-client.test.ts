import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { classify } from './oauth-client.ts';
import { oauthProviderSettings, refreshIssuer } from './providers.ts';

const config = loadConfig({ CORREIO_MICROSOFT_CLIENT_ID: 'id', CORREIO_MICROSOFT_CLIENT_SECRET: 'secret' });
const microsoft = oauthProviderSettings(config, 'MICROSOFT');
const google = oauthProviderSettings(config, 'GOOGLE');
// The shape openid-client gives a token endpoint's error answer (ResponseBodyError).
const answer = (error: string, description = '', status = 400) => Object.assign(new Error(description), { error, error_description: description, status });

describe('what a provider error means for the mailbox', () => {
  it.each([
    ['invalid_grant', 'AADSTS50173: The provided grant has expired due to it being revoked'],
    ['invalid_grant', 'Token has been expired or revoked.'],
    ['interaction_required', 'AADSTS50076: you must use multi-factor authentication'],
    ['consent_required', 'AADSTS65001: The user or administrator has not consented'],
  ])('%s (%s) → sign in again, with the provider’s words kept', (error, description) => {
    const e = classify(answer(error, description), microsoft, 'refresh');
    expect(e).toMatchObject({ code: 'OAUTH_REAUTH_REQUIRED', transient: false });
    expect(e.providerError).toBe(`${error}: ${description}`);
  });

  it('an expired Microsoft client secret asks for a reconnect and names the variable to renew', () => {
    const e = classify(answer('invalid_client', 'AADSTS7000222: The provided client secret keys for app are expired.', 401), microsoft, 'refresh');
    expect(e.code).toBe('OAUTH_REAUTH_REQUIRED');
    expect(e.message).toContain('CORREIO_MICROSOFT_CLIENT_SECRET');
  });

  it('a wrong client id or secret is the operator’s to fix, naming the variables', () => {
    const e = classify(answer('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401), microsoft, 'refresh');
    expect(e).toMatchObject({ code: 'OAUTH_CLIENT_MISCONFIGURED', transient: false });
    expect(e.message).toContain('CORREIO_MICROSOFT_CLIENT_ID');
    expect(classify(answer('unauthorized_client'), google, 'exchange').message).toContain('CORREIO_GOOGLE_CLIENT_ID');
  });

  it.each([answer('temporarily_unavailable'), answer('server_error', '', 500), Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }), Object.assign(new Error('nope'), { code: 'OAUTH_RESPONSE_IS_NOT_JSON', cause: { status: 503 } })])(
    'network trouble and 5xx are transient (%#)',
    (err) => {
      expect(classify(err, microsoft, 'refresh')).toMatchObject({ code: 'OAUTH_UNAVAILABLE', transient: true });
    },
  );

  it('a discovery document that is not there points at the issuer variable', () => {
    const e = classify(Object.assign(new Error('unexpected HTTP response status code'), { code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', cause: { status: 404 } }), microsoft, 'discovery');
    expect(e.code).toBe('OAUTH_CLIENT_MISCONFIGURED');
    expect(e.message).toContain('CORREIO_OAUTH_MICROSOFT_ISSUER');
  });
});

describe('provider settings', () => {
  it('says which variables are missing, and asks for the scopes each mail service needs', () => {
    expect(google.missing).toEqual(['CORREIO_GOOGLE_CLIENT_ID', 'CORREIO_GOOGLE_CLIENT_SECRET']);
    expect(microsoft.missing).toEqual([]);
    expect(google.scopes).toContain('https://mail.google.com/');
    expect(google.authorizationParams).toMatchObject({ access_type: 'offline', prompt: 'consent' });
    expect(microsoft.scopes).toEqual(expect.arrayContaining(['offline_access', 'https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send']));
  });

  it('refreshes a multi-tenant Microsoft grant at its own tenant, and nothing else', () => {
    expect(microsoft.issuer).toBe('https://login.microsoftonline.com/organizations/v2.0');
    expect(refreshIssuer(microsoft, '72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0');
    expect(refreshIssuer(microsoft, '../../evil')).toBe(microsoft.issuer);
    const single = oauthProviderSettings(loadConfig({ CORREIO_MICROSOFT_TENANT: 'acme.onmicrosoft.com' }), 'MICROSOFT');
    expect(refreshIssuer(single, '72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('https://login.microsoftonline.com/acme.onmicrosoft.com/v2.0');
  });

  it('refuses a tenant that is not a tenant', () => {
    expect(() => loadConfig({ CORREIO_MICROSOFT_TENANT: 'x/../../evil' })).toThrow(/CORREIO_MICROSOFT_TENANT/);
  });
});
