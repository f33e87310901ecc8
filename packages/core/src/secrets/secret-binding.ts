/**
 * A13: a stored password or token is only ever sent to the server it was saved for. The server
 * — protocol, host, port, user name and mechanism — is part of the associated data the secret
 * is sealed with, so the same ciphertext under changed settings does not even decrypt; the API
 * checks the same binding first, to ask for the password again instead of failing later.
 */
export type AccountSecretField = 'incoming-password' | 'outgoing-password' | 'outgoing-access-token';

/** The account columns a secret's binding is made of (a stored row or unsaved input alike). */
export interface SecretBindingColumns {
  incomingProtocol: string | null;
  incomingHost: string | null;
  incomingPort: number | null;
  incomingUsername: string | null;
  outgoingHost: string | null;
  outgoingPort: number | null;
  outgoingUsername: string | null;
  outgoingRequiresAuth: boolean;
  outgoingAuthMechanism: string | null;
  outgoingUseSeparateIdentity: boolean;
}

/**
 * Whether SMTP logs in with the incoming user and password ("use another identity" off): then
 * the incoming password also goes to the outgoing server, and is bound to both.
 */
export function sharesIncomingLogin(c: Pick<SecretBindingColumns, 'outgoingRequiresAuth' | 'outgoingUseSeparateIdentity' | 'incomingUsername'>): boolean {
  return c.outgoingRequiresAuth && !c.outgoingUseSeparateIdentity && !!c.incomingUsername;
}

/** The servers a secret may be sent to, as one string; any change means the secret must be typed again. */
export function secretBinding(c: SecretBindingColumns, field: AccountSecretField): string {
  const outgoing = (user: string | null) => `smtp:${(c.outgoingHost ?? '').toLowerCase()}:${c.outgoingPort ?? ''}:${(user ?? '').toLowerCase()}:${c.outgoingAuthMechanism ?? 'PLAIN'}`;
  if (field === 'incoming-password') {
    const incoming = `${(c.incomingProtocol ?? '').toLowerCase()}:${(c.incomingHost ?? '').toLowerCase()}:${c.incomingPort ?? ''}:${(c.incomingUsername ?? '').toLowerCase()}:PASSWORD`;
    return sharesIncomingLogin(c) ? `${incoming}|${outgoing(c.incomingUsername)}` : incoming;
  }
  return outgoing(c.outgoingUsername);
}

/** Associated data of a sealed account secret: its account, its field and the servers it is for. */
export function accountSecretContext(accountId: string, field: AccountSecretField, columns: SecretBindingColumns): string {
  return `account:${accountId}:${field}|${secretBinding(columns, field)}`;
}

/** How secrets were sealed before they were bound to their server (read once, by the upgrade). */
export function legacyAccountSecretContext(accountId: string, field: AccountSecretField): string {
  return `account:${accountId}:${field}`;
}

export type GrantSecretField = 'oauth-access-token' | 'oauth-refresh-token';

/**
 * Associated data of a sealed OAuth token (issue 13), bound like passwords (A13): to the grant,
 * to the account it belongs to and to the servers it is sent to. A pending grant (the account not
 * saved yet) is bound to itself only; saving the account re-seals it under the account.
 */
export function grantSecretContext(
  grant: { id: string; accountId: string | null; provider: string },
  field: GrantSecretField,
  account: Pick<SecretBindingColumns, 'incomingProtocol' | 'incomingHost' | 'incomingPort' | 'outgoingHost' | 'outgoingPort'> | null,
): string {
  const servers = account
    ? `${(account.incomingProtocol ?? '').toLowerCase()}:${(account.incomingHost ?? '').toLowerCase()}:${account.incomingPort ?? ''}|smtp:${(account.outgoingHost ?? '').toLowerCase()}:${account.outgoingPort ?? ''}`
    : 'pending';
  return `oauth-grant:${grant.id}:${field}|${grant.provider}|${grant.accountId ?? ''}|${servers}`;
}
