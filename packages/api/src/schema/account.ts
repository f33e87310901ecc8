import { builder } from '../builder.ts';
import type { AccountRow } from '@correio/core';
import { AccountStatusRef, ConnectionErrorRef } from './account-status.ts';
import { GroupRef, TicketTypeRef } from './catalog.ts';
import {
  AccountKindEnum,
  DmarcFailPolicyEnum,
  EncryptionEnum,
  ImportExistingEnum,
  IncomingProtocolEnum,
  NewTicketPolicyEnum,
  SameSubjectPolicyEnum,
  SmtpAuthMechanismEnum,
} from './enums.ts';

const IncomingSettingsRef = builder.objectRef<AccountRow>('IncomingSettings').implement({
  description: 'How an external account receives mail (A2, A4). The password is write-only: only `hasPassword` is ever returned.',
  fields: (t) => ({
    enabled: t.exposeBoolean('incomingEnabled', { description: 'Whether mail is imported from this mailbox.' }),
    protocol: t.field({ type: IncomingProtocolEnum, description: 'IMAP or POP3.', resolve: (a) => a.incomingProtocol! }),
    host: t.string({ description: 'Server host name.', resolve: (a) => a.incomingHost ?? '' }),
    port: t.int({ description: 'Server port (filled from protocol + encryption when not given).', resolve: (a) => a.incomingPort ?? 0 }),
    encryption: t.field({ type: EncryptionEnum, description: 'Connection encryption.', resolve: (a) => a.incomingEncryption ?? 'SSL_TLS' }),
    username: t.string({ description: 'Mailbox user name.', resolve: (a) => a.incomingUsername ?? '' }),
    hasPassword: t.boolean({ description: 'Whether a password is stored (it is never returned).', resolve: (a) => a.incomingPasswordSealed !== null }),
    folder: t.exposeString('incomingFolder', { description: 'IMAP folder to import from (INBOX by default).' }),
    markAsRead: t.exposeBoolean('markAsRead', { description: 'Set \\Seen on imported messages (IMAP).' }),
    deleteAfterDays: t.exposeInt('deleteAfterDays', { nullable: true, description: 'Delete imported messages from the server after this many days; null never deletes.' }),
    newTicketPolicy: t.expose('newTicketPolicy', { type: NewTicketPolicyEnum, description: 'Which senders may open new tickets.' }),
    appendReplies: t.exposeBoolean('appendReplies', { description: 'Add replies to mail Correio sent as actions on their ticket.' }),
    sameSubjectPolicy: t.expose('sameSubjectPolicy', { type: SameSubjectPolicyEnum, description: 'Handling of mail whose subject matches an existing ticket.' }),
    importExisting: t.expose('importExisting', { type: ImportExistingEnum, description: 'What existing mail the first connection imported.' }),
    importExistingDays: t.exposeInt('importExistingDays', { nullable: true, description: 'Days of existing mail imported with LAST_DAYS.' }),
    trustedAuthservId: t.exposeString('trustedAuthservId', {
      nullable: true,
      description: 'The server whose Authentication-Results header Correio trusts for this mailbox’s mail (W9); null: the provider’s own when known (mx.google.com for Gmail).',
    }),
  }),
});

const ReceivingPolicyRef = builder.objectRef<AccountRow>('ReceivingPolicy').implement({
  description: 'Import rules that apply to every account, built-in ones included (A4).',
  fields: (t) => ({
    enabled: t.exposeBoolean('incomingEnabled', { description: 'Whether received mail is imported.' }),
    newTicketPolicy: t.expose('newTicketPolicy', { type: NewTicketPolicyEnum, description: 'Which senders may open new tickets.' }),
    appendReplies: t.exposeBoolean('appendReplies', { description: 'Add replies to mail Correio sent as actions on their ticket.' }),
    sameSubjectPolicy: t.expose('sameSubjectPolicy', { type: SameSubjectPolicyEnum, description: 'Handling of mail whose subject matches an existing ticket.' }),
    dmarcFailPolicy: t.expose('dmarcFailPolicy', { type: DmarcFailPolicyEnum, description: 'What to do with mail whose sender fails DMARC (W9).' }),
  }),
});

const OutgoingSettingsRef = builder.objectRef<AccountRow>('OutgoingSettings').implement({
  description: 'How an external account sends mail (A3). Secrets are write-only.',
  fields: (t) => ({
    host: t.string({ description: 'SMTP host name.', resolve: (a) => a.outgoingHost ?? '' }),
    port: t.int({ description: 'SMTP port (465, 587 or 25 by default).', resolve: (a) => a.outgoingPort ?? 0 }),
    encryption: t.field({ type: EncryptionEnum, description: 'Connection encryption.', resolve: (a) => a.outgoingEncryption ?? 'STARTTLS' }),
    requiresAuth: t.exposeBoolean('outgoingRequiresAuth', { description: 'Whether the server requires authentication.' }),
    username: t.exposeString('outgoingUsername', { nullable: true, description: 'SMTP user name (used with `useSeparateIdentity`; otherwise the incoming login is used).' }),
    hasPassword: t.boolean({
      description: 'Whether an SMTP password (or XOAUTH2 token) is stored; never returned.',
      resolve: (a) => a.outgoingPasswordSealed !== null || a.outgoingAccessTokenSealed !== null,
    }),
    authMechanism: t.expose('outgoingAuthMechanism', { type: SmtpAuthMechanismEnum, nullable: true, description: 'Authentication mechanism.' }),
    useSeparateIdentity: t.exposeBoolean('outgoingUseSeparateIdentity', { description: 'Log in to SMTP with its own user and password instead of the incoming ones.' }),
  }),
});

const BrandRef = builder.objectRef<AccountRow>('Brand').implement({
  description: 'Footer of outgoing mail (A6).',
  fields: (t) => ({
    name: t.exposeString('brandName', { nullable: true, description: 'Company name in the footer.' }),
    url: t.exposeString('brandUrl', { nullable: true, description: 'Link in the footer.' }),
    logoUrl: t.string({
      nullable: true,
      description: 'Signed URL of the uploaded logo; without one, the replying agent’s avatar is shown.',
      resolve: (a, _args, ctx) => (a.brandLogoBlobKey ? ctx.services.files.url({ kind: 'logo', id: a.id }) : null),
    }),
  }),
});

export const EmailAccountRef = builder.objectRef<AccountRow>('EmailAccount').implement({
  description:
    'A connected support mailbox (A1–A11). Agents reach it through `Ticket.account` and may read its name, address, kind and status states; server settings, errors and server responses are for admins only.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { description: 'Name shown to agents and as the sender name.' }),
    kind: t.expose('kind', { type: AccountKindEnum, description: 'BUILTIN or EXTERNAL.' }),
    address: t.exposeString('address', { description: 'The support address customers write to.' }),
    active: t.exposeBoolean('active', { description: 'Inactive accounts neither import nor send.' }),
    providerId: t.exposeString('providerId', { nullable: true, authScopes: { admin: true }, description: 'Preset the settings came from, if any. Admins only.' }),
    acknowledgement: t.field({ type: AcknowledgementRef, authScopes: { admin: true }, description: 'The acknowledgement of new tickets. Admins only.', resolve: (a) => a }),
    signature: t.exposeString('signature', { nullable: true, authScopes: { admin: true }, description: 'The signature template under every reply from this account, as sanitized HTML (variables unfilled), or null. Admins only.' }),
    incoming: t.field({
      type: IncomingSettingsRef,
      nullable: true,
      authScopes: { admin: true },
      description: 'Receiving settings of an external account; null for built-in accounts and send-only accounts. Admins only.',
      resolve: (a) => (a.kind === 'EXTERNAL' && a.incomingProtocol ? a : null),
    }),
    receiving: t.field({ type: ReceivingPolicyRef, authScopes: { admin: true }, description: 'Import rules, for every kind of account. Admins only.', resolve: (a) => a }),
    outgoing: t.field({
      type: OutgoingSettingsRef,
      nullable: true,
      authScopes: { admin: true },
      description: 'Sending settings of an external account; null for built-in accounts (they send through SMTP_RELAY_URL). Admins only.',
      resolve: (a) => (a.kind === 'EXTERNAL' && a.outgoingHost ? a : null),
    }),
    brand: t.field({ type: BrandRef, nullable: true, description: 'E-mail footer (A6).', resolve: (a) => a }),
    ticketType: t.field({
      type: TicketTypeRef,
      nullable: true,
      description: 'Ticket type given to tickets created from this account (A7).',
      resolve: (a, _args, ctx) => (a.ticketTypeId ? ctx.loaders.ticketType.load(a.ticketTypeId) : null),
    }),
    group: t.field({
      type: GroupRef,
      nullable: true,
      description: 'Group given to tickets created from this account (A7).',
      resolve: (a, _args, ctx) => (a.groupId ? ctx.loaders.group.load(a.groupId) : null),
    }),
    sendSingleMessageToAllRecipients: t.exposeBoolean('sendSingleMessageToAllRecipients', {
      description: 'One message to all recipients (true) or one message per recipient (false) (A5).',
    }),
    status: t.field({
      type: AccountStatusRef,
      description: 'Live connection status (A10).',
      resolve: (a, _args, ctx) => ctx.services.status.statusOf(a),
    }),
    lastErrors: t.field({
      type: [ConnectionErrorRef],
      authScopes: { admin: true },
      description: 'Most recent connection errors, newest first (A9). Admins only.',
      args: { first: t.arg.int({ description: 'How many (default 20, at most 50).' }) },
      resolve: (a, args, ctx) => ctx.services.status.lastErrors(a.id, args.first ?? 20),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was added.' }),
  }),
});

const IncomingInput = builder.inputType('IncomingInput', {
  description: 'Receiving settings (A2, A4). Ignored for BUILTIN accounts except the import policies.',
  fields: (t) => ({
    enabled: t.boolean({ required: true, description: 'Import mail from this mailbox.' }),
    protocol: t.field({ type: IncomingProtocolEnum, required: true, description: 'IMAP (recommended) or POP3.' }),
    host: t.string({ required: true, description: 'Server host name, e.g. imap.example.com.' }),
    port: t.int({ description: 'Omitted → filled from protocol + encryption (IMAP 993/143, POP3 995/110).' }),
    encryption: t.field({ type: EncryptionEnum, required: true, description: 'Connection encryption.' }),
    username: t.string({ required: true, description: 'Mailbox user name.' }),
    password: t.string({ description: 'Omitted on update → the stored password is kept.' }),
    folder: t.string({ description: 'IMAP folder (default INBOX).' }),
    markAsRead: t.boolean({ description: 'Mark imported messages as read.' }),
    deleteAfterDays: t.int({ description: 'Delete imported messages from the server after N days; null never deletes.' }),
    newTicketPolicy: t.field({ type: NewTicketPolicyEnum, description: 'Which senders may open tickets (default ANY_SENDER).' }),
    appendReplies: t.boolean({ description: 'Append replies to existing tickets (default true).' }),
    sameSubjectPolicy: t.field({ type: SameSubjectPolicyEnum, description: 'Same-subject handling (default ASSOCIATE_IF_CLIENT_OR_CC).' }),
    importExisting: t.field({ type: ImportExistingEnum, description: 'What existing mail the first connection imports (default NONE).' }),
    importExistingDays: t.int({ description: 'Days of existing mail to import with LAST_DAYS.' }),
    dmarcFailPolicy: t.field({ type: DmarcFailPolicyEnum, description: 'What to do with mail whose sender fails DMARC (default FLAG; applies to built-in accounts too).' }),
    trustedAuthservId: t.string({ description: 'authserv-id of the Authentication-Results header to trust (IMAP/POP3); omitted: the provider’s own when known.' }),
  }),
});

const OutgoingInput = builder.inputType('OutgoingInput', {
  description: 'Sending settings (A3).',
  fields: (t) => ({
    host: t.string({ required: true, description: 'SMTP host name.' }),
    port: t.int({ description: 'Omitted → filled from encryption (465, 587, 25).' }),
    encryption: t.field({ type: EncryptionEnum, required: true, description: 'Connection encryption.' }),
    requiresAuth: t.boolean({ required: true, description: 'The server requires authentication.' }),
    username: t.string({ description: 'SMTP user name (with useSeparateIdentity).' }),
    password: t.string({ description: 'SMTP password; omitted on update → kept.' }),
    accessToken: t.string({ description: 'OAuth 2.0 access token for XOAUTH2; omitted on update → kept.' }),
    authMechanism: t.field({ type: SmtpAuthMechanismEnum, description: 'Authentication mechanism (default PLAIN).' }),
    useSeparateIdentity: t.boolean({ description: 'Use this username/password for SMTP instead of the incoming login.' }),
  }),
});

const BrandInput = builder.inputType('BrandInput', {
  description: 'E-mail footer (A6).',
  fields: (t) => ({
    name: t.string({ description: 'Company name.' }),
    url: t.string({ description: 'Company link (http/https).' }),
    logoDataUrl: t.string({ description: 'Logo as a `data:image/…;base64,` URL (PNG, JPEG, GIF, WebP; < 500 KB). Empty string removes it; omitted keeps it.' }),
  }),
});

const AcknowledgementInput = builder.inputType('AcknowledgementInput', {
  description: 'An automatic answer to every ticket opened from e-mail through the account (issue 16).',
  fields: (t) => ({
    enabled: t.boolean({ required: true, description: 'Send it (off by default).' }),
    subject: t.string({ description: 'Subject template (variables as in canned replies); empty: the ticket’s subject. The ticket tag is added.' }),
    text: t.string({ description: 'Text template, required when enabled (up to 5,000 characters).' }),
  }),
});

const AcknowledgementRef = builder.objectRef<AccountRow>('Acknowledgement').implement({
  description: 'An automatic answer to every ticket opened from e-mail through the account (issue 16): never to automatic, bulk, list or no-reply senders nor to the workspace’s own addresses, at most once per sender an hour, sent `Auto-Submitted: auto-replied`.',
  fields: (t) => ({
    enabled: t.exposeBoolean('ackEnabled', { description: 'Whether it is sent.' }),
    subject: t.exposeString('ackSubject', { nullable: true, description: 'Subject template; null: the ticket’s subject.' }),
    text: t.exposeString('ackText', { nullable: true, description: 'Text template.' }),
  }),
});

export const EmailAccountInput = builder.inputType('EmailAccountInput', {
  description: 'All settings of an account. For BUILTIN accounts only name, the local part of address, brand, classification and import policies count.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Account name.' }),
    kind: t.field({ type: AccountKindEnum, required: true, description: 'BUILTIN or EXTERNAL (cannot change on update).' }),
    address: t.string({ required: true, description: 'E-mail address; for BUILTIN only the local part (before @) is honoured.' }),
    providerId: t.id({ description: 'Preset used, from `emailProviders`.' }),
    incoming: t.field({ type: IncomingInput, description: 'Receiving settings; null for a send-only account.' }),
    outgoing: t.field({ type: OutgoingInput, description: 'Sending settings.' }),
    brand: t.field({ type: BrandInput, description: 'Footer.' }),
    ticketTypeId: t.id({ description: 'Ticket type for new tickets (A7).' }),
    groupId: t.id({ description: 'Group for new tickets (A7).' }),
    sendSingleMessageToAllRecipients: t.boolean({ description: 'One message for all recipients (default true) or one per recipient.' }),
    acknowledgement: t.field({
      type: AcknowledgementInput,
      description: 'The acknowledgement of new tickets (issue 16). Omitted keeps the current settings.',
    }),
    signature: t.string({
      description:
        'Signature under every reply sent from this account, as HTML (sanitized when saved) or as text without any tag (its lines kept), up to 20,000 characters; placed after a "-- " line and above the footer. Variables as in canned replies, plus {{agente.assinatura}} / {{agent.signature}}: the replying agent’s own signature. Omitted keeps the current one; empty removes it.',
    }),
    oauthConnectionId: t.id({
      description:
        'Create only: the consent returned by the OAuth callback (`oauthConnection`). The account then signs in to IMAP/POP3 and SMTP with it (XOAUTH2/OAUTHBEARER) and needs no passwords.',
    }),
  }),
});

builder.queryFields((t) => ({
  emailAccounts: t.withAuth({ admin: true }).field({
    type: [EmailAccountRef],
    description: 'Every e-mail account of the workspace, oldest first.',
    resolve: (_root, _args, ctx) => ctx.services.accounts.list(ctx.viewer),
  }),
  emailAccount: t.withAuth({ admin: true }).field({
    type: EmailAccountRef,
    nullable: true,
    description: 'One e-mail account, or null if it is not in this workspace.',
    args: { id: t.arg.id({ required: true, description: 'Account id.' }) },
    resolve: (_root, args, ctx) => ctx.services.accounts.get(ctx.viewer, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createEmailAccount: t.withAuth({ admin: true }).field({
    type: EmailAccountRef,
    description: 'Adds an account. Ports are filled from protocol + encryption when omitted.',
    args: { input: t.arg({ type: EmailAccountInput, required: true, description: 'Account settings.' }) },
    resolve: (_root, args, ctx) => ctx.services.accounts.create(ctx.viewer, args.input),
  }),
  updateEmailAccount: t.withAuth({ admin: true }).field({
    type: EmailAccountRef,
    description: 'Replaces an account’s settings; omitted passwords are kept.',
    args: {
      id: t.arg.id({ required: true, description: 'Account id.' }),
      input: t.arg({ type: EmailAccountInput, required: true, description: 'New settings.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.accounts.update(ctx.viewer, String(args.id), args.input),
  }),
  deleteEmailAccount: t.withAuth({ admin: true }).boolean({
    description: 'Removes an account. Its tickets stay.',
    args: { id: t.arg.id({ required: true, description: 'Account id.' }) },
    resolve: (_root, args, ctx) => ctx.services.accounts.delete(ctx.viewer, String(args.id)),
  }),
  setEmailAccountActive: t.withAuth({ admin: true }).field({
    type: EmailAccountRef,
    description: 'Activates or deactivates an account; inactive accounts neither import nor send, and show DISABLED.',
    args: {
      id: t.arg.id({ required: true, description: 'Account id.' }),
      active: t.arg.boolean({ required: true, description: 'New state.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.accounts.setActive(ctx.viewer, String(args.id), args.active),
  }),
}));
