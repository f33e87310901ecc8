import { builder } from '../builder.ts';
import type { CannedInsert, CannedReplyRow } from '../services/canned-reply-service.ts';
import { TEMPLATE_VARIABLES } from '@correio/mail-engine';
import { AttachmentRef } from './ticket.ts';
import { UserRef } from './workspace.ts';

export const CannedReplyRef = builder.objectRef<CannedReplyRow>('CannedReply').implement({
  description: 'A canned reply (resposta pronta, issue 16): the workspace’s, kept by admins, or an agent’s own.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    title: t.exposeString('title', { description: 'What the picker shows.' }),
    shortcut: t.exposeString('shortcut', { nullable: true, description: 'Typed after `::` in the composer to insert it (letters, digits, - and _).' }),
    text: t.exposeString('text', { description: 'What the reply reads as, in plain text, with variables such as {{cliente.nome}} unfilled; see `renderCannedReply`.' }),
    html: t.exposeString('html', { description: 'The reply as formatted (sanitized HTML), variables unfilled; see `insertCannedReply`.' }),
    personal: t.boolean({ description: 'An agent’s own reply, seen by nobody else.', resolve: (r) => r.ownerId !== null }),
    owner: t.field({ type: UserRef, nullable: true, description: 'Whose own reply it is (null: the workspace’s).', resolve: (r, _a, ctx) => (r.ownerId ? ctx.loaders.user.load(r.ownerId) : null) }),
    canEdit: t.boolean({ description: 'Whether the caller may change or delete it (their own; the workspace’s for admins).', resolve: (r, _a, ctx) => ctx.services.cannedReplies.canEdit(ctx.viewer!, r) }),
    attachments: t.field({
      type: [AttachmentRef],
      description: 'Files the reply carries; inserting it (`insertCannedReply`) attaches a copy of each.',
      resolve: (r, _a, ctx) => ctx.services.cannedReplies.files(r.id),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

const CannedReplyInsertRef = builder.objectRef<CannedInsert>('CannedReplyInsert').implement({
  description: 'What the composer inserts from a canned reply: its body filled in, and copies of its files.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The body as plain text, variables filled in for the ticket and the caller (for a plain-text composer).' }),
    html: t.exposeString('html', { description: 'The body as sanitized HTML, variables filled in (their values escaped): what a rich composer inserts.' }),
    attachments: t.field({
      type: [AttachmentRef],
      description: 'A copy of each of the reply’s files, uploaded as the caller’s: pass their ids in `replyToTicket(input: { attachmentIds })`. Copies never sent are removed like any unsent upload.',
      resolve: (r) => r.attachments,
    }),
  }),
});

const CannedReplyInput = builder.inputType('CannedReplyInput', {
  description: 'A canned reply’s content.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'Title, up to 120 characters.' }),
    shortcut: t.string({ description: 'Optional shortcut (letters, digits, - and _, up to 30), unique among the replies its owner sees.' }),
    text: t.string({
      description: `The body as plain text (up to 20,000 characters), used when \`html\` is not given. Variables: ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.`,
    }),
    html: t.string({ description: 'The body as HTML (sanitized when saved: bold, italics, links, lists), with the same variables. Wins over `text`.' }),
    personal: t.boolean({ description: 'Only on create: true keeps it the caller’s own; false (default) makes it the workspace’s, which only admins may.' }),
    attachmentIds: t.idList({
      description:
        'The reply’s files after this change (at most 10): ids it already has stay, the caller’s uploads (POST /files/upload) join it, its other files are removed. Omitted: unchanged.',
    }),
  }),
});

builder.queryFields((t) => ({
  cannedReplies: t.withAuth({ agent: true }).field({
    type: [CannedReplyRef],
    description: 'The canned replies the caller may use: the workspace’s and their own, by title (at most 200).',
    args: { search: t.arg.string({ description: 'Words in the title, shortcut or text.' }) },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.list(ctx.viewer, args.search),
  }),
  renderCannedReply: t.withAuth({ agent: true }).string({
    description: 'A canned reply’s text with its variables filled in for a ticket and the caller (what the composer inserts).',
    args: {
      id: t.arg.id({ required: true, description: 'Canned reply id.' }),
      ticketId: t.arg.id({ required: true, description: 'The ticket being answered.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.render(ctx.viewer, String(args.id), String(args.ticketId)),
  }),
}));

builder.mutationFields((t) => ({
  createCannedReply: t.withAuth({ agent: true }).field({
    type: CannedReplyRef,
    description: 'Adds a canned reply: the caller’s own (`personal: true`), or the workspace’s (admins).',
    args: { input: t.arg({ type: CannedReplyInput, required: true, description: 'Content.' }) },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.create(ctx.viewer, args.input),
  }),
  updateCannedReply: t.withAuth({ agent: true }).field({
    type: CannedReplyRef,
    description: 'Changes a canned reply the caller may edit (`personal` is ignored: a reply keeps its owner).',
    args: {
      id: t.arg.id({ required: true, description: 'Canned reply id.' }),
      input: t.arg({ type: CannedReplyInput, required: true, description: 'New content.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.update(ctx.viewer, String(args.id), args.input),
  }),
  insertCannedReply: t.withAuth({ agent: true }).field({
    type: CannedReplyInsertRef,
    description: 'What the composer inserts from a canned reply into a message on a ticket: the text filled in, and copies of the reply’s files.',
    args: {
      id: t.arg.id({ required: true, description: 'Canned reply id.' }),
      ticketId: t.arg.id({ required: true, description: 'The ticket the message is for.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.insert(ctx.viewer, String(args.id), String(args.ticketId)),
  }),
  deleteCannedReply: t.withAuth({ agent: true }).boolean({
    description: 'Deletes a canned reply the caller may edit.',
    args: { id: t.arg.id({ required: true, description: 'Canned reply id.' }) },
    resolve: (_r, args, ctx) => ctx.services.cannedReplies.remove(ctx.viewer, String(args.id)),
  }),
}));
