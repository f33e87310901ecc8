import { accountSecretContext, sharesIncomingLogin, type AccountSecretField, type SecretBox } from '@correio/core';
import type { EncryptionName, IncomingProtocolName } from '@correio/mail-settings';

export interface IncomingConnection {
  protocol: IncomingProtocolName;
  host: string;
  port: number;
  encryption: EncryptionName;
  username: string;
  password: string;
  /** OAuth mailboxes (issue 13): the fresh access token; the password is then empty. */
  accessToken: string | null;
  folder: string;
}

export type { SmtpAuthMechanism } from '@correio/mail-settings';
import type { SmtpAuthMechanism } from '@correio/mail-settings';

export interface OutgoingConnection {
  host: string;
  port: number;
  encryption: EncryptionName;
  /** null: the server takes mail without authentication. */
  auth: { user: string; password: string | null; accessToken: string | null; mechanism: SmtpAuthMechanism } | null;
}

/** The account columns connection settings are built from (a stored row, or unsaved form input). */
export interface AccountConnectionColumns {
  id: string;
  address: string;
  /** Set: the account signs in with an OAuth grant, never with a password. */
  oauthProvider: 'GOOGLE' | 'MICROSOFT' | null;
  incomingProtocol: IncomingProtocolName | null;
  incomingHost: string | null;
  incomingPort: number | null;
  incomingEncryption: EncryptionName | null;
  incomingUsername: string | null;
  incomingPasswordSealed: string | null;
  incomingFolder: string;
  outgoingHost: string | null;
  outgoingPort: number | null;
  outgoingEncryption: EncryptionName | null;
  outgoingRequiresAuth: boolean;
  outgoingUsername: string | null;
  outgoingPasswordSealed: string | null;
  outgoingAccessTokenSealed: string | null;
  outgoingAuthMechanism: SmtpAuthMechanism | null;
  outgoingUseSeparateIdentity: boolean;
}

/**
 * Opens the sealed credentials only here, at the moment of connecting; they never travel further.
 * An OAuth account passes the access token the caller just got from the token keeper.
 */
export function incomingConnectionOf(account: AccountConnectionColumns, secrets: SecretBox, accessToken: string | null = null): IncomingConnection | null {
  if (!account.incomingProtocol || !account.incomingHost || !account.incomingPort || !account.incomingEncryption) return null;
  if (account.oauthProvider)
    return {
      protocol: account.incomingProtocol,
      host: account.incomingHost,
      port: account.incomingPort,
      encryption: account.incomingEncryption,
      // The mailbox being opened: a shared or delegated address may differ from who signed in.
      username: account.incomingUsername || account.address,
      password: '',
      accessToken,
      folder: account.incomingFolder || 'INBOX',
    };
  return {
    protocol: account.incomingProtocol,
    host: account.incomingHost,
    port: account.incomingPort,
    encryption: account.incomingEncryption,
    username: account.incomingUsername ?? '',
    password: account.incomingPasswordSealed ? secrets.open(account.incomingPasswordSealed, accountSecretContext(account.id, 'incoming-password', account)) : '',
    accessToken: null,
    folder: account.incomingFolder || 'INBOX',
  };
}

/**
 * SMTP login: its own identity when "use another identity for the outgoing server" is on,
 * otherwise the incoming login (most providers use one login for both).
 */
export function outgoingConnectionOf(account: AccountConnectionColumns, secrets: SecretBox, accessToken: string | null = null): OutgoingConnection | null {
  if (!account.outgoingHost || !account.outgoingPort || !account.outgoingEncryption) return null;
  let auth: OutgoingConnection['auth'] = null;
  if (account.oauthProvider) {
    auth = { user: account.outgoingUsername || account.incomingUsername || account.address, password: null, accessToken, mechanism: 'XOAUTH2' };
  } else if (account.outgoingRequiresAuth) {
    const mechanism = account.outgoingAuthMechanism ?? 'PLAIN';
    const separate = !sharesIncomingLogin(account);
    // Opens only under the settings it was sealed with: a secret never reaches another server (A13).
    const open = (sealed: string | null, field: AccountSecretField) => (sealed ? secrets.open(sealed, accountSecretContext(account.id, field, account)) : null);
    auth = {
      user: (separate ? account.outgoingUsername : account.incomingUsername) ?? account.outgoingUsername ?? '',
      password: separate ? open(account.outgoingPasswordSealed, 'outgoing-password') : open(account.incomingPasswordSealed, 'incoming-password'),
      accessToken: open(account.outgoingAccessTokenSealed, 'outgoing-access-token'),
      mechanism,
    };
  }
  return { host: account.outgoingHost, port: account.outgoingPort, encryption: account.outgoingEncryption, auth };
}
