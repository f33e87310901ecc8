import { builder } from '../builder.ts';
import { EmailAccountRef } from './account.ts';
import { TicketActionRef, TicketRef } from './ticket.ts';

const ReplyInput = builder.inputType('ReplyInput', {
  description: 'An agent’s reply, sent to the customer (and `cc`) as an e-mail from the ticket’s account (W2).',
  fields: (t) => ({
    text: t.string({ required: true, description: 'The reply as plain text; its HTML part is made from it unless `html` is given.' }),
    html: t.string({ description: 'Formatted reply (sanitized before it is stored or sent); the text part is still `text`, or made from this HTML when `text` is empty.' }),
    cc: t.stringList({
      description:
        'The complete Cc list of this reply: an empty list sends to the customer alone; omitted, the ticket’s CCs are copied. Addresses new to the ticket join its CCs for later replies; leaving one out affects this reply only. The workspace’s own addresses and the customer are never copied.',
    }),
    attachmentIds: t.idList({ description: 'Files uploaded by the same agent with `POST /files/upload` (body = the bytes, `?filename=`), sent as attachments.' }),
  }),
});

builder.mutationFields((t) => ({
  replyToTicket: t.withAuth({ agent: true }).field({
    type: TicketActionRef,
    description:
      'Sends a reply: creates an EMAIL_OUT action with delivery QUEUED and queues the e-mail; `delivery` turns SENT or FAILED (with the server’s response in `deliveryError`) as the mail engine sends it — watch `ticketChanged`.',
    args: {
      ticketId: t.arg.id({ required: true, description: 'Ticket id.' }),
      input: t.arg({ type: ReplyInput, required: true, description: 'The reply.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.replies.reply(ctx.viewer, String(args.ticketId), args.input),
  }),
  retryDelivery: t.withAuth({ agent: true }).field({
    type: TicketActionRef,
    description: 'Sends a FAILED reply again (e.g. after the account’s settings were fixed), with the same Message-ID; delivery goes back to QUEUED.',
    args: { actionId: t.arg.id({ required: true, description: 'The EMAIL_OUT action whose delivery failed.' }) },
    resolve: (_r, args, ctx) => ctx.services.replies.retryDelivery(ctx.viewer, String(args.actionId)),
  }),
}));

const OutboundTicketInput = builder.inputType('OutboundTicketInput', {
  description: 'A conversation an agent starts by e-mail (issue 16).',
  fields: (t) => ({
    accountId: t.id({ required: true, description: 'The account it is sent from (active, and able to send).' }),
    to: t.string({ required: true, description: 'The customer’s address; a new client is created for an unknown one.' }),
    name: t.string({ description: 'The customer’s name, for a new client.' }),
    cc: t.stringList({ description: 'Addresses copied; they get the answers too.' }),
    subject: t.string({ required: true, description: 'Subject; the ticket tag [#n] is added when sent.' }),
    text: t.string({ required: true, description: 'The message, as in a reply (the account’s signature is added).' }),
    html: t.string({ description: 'Optional HTML body, sanitized as a reply’s.' }),
    attachmentIds: t.idList({ description: 'Files uploaded by the caller (POST /uploads), as in a reply.' }),
  }),
});

builder.mutationFields((t) => ({
  startTicket: t.withAuth({ agent: true }).field({
    type: TicketRef,
    description:
      'Starts a conversation by e-mail: a ticket for the customer (PENDING, assigned to the caller) whose first action is this message, sent like a reply; the customer’s answer threads to it. Nothing is created when the message is refused.',
    args: { input: t.arg({ type: OutboundTicketInput, required: true, description: 'The message and its recipient.' }) },
    resolve: (_r, args, ctx) => ctx.services.outbound.start(ctx.viewer, args.input as unknown as Record<string, unknown>),
  }),
}));

builder.queryFields((t) => ({
  sendingAccounts: t.withAuth({ agent: true }).field({
    type: [EmailAccountRef],
    description: 'The active accounts an agent can start a conversation from (issue 16): built-in ones and those with a sending server, oldest first.',
    resolve: async (_r, _a, ctx) => (await ctx.services.accounts.list(ctx.viewer)).filter((a) => a.active && (a.kind === 'BUILTIN' || !!a.outgoingHost)),
  }),
}));

const ForwardInput = builder.inputType('ForwardInput', {
  description: 'Where to forward an action, and a note above it (issue 16).',
  fields: (t) => ({
    to: t.stringList({ required: true, description: 'One to ten outside addresses (not the workspace’s own).' }),
    text: t.string({ description: 'A note written above the forwarded message.' }),
  }),
});

builder.mutationFields((t) => ({
  forwardAction: t.withAuth({ agent: true }).field({
    type: TicketActionRef,
    description:
      'Forwards an action (its text and files) to outside addresses from the ticket’s account, recorded on the ticket (`forwarded`) and in its history. Their answer lands on the ticket as an `internal` action: agents see it; it does not copy them on the customer’s conversation nor change the ticket’s status.',
    args: {
      actionId: t.arg.id({ required: true, description: 'The action to forward.' }),
      input: t.arg({ type: ForwardInput, required: true, description: 'Recipients and note.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.forwards.forward(ctx.viewer, String(args.actionId), args.input, ctx.locale),
  }),
}));
