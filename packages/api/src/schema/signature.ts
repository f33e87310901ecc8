import { builder } from '../builder.ts';
import { UserRef } from './workspace.ts';

builder.objectField(UserRef, 'signature', (t) =>
  t.string({
    nullable: true,
    description: 'The user’s own signature (issue 16), which account signatures include with {{agente.assinatura}}. Seen by the user and by admins; null for others.',
    resolve: (u, _a, ctx) => (ctx.viewer && (ctx.viewer.userId === u.id || ctx.viewer.role === 'ADMIN') ? u.signature : null),
  }),
);

builder.queryFields((t) => ({
  signaturePreview: t.withAuth({ agent: true }).string({
    nullable: true,
    description:
      'The signature a reply by the caller would carry with these templates, filled in for a sample customer (Maria Silva) and ticket (#1234): what the account form and the profile preview. Null: no signature.',
    args: {
      accountSignature: t.arg.string({ description: 'The account’s signature template.' }),
      agentSignature: t.arg.string({ description: 'The agent’s own signature; omitted: the caller’s saved one.' }),
      accountName: t.arg.string({ description: 'For {{conta.nome}}.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.signatures.preview(ctx.viewer, args.accountSignature, args.agentSignature, args.accountName),
  }),
}));

builder.mutationFields((t) => ({
  updateMySignature: t.withAuth({ agent: true }).field({
    type: UserRef,
    description: 'Sets the caller’s own signature (up to 5,000 characters; empty or null removes it).',
    args: { signature: t.arg.string({ description: 'The signature; variables such as {{agente.nome}} are filled in when a reply is sent.' }) },
    resolve: (_r, args, ctx) => ctx.services.signatures.setOwn(ctx.viewer, args.signature),
  }),
}));
