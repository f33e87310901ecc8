import { defaultIncomingPort, defaultOutgoingPort } from '@correio/mail-settings';
import type { AccountKind, DmarcFailPolicy, Encryption, ImportExisting, IncomingProtocol, NewTicketPolicy, OAuthProvider, SameSubjectPolicy, SmtpAuthMechanism } from '#graphql/enums.ts';
import type { ResultOf, VariablesOf } from '#graphql/graphql.ts';
import { looksLikeEmail } from '#shared/utils/email.ts';
import type { AccountFormOptionsQuery, CreateEmailAccountMutation, EmailAccountFormQuery } from '../graphql/accounts.ts';

export type AccountInput = VariablesOf<typeof CreateEmailAccountMutation>['input'];
export type StoredAccount = NonNullable<ResultOf<typeof EmailAccountFormQuery>['emailAccount']>;
export type Provider = ResultOf<typeof AccountFormOptionsQuery>['emailProviders'][number];

/**
 * How an account signs in with OAuth 2.0 instead of passwords (issue 13): a stored OAuth account,
 * or a consent that came back (`connectionId`) and is used when the account is created.
 */
export interface FormOAuth {
  provider: OAuthProvider;
  /** Who signed in (may differ from a shared mailbox's address). */
  identity: string;
  /** The pending consent the new account is created with; null once it belongs to the account. */
  connectionId: string | null;
  needsReconnect: boolean;
}

/** Everything the account form edits, in the shape the inputs want (strings, booleans). */
export interface AccountForm {
  name: string;
  kind: AccountKind;
  localPart: string;
  address: string;
  providerId: string;
  brand: { name: string; url: string; logoUrl: string | null; logoDataUrl: string | null | undefined };
  incoming: {
    enabled: boolean;
    protocol: IncomingProtocol;
    host: string;
    port: number | null;
    encryption: Encryption;
    username: string;
    password: string;
    hasPassword: boolean;
    folder: string;
    markAsRead: boolean;
    deleteAfter: boolean;
    deleteAfterDays: number | null;
    newTicketPolicy: NewTicketPolicy;
    appendReplies: boolean;
    sameSubjectPolicy: SameSubjectPolicy;
    importExisting: ImportExisting;
    importExistingDays: number | null;
    dmarcFailPolicy: DmarcFailPolicy;
    trustedAuthservId: string;
  };
  sending: boolean;
  outgoing: {
    host: string;
    port: number | null;
    encryption: Encryption;
    requiresAuth: boolean;
    useSeparateIdentity: boolean;
    username: string;
    password: string;
    hasPassword: boolean;
    authMechanism: SmtpAuthMechanism;
    accessToken: string;
  };
  sendSingleMessageToAllRecipients: boolean;
  /** The signature template under every reply (issue 16); '' for none. */
  signature: string;
  /** The acknowledgement of new tickets (issue 16). */
  acknowledgement: { enabled: boolean; subject: string; text: string };
  ticketTypeId: string | null;
  groupId: string | null;
  /** Set for an account that signs in with Google or Microsoft: no passwords, XOAUTH2 both ways. */
  oauth: FormOAuth | null;
}

export function emptyForm(): AccountForm {
  return {
    name: '',
    kind: 'EXTERNAL',
    localPart: 'support',
    address: '',
    providerId: '',
    brand: { name: '', url: '', logoUrl: null, logoDataUrl: undefined },
    incoming: {
      enabled: true,
      protocol: 'IMAP',
      host: '',
      port: defaultIncomingPort('IMAP', 'SSL_TLS'),
      encryption: 'SSL_TLS',
      username: '',
      password: '',
      hasPassword: false,
      folder: 'INBOX',
      markAsRead: false,
      deleteAfter: false,
      deleteAfterDays: 30,
      newTicketPolicy: 'ANY_SENDER',
      appendReplies: true,
      sameSubjectPolicy: 'ASSOCIATE_IF_CLIENT_OR_CC',
      importExisting: 'NONE',
      importExistingDays: 7,
      dmarcFailPolicy: 'FLAG',
      trustedAuthservId: '',
    },
    sending: true,
    outgoing: {
      host: '',
      port: defaultOutgoingPort('SSL_TLS'),
      encryption: 'SSL_TLS',
      requiresAuth: true,
      useSeparateIdentity: false,
      username: '',
      password: '',
      hasPassword: false,
      authMechanism: 'PLAIN',
      accessToken: '',
    },
    sendSingleMessageToAllRecipients: true,
    signature: '',
    acknowledgement: { enabled: false, subject: '', text: '' },
    ticketTypeId: null,
    groupId: null,
    oauth: null,
  };
}

export function formFromAccount(a: StoredAccount): AccountForm {
  const form = emptyForm();
  form.name = a.name;
  form.kind = a.kind;
  form.address = a.address;
  form.localPart = a.address.split('@')[0] ?? '';
  form.providerId = a.providerId ?? '';
  form.brand = { name: a.brand?.name ?? '', url: a.brand?.url ?? '', logoUrl: a.brand?.logoUrl ?? null, logoDataUrl: undefined };
  if (a.incoming) {
    const i = a.incoming;
    form.incoming = {
      ...form.incoming,
      enabled: i.enabled,
      protocol: i.protocol,
      host: i.host,
      port: i.port,
      encryption: i.encryption,
      username: i.username,
      hasPassword: i.hasPassword,
      folder: i.folder,
      markAsRead: i.markAsRead,
      deleteAfter: i.deleteAfterDays != null,
      deleteAfterDays: i.deleteAfterDays ?? 30,
      newTicketPolicy: i.newTicketPolicy,
      appendReplies: i.appendReplies,
      sameSubjectPolicy: i.sameSubjectPolicy,
      importExisting: i.importExisting,
      importExistingDays: i.importExistingDays ?? 7,
      trustedAuthservId: i.trustedAuthservId ?? '',
    };
  } else {
    form.incoming.enabled = a.kind === 'BUILTIN' ? a.receiving.enabled : false;
    form.incoming.newTicketPolicy = a.receiving.newTicketPolicy;
    form.incoming.appendReplies = a.receiving.appendReplies;
    form.incoming.sameSubjectPolicy = a.receiving.sameSubjectPolicy;
  }
  form.incoming.dmarcFailPolicy = a.receiving.dmarcFailPolicy;
  form.sending = !!a.outgoing;
  if (a.outgoing) {
    const o = a.outgoing;
    form.outgoing = {
      ...form.outgoing,
      host: o.host,
      port: o.port,
      encryption: o.encryption,
      requiresAuth: o.requiresAuth,
      useSeparateIdentity: o.useSeparateIdentity,
      username: o.username ?? '',
      hasPassword: o.hasPassword,
      authMechanism: o.authMechanism ?? 'PLAIN',
    };
  }
  form.sendSingleMessageToAllRecipients = a.sendSingleMessageToAllRecipients;
  form.signature = a.signature ?? '';
  form.acknowledgement = { enabled: a.acknowledgement.enabled, subject: a.acknowledgement.subject ?? '', text: a.acknowledgement.text ?? '' };
  form.ticketTypeId = a.ticketType?.id ?? null;
  form.groupId = a.group?.id ?? null;
  form.oauth = a.oauth ? { provider: a.oauth.provider, identity: a.oauth.identity, connectionId: null, needsReconnect: a.oauth.needsReconnect } : null;
  return form;
}

/**
 * The form as `EmailAccountInput`. Empty passwords are omitted, which keeps the stored ones. An
 * OAuth account sends no secrets at all and signs in to SMTP with XOAUTH2 as its mailbox; a new
 * one carries the consent it is created with (`oauthConnectionId`).
 */
export function inputFromForm(form: AccountForm): AccountInput {
  const policies = {
    newTicketPolicy: form.incoming.newTicketPolicy,
    appendReplies: form.incoming.appendReplies,
    sameSubjectPolicy: form.incoming.sameSubjectPolicy,
    dmarcFailPolicy: form.incoming.dmarcFailPolicy,
  };
  const brand = {
    name: form.brand.name.trim() || null,
    url: form.brand.url.trim() || null,
    ...(form.brand.logoDataUrl !== undefined ? { logoDataUrl: form.brand.logoDataUrl ?? '' } : {}),
  };
  const common = {
    name: form.name.trim(),
    kind: form.kind,
    brand,
    ticketTypeId: form.ticketTypeId,
    groupId: form.groupId,
    sendSingleMessageToAllRecipients: form.sendSingleMessageToAllRecipients,
    signature: form.signature,
    acknowledgement: { enabled: form.acknowledgement.enabled, subject: form.acknowledgement.subject.trim() || null, text: form.acknowledgement.text.trim() || null },
  };
  if (form.kind === 'BUILTIN') {
    return {
      ...common,
      address: form.localPart.trim(),
      // Built-in accounts have no server: only the import policies of `incoming` count.
      incoming: { enabled: form.incoming.enabled, protocol: 'IMAP', host: '', encryption: 'NONE', username: '', ...policies },
      outgoing: null,
    };
  }
  const i = form.incoming;
  const o = form.outgoing;
  const xoauth = o.authMechanism === 'XOAUTH2';
  const oauth = form.oauth;
  return {
    ...common,
    ...(oauth?.connectionId ? { oauthConnectionId: oauth.connectionId } : {}),
    address: form.address.trim(),
    providerId: form.providerId || null,
    incoming: {
      enabled: i.enabled,
      protocol: i.protocol,
      host: i.host.trim(),
      port: i.port,
      encryption: i.encryption,
      username: i.username.trim(),
      ...(i.password && !oauth ? { password: i.password } : {}),
      folder: i.protocol === 'IMAP' ? i.folder.trim() || 'INBOX' : null,
      markAsRead: i.markAsRead,
      deleteAfterDays: i.deleteAfter ? i.deleteAfterDays : null,
      ...policies,
      importExisting: i.importExisting,
      importExistingDays: i.importExisting === 'LAST_DAYS' ? i.importExistingDays : null,
      trustedAuthservId: i.trustedAuthservId.trim() || null,
    },
    outgoing: !form.sending
      ? null
      : oauth
        ? { host: o.host.trim(), port: o.port, encryption: o.encryption, requiresAuth: true, useSeparateIdentity: false, authMechanism: 'XOAUTH2', username: null }
        : {
          host: o.host.trim(),
          port: o.port,
          encryption: o.encryption,
          requiresAuth: o.requiresAuth,
          useSeparateIdentity: o.requiresAuth && o.useSeparateIdentity,
          authMechanism: o.requiresAuth ? o.authMechanism : null,
          username: o.requiresAuth && o.useSeparateIdentity ? o.username.trim() || null : null,
          ...(o.requiresAuth && !xoauth && o.useSeparateIdentity && o.password ? { password: o.password } : {}),
          ...(o.requiresAuth && xoauth && o.accessToken ? { accessToken: o.accessToken } : {}),
        },
  };
}

/** Why a field cannot be saved as it is; the form words it as `accountForm.<problem>`. */
export type AccountFormProblem = 'required' | 'addressInvalid' | 'needOneDirection';

/**
 * What the form can tell without the server, keyed like the API's field errors. When editing,
 * an empty password keeps the stored one, so it is not required; an OAuth account has none.
 */
export function validateAccountForm(form: AccountForm, editing: boolean): Record<string, AccountFormProblem> {
  const problems: Record<string, AccountFormProblem> = {};
  if (!form.name.trim()) problems['name'] = 'required';
  if (form.kind === 'BUILTIN') {
    if (!form.localPart.trim()) problems['address'] = 'required';
    return problems;
  }
  if (!looksLikeEmail(form.address)) problems['address'] = 'addressInvalid';
  if (form.incoming.enabled) {
    if (!form.incoming.host.trim()) problems['incoming.host'] = 'required';
    if (!form.incoming.username.trim()) problems['incoming.username'] = 'required';
    if (!editing && !form.oauth && !form.incoming.password) problems['incoming.password'] = 'required';
  }
  if (form.sending && !form.outgoing.host.trim()) problems['outgoing.host'] = 'required';
  if (!form.incoming.enabled && !form.sending) problems['incoming'] = 'needOneDirection';
  return problems;
}

/** Fills `{domain}` in a preset host with the address's domain. */
export function presetHost(host: string, address: string): string {
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain ? host.replace('{domain}', domain) : host.replace('{domain}', '').replace(/^\./, '');
}
