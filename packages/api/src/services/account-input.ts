import { defaultIncomingPort, defaultOutgoingPort, findProvider } from '@correio/mail-settings';
import { z } from 'zod';
import { schema, secretBinding, sharesIncomingLogin, type AccountSecretField, type SecretBindingColumns } from '@correio/core';
import { AppError, type FieldError } from '../errors.ts';
import { isHostname } from './validation.ts';

const encryption = z.enum(schema.encryptionEnum.enumValues);
const port = z.number().int('Port must be a whole number.').min(1, 'Port must be between 1 and 65535.').max(65_535, 'Port must be between 1 and 65535.');
const host = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === '' || isHostname(v), 'Enter a host name such as imap.example.com (no protocol, port or path).');
const optionalText = z
  .string()
  .trim()
  .nullish()
  .transform((v) => (v ? v : null));

const incomingSchema = z
  .object({
    enabled: z.boolean(),
    protocol: z.enum(schema.incomingProtocolEnum.enumValues),
    host,
    port: port.nullish(),
    encryption,
    username: z.string().trim().max(320),
    password: z.string().max(1000).nullish(),
    folder: z.string().trim().max(500).nullish(),
    markAsRead: z.boolean().nullish(),
    deleteAfterDays: z.number().int().min(1, 'Keep messages at least 1 day, or leave empty to never delete.').max(3650).nullish(),
    newTicketPolicy: z.enum(schema.newTicketPolicyEnum.enumValues).nullish(),
    appendReplies: z.boolean().nullish(),
    sameSubjectPolicy: z.enum(schema.sameSubjectPolicyEnum.enumValues).nullish(),
    importExisting: z.enum(schema.importExistingEnum.enumValues).nullish(),
    dmarcFailPolicy: z.enum(schema.dmarcFailPolicyEnum.enumValues).nullish(),
    trustedAuthservId: z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .nullish()
      .transform((v) => (v ? v : null))
      .refine((v) => v === null || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(v), 'Enter the server name that writes the Authentication-Results header, e.g. mx.google.com.'),
    importExistingDays: z.number().int().min(1).max(3650).nullish(),
  })
  .superRefine((v, ctx) => {
    if (!v.enabled) return;
    if (v.importExisting === 'LAST_DAYS' && !v.importExistingDays)
      ctx.addIssue({ code: 'custom', path: ['importExistingDays'], message: 'Say how many days of existing mail to import.' });
  });

const outgoingSchema = z
  .object({
    host,
    port: port.nullish(),
    encryption,
    requiresAuth: z.boolean(),
    username: optionalText,
    password: z.string().max(1000).nullish(),
    accessToken: z.string().max(10_000).nullish(),
    authMechanism: z.enum(schema.smtpAuthMechanismEnum.enumValues).nullish(),
    useSeparateIdentity: z.boolean().nullish(),
  })
  .superRefine((v, ctx) => {
    if (!v.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'Enter the outgoing (SMTP) server, e.g. smtp.example.com.' });
    if (v.requiresAuth && v.useSeparateIdentity && !v.username)
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'Enter the user name of the separate sending identity.' });
  });

const brandSchema = z.object({
  name: optionalText,
  url: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^https?:\/\/[^\s]+$/i.test(v), 'Enter a link starting with http:// or https://.'),
  // `data:image/png;base64,…`; an empty string removes the logo, null/absent keeps it.
  logoDataUrl: z
    .string()
    .nullish()
    .refine((v) => v == null || v === '' || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/.test(v), 'The logo must be a PNG, JPEG, GIF or WebP image.')
    .refine((v) => v == null || v.length < 700_000, 'The logo must be smaller than 500 KB.'),
});

export const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/i;

export const accountInputSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the account a name.').max(120),
    kind: z.enum(schema.accountKindEnum.enumValues),
    address: z.string().trim().toLowerCase().max(320),
    providerId: z.string().nullish(),
    incoming: incomingSchema.nullish(),
    outgoing: outgoingSchema.nullish(),
    brand: brandSchema.nullish(),
    ticketTypeId: z.string().uuid('Unknown ticket type.').nullish(),
    groupId: z.string().uuid('Unknown group.').nullish(),
    sendSingleMessageToAllRecipients: z.boolean().nullish(),
    /** Issue 13: the consent (from `startOAuthConnection`) this new account signs in with. */
    oauthConnectionId: z.string().uuid('Unknown OAuth connection.').nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'BUILTIN') {
      const local = v.address.split('@')[0] ?? '';
      if (!LOCAL_PART.test(local))
        ctx.addIssue({ code: 'custom', path: ['address'], message: 'Use letters, digits, dots, hyphens or underscores before the @.' });
      return;
    }
    if (!z.email().safeParse(v.address).success) ctx.addIssue({ code: 'custom', path: ['address'], message: 'Enter a valid e-mail address.' });
    if (v.providerId && !findProvider(v.providerId)) ctx.addIssue({ code: 'custom', path: ['providerId'], message: 'Unknown provider.' });
    if (!v.incoming && !v.outgoing)
      ctx.addIssue({ code: 'custom', path: ['incoming'], message: 'Configure receiving, sending, or both, for an account of another provider.' });
    // Built-in accounts have no server of their own, so only external ones need host and user.
    if (v.incoming?.enabled) {
      if (!v.incoming.host) ctx.addIssue({ code: 'custom', path: ['incoming', 'host'], message: 'Enter the incoming server, e.g. imap.example.com.' });
      if (!v.incoming.username) ctx.addIssue({ code: 'custom', path: ['incoming', 'username'], message: 'Enter the mailbox user name (often the full address).' });
    }
  });

export type AccountInput = z.output<typeof accountInputSchema>;
export type IncomingInput = NonNullable<AccountInput['incoming']>;
export type OutgoingInput = NonNullable<AccountInput['outgoing']>;

export function incomingPort(i: IncomingInput): number {
  return i.port ?? defaultIncomingPort(i.protocol, i.encryption);
}

export function outgoingPort(o: OutgoingInput): number {
  return o.port ?? defaultOutgoingPort(o.encryption);
}

/** The stored sealed secrets an update keeps when the input omits them, and the settings they were sealed for. */
export type StoredSecrets = SecretBindingColumns & {
  incomingPasswordSealed: string | null;
  outgoingPasswordSealed: string | null;
  outgoingAccessTokenSealed: string | null;
};

const SECRET_FIELDS = [
  { field: 'incoming-password', column: 'incomingPasswordSealed', path: ['input', 'incoming', 'password'] },
  { field: 'outgoing-password', column: 'outgoingPasswordSealed', path: ['input', 'outgoing', 'password'] },
  { field: 'outgoing-access-token', column: 'outgoingAccessTokenSealed', path: ['input', 'outgoing', 'accessToken'] },
] as const;

/**
 * The server columns of an external account, from validated input: ports filled from protocol
 * + encryption, passwords sealed with `seal` for exactly these settings. An omitted password is
 * kept from `existing` only while the servers it goes to stay the same (A13); if they changed
 * and the secret would still be sent, the answer is SECRET_REQUIRED on its field and nothing is
 * saved or tested. Shared by saving an account and by testing unsaved settings.
 */
export function connectionColumns(
  i: IncomingInput | null | undefined,
  o: OutgoingInput | null | undefined,
  seal: (value: string, field: AccountSecretField, columns: SecretBindingColumns) => string,
  existing: StoredSecrets | null,
) {
  const servers = {
    incomingProtocol: i?.protocol ?? null,
    incomingHost: i ? i.host : null,
    incomingPort: i ? incomingPort(i) : null,
    incomingEncryption: i?.encryption ?? null,
    incomingUsername: i ? i.username : null,
    incomingFolder: (i?.protocol === 'IMAP' && i.folder) || 'INBOX',
    outgoingHost: o ? o.host : null,
    outgoingPort: o ? outgoingPort(o) : null,
    outgoingEncryption: o?.encryption ?? null,
    outgoingRequiresAuth: o?.requiresAuth ?? false,
    outgoingUsername: o?.username ?? null,
    outgoingAuthMechanism: o?.requiresAuth ? (o.authMechanism ?? 'PLAIN') : null,
    outgoingUseSeparateIdentity: o?.useSeparateIdentity ?? false,
  };
  const typed: Record<AccountSecretField, string | null | undefined> = {
    'incoming-password': i ? i.password : null,
    'outgoing-password': o ? o.password : null,
    'outgoing-access-token': o ? o.accessToken : null,
  };
  const xoauth = servers.outgoingAuthMechanism === 'XOAUTH2';
  const used: Record<AccountSecretField, boolean> = {
    'incoming-password': !!i,
    'outgoing-password': !!o && servers.outgoingRequiresAuth && !sharesIncomingLogin(servers) && !xoauth,
    'outgoing-access-token': !!o && servers.outgoingRequiresAuth && xoauth,
  };
  const sealed = {} as Record<(typeof SECRET_FIELDS)[number]['column'], string | null>;
  const missing: FieldError[] = [];
  for (const { field, column, path } of SECRET_FIELDS) {
    const value = typed[field];
    const stored = existing?.[column] ?? null;
    const side = field === 'incoming-password' ? i : o;
    if (!side) sealed[column] = null;
    else if (value) sealed[column] = seal(value, field, servers);
    else if (!stored || secretBinding(existing!, field) === secretBinding(servers, field)) sealed[column] = stored;
    else if (!used[field]) sealed[column] = null;
    else missing.push({ path: [...path], message: secretRequiredMessage(field, existing!, servers), code: 'SECRET_REQUIRED' });
  }
  if (missing.length) throw new AppError('SECRET_REQUIRED', missing[0]!.message, { fields: missing });
  return { ...servers, ...sealed };
}

function secretRequiredMessage(field: AccountSecretField, before: SecretBindingColumns, after: SecretBindingColumns): string {
  const what = field === 'outgoing-access-token' ? 'access token' : 'password';
  const where = (c: SecretBindingColumns) =>
    field === 'incoming-password' ? `${c.incomingHost}:${c.incomingPort} (${c.incomingUsername})` : `${c.outgoingHost}:${c.outgoingPort}${c.outgoingUsername ? ` (${c.outgoingUsername})` : ''}`;
  const changed = where(before) === where(after) ? 'the settings it is sent with changed' : `it was saved for ${where(before)}`;
  return `Type the ${what} again: ${changed}, and a saved ${what} is only ever sent to the server it was saved for.`;
}
