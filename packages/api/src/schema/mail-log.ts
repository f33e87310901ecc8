import { renderText } from '@correio/texts';
import { builder } from '../builder.ts';
import type { FailedImportRow, RefusedMessageRow } from '../services/mail-log-service.ts';
import { EmailAccountRef } from './account.ts';
import { RefusalReasonEnum } from './enums.ts';
import { LocalizedTextRef } from './localized-text.ts';
import { AuthenticationResultsRef } from './sender-auth.ts';

const FailedImportRef = builder.objectRef<FailedImportRow>('FailedImport').implement({
  description: 'A message that could not be parsed or stored. It is kept raw and can be retried; the mailbox moved on past it (W7).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    account: t.field({
      type: EmailAccountRef,
      description: 'The account it came from.',
      resolve: async (f, _a, ctx) => (await ctx.loaders.account.load(f.accountId))!,
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When the last attempt failed.' }),
    error: t.string({ description: 'Why it failed, in the request’s language.', resolve: (f, _a, ctx) => (f.errorText ? renderText(f.errorText, ctx.locale) : f.error) }),
    errorText: t.field({ type: LocalizedTextRef, nullable: true, description: '`error` as a text code, e.g. `import.noSender` (null for failures recorded before texts had codes).', resolve: (f) => f.errorText }),
    size: t.exposeInt('size', { description: 'Size of the raw message in bytes.' }),
    attempts: t.exposeInt('attempts', { description: 'How many times it was tried.' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'When a retry succeeded.' }),
    rawUrl: t.string({ description: 'Signed URL of the raw message (.eml), for inspection.', resolve: (f, _a, ctx) => ctx.services.files.url({ kind: 'failed-import', id: f.id }) }),
  }),
});

const RefusedMessageRef = builder.objectRef<RefusedMessageRow>('RefusedMessage').implement({
  description: 'A received mail that deliberately made no ticket, with the reason (visible to admins, never silently dropped).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was received.' }),
    reason: t.expose('reason', { type: RefusalReasonEnum, description: 'Why it made no ticket.' }),
    held: t.exposeBoolean('held', { description: 'Held for an admin (DMARC failed and the account holds such mail): `releaseHeldMessage` imports it.' }),
    releasedAt: t.expose('releasedAt', { type: 'DateTime', nullable: true, description: 'When an admin released it.' }),
    authenticationResults: t.field({
      type: AuthenticationResultsRef,
      nullable: true,
      description: 'The sender checks behind a DMARC_FAILED refusal.',
      resolve: (m) => m.authenticationResults,
    }),
    detail: t.string({ nullable: true, description: 'Explanation in words, in the request’s language.', resolve: (m, _a, ctx) => (m.detailText ? renderText(m.detailText, ctx.locale) : m.detail) }),
    detailText: t.field({ type: LocalizedTextRef, nullable: true, description: '`detail` as a text code, e.g. `refusal.newTicket.never` (null for mail refused before texts had codes).', resolve: (m) => m.detailText }),
    from: t.exposeString('fromAddress', { nullable: true, description: 'Sender.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'Subject.' }),
    account: t.field({
      type: EmailAccountRef,
      description: 'The account it arrived at.',
      resolve: async (r, _a, ctx) => (await ctx.loaders.account.load(r.accountId))!,
    }),
  }),
});

builder.queryFields((t) => ({
  failedImports: t.withAuth({ admin: true }).field({
    type: [FailedImportRef],
    description: 'Messages that could not be imported and were kept for retry, newest first (unresolved only unless `includeResolved`).',
    args: {
      accountId: t.arg.id({ description: 'Only this account.' }),
      includeResolved: t.arg.boolean({ description: 'Also list the ones a retry already fixed.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.mailLog.failedImports(ctx.viewer, args.accountId ? String(args.accountId) : null, args.includeResolved ?? false),
  }),
  refusedMessages: t.withAuth({ admin: true }).field({
    type: [RefusedMessageRef],
    description: 'Received mail that deliberately made no ticket, newest first (last 500).',
    args: { accountId: t.arg.id({ description: 'Only this account.' }) },
    resolve: (_r, args, ctx) => ctx.services.mailLog.refusedMessages(ctx.viewer, args.accountId ? String(args.accountId) : null),
  }),
}));

builder.mutationField('releaseHeldMessage', (t) =>
  t.withAuth({ admin: true }).field({
    type: RefusedMessageRef,
    description: 'Imports a message held for a failed DMARC check (W9), as if it had passed; the ticket still shows its FORGED verdict.',
    args: { id: t.arg.id({ required: true, description: 'Refused message id (held).' }) },
    resolve: (_r, args, ctx) => ctx.services.mailLog.release(ctx.viewer, String(args.id)),
  }),
);

builder.mutationField('retryFailedImport', (t) =>
  t.withAuth({ admin: true }).boolean({
    description: 'Runs a failed message through the import pipeline again; true when it is imported now.',
    args: { id: t.arg.id({ required: true, description: 'Failed import id.' }) },
    resolve: (_r, args, ctx) => ctx.services.mailLog.retry(ctx.viewer, String(args.id)),
  }),
);
