import { SIGNATURE_MAX } from '@correio/mail-engine';
import { defaultIncomingPort, defaultOutgoingPort, findProvider } from '@correio/mail-settings';
import { text, type ServerText } from '@correio/texts';
import { z } from 'zod';
import { schema, secretBinding, sharesIncomingLogin, type AccountSecretField, type SecretBindingColumns } from '@correio/core';
import { AppError, fieldError, type FieldError } from '../errors.ts';
import { isHostname, says } from './validation.ts';

const encryption = z.enum(schema.encryptionEnum.enumValues);
const port = z.number().int(says('validation.port.whole')).min(1, says('validation.port.range')).max(65_535, says('validation.port.range'));
const host = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === '' || isHostname(v), says('validation.host'));
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
    deleteAfterDays: z.number().int().min(1, says('validation.account.deleteAfterDays')).max(3650).nullish(),
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
      .refine((v) => v === null || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(v), says('validation.account.trustedAuthservId')),
    importExistingDays: z.number().int().min(1).max(3650).nullish(),
  })
  .superRefine((v, ctx) => {
    if (!v.enabled) return;
    if (v.importExisting === 'LAST_DAYS' && !v.importExistingDays)
      ctx.addIssue({ code: 'custom', path: ['importExistingDays'], message: says('validation.account.importExistingDays') });
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
    if (!v.host) ctx.addIssue({ code: 'custom', path: ['host'], message: says('validation.account.outgoingHost') });
    if (v.requiresAuth && v.useSeparateIdentity && !v.username)
      ctx.addIssue({ code: 'custom', path: ['username'], message: says('validation.account.separateIdentityUser') });
  });

const brandSchema = z.object({
  name: optionalText,
  url: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^https?:\/\/[^\s]+$/i.test(v), says('validation.account.brandUrl')),
  // `data:image/png;base64,…`; an empty string removes the logo, null/absent keeps it.
  logoDataUrl: z
    .string()
    .nullish()
    .refine((v) => v == null || v === '' || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/.test(v), says('validation.account.logoType'))
    .refine((v) => v == null || v.length < 700_000, says('validation.account.logoSize')),
});

export const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/i;

export const accountInputSchema = z
  .object({
    name: z.string().trim().min(1, says('validation.account.name')).max(120),
    kind: z.enum(schema.accountKindEnum.enumValues),
    address: z.string().trim().toLowerCase().max(320),
    providerId: z.string().nullish(),
    incoming: incomingSchema.nullish(),
    outgoing: outgoingSchema.nullish(),
    brand: brandSchema.nullish(),
    ticketTypeId: z.string().uuid(says('validation.account.unknownTicketType')).nullish(),
    groupId: z.string().uuid(says('validation.account.unknownGroup')).nullish(),
    sendSingleMessageToAllRecipients: z.boolean().nullish(),
    /** Issue 16: the signature under every reply; omitted keeps the current one, '' removes it. */
    signature: z.string().max(SIGNATURE_MAX).nullish(),
    /** Issue 16: the acknowledgement of new tickets; omitted keeps the current settings. */
    acknowledgement: z
      .object({
        enabled: z.boolean(),
        subject: z.string().trim().max(300).nullish(),
        text: z.string().trim().max(5000).nullish(),
      })
      .refine((a) => !a.enabled || !!a.text, { path: ['text'], message: says('validation.account.ackText') })
      .nullish(),
    /** Issue 13: the consent (from `startOAuthConnection`) this new account signs in with. */
    oauthConnectionId: z.string().uuid(says('validation.account.unknownOAuthConnection')).nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'BUILTIN') {
      const local = v.address.split('@')[0] ?? '';
      if (!LOCAL_PART.test(local))
        ctx.addIssue({ code: 'custom', path: ['address'], message: says('validation.account.builtinLocalPart') });
      return;
    }
    if (!z.email().safeParse(v.address).success) ctx.addIssue({ code: 'custom', path: ['address'], message: says('validation.email') });
    if (v.providerId && !findProvider(v.providerId)) ctx.addIssue({ code: 'custom', path: ['providerId'], message: says('validation.account.unknownProvider') });
    if (!v.incoming && !v.outgoing)
      ctx.addIssue({ code: 'custom', path: ['incoming'], message: says('validation.account.noDirection') });
    // Built-in accounts have no server of their own, so only external ones need host and user.
    if (v.incoming?.enabled) {
      if (!v.incoming.host) ctx.addIssue({ code: 'custom', path: ['incoming', 'host'], message: says('validation.account.incomingHost') });
      if (!v.incoming.username) ctx.addIssue({ code: 'custom', path: ['incoming', 'username'], message: says('validation.account.incomingUser') });
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
    else missing.push(fieldError([...path], secretRequiredText(field, existing!, servers), 'SECRET_REQUIRED'));
  }
  if (missing.length) throw new AppError('SECRET_REQUIRED', missing[0]!.text, { fields: missing });
  return { ...servers, ...sealed };
}

function secretRequiredText(field: AccountSecretField, before: SecretBindingColumns, after: SecretBindingColumns): ServerText {
  const where = (c: SecretBindingColumns) =>
    field === 'incoming-password' ? `${c.incomingHost}:${c.incomingPort} (${c.incomingUsername})` : `${c.outgoingHost}:${c.outgoingPort}${c.outgoingUsername ? ` (${c.outgoingUsername})` : ''}`;
  const token = field === 'outgoing-access-token';
  if (where(before) === where(after)) return text(token ? 'api.SECRET_REQUIRED.accessToken.changed' : 'api.SECRET_REQUIRED.password.changed');
  return text(token ? 'api.SECRET_REQUIRED.accessToken.moved' : 'api.SECRET_REQUIRED.password.moved', { savedFor: where(before) });
}
