import { graphql } from '#graphql/graphql.ts';

/**
 * "Connect with Google / Microsoft" (issue 13). Sent over HTTP (urql's fetchExchange, like every
 * mutation): its response sets the HttpOnly cookie that binds the consent to this browser, and
 * the page then goes to `authorizationUrl`. With `accountId` it reconnects that account.
 */
export const StartOAuthConnectionMutation = graphql(`
  mutation StartOAuthConnection($provider: OAuthProvider!, $accountId: ID, $address: String) {
    startOAuthConnection(provider: $provider, accountId: $accountId, address: $address) { authorizationUrl expiresAt }
  }
`);

/** The consent the callback sent the browser back with (`?oauthConnection=<id>`); null once used or expired. */
export const OAuthConnectionQuery = graphql(`
  query OAuthConnection($id: ID!) { oauthConnection(id: $id) { id provider identity } }
`);
