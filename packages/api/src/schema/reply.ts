import { builder } from '../builder.ts';
import { TicketActionRef } from './ticket.ts';

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
