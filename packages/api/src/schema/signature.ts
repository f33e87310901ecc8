import type { Signature } from '@correio/mail-engine';
import { builder } from '../builder.ts';
import { UserRef } from './workspace.ts';

builder.objectField(UserRef, 'signature', (t) =>
  t.string({
    nullable: true,
    description:
      'The user’s own signature (issue 16) as sanitized HTML, variables unfilled; account signatures include it with {{agente.assinatura}}. Seen by the user and by admins; null for others.',
    resolve: (u, _a, ctx) => (ctx.viewer && (ctx.viewer.userId === u.id || ctx.viewer.role === 'ADMIN') ? u.signature : null),
  }),
);

const SignaturePreviewRef = builder.objectRef<Signature>('SignaturePreview').implement({
  description: 'A signature filled in, as a reply carries it in its two parts.',
  fields: (t) => ({
    html: t.exposeString('html', { description: 'The HTML part’s signature, sanitized: safe to show.' }),
    text: t.exposeString('text', { description: 'The text part’s signature: what the HTML reads as.' }),
  }),
});

builder.queryFields((t) => ({
  signaturePreview: t.withAuth({ agent: true }).field({
    type: SignaturePreviewRef,
    nullable: true,
    description:
      'The signature a reply by the caller would carry with these templates, filled in for a sample customer (Maria Silva) and ticket (#1234): what the account form and the profile preview. Null: no signature.',
    args: {
      accountSignature: t.arg.string({ description: 'The account’s signature template (HTML, or text without any tag).' }),
      agentSignature: t.arg.string({ description: 'The agent’s own signature; omitted: the caller’s saved one.' }),
      accountName: t.arg.string({ description: 'For {{conta.nome}}.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.signatures.preview(ctx.viewer, args.accountSignature, args.agentSignature, args.accountName),
  }),
}));

builder.mutationFields((t) => ({
  updateMySignature: t.withAuth({ agent: true }).field({
    type: UserRef,
    description: 'Sets the caller’s own signature (up to 20,000 characters; empty or null removes it).',
    args: {
      signature: t.arg.string({
        description:
          'The signature as HTML (sanitized when saved: bold, italics, links, pictures by https URL) or as text without any tag (its lines kept); variables such as {{agente.nome}} are filled in when a reply is sent.',
      }),
    },
    resolve: (_r, args, ctx) => ctx.services.signatures.setOwn(ctx.viewer, args.signature),
  }),
}));
