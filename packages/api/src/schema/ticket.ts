import { schema } from '@correio/core';
import { replaceAttachmentPlaceholders } from '@correio/mail-engine';
import { renderText } from '@correio/texts';
import { filter, pipe } from 'graphql-yoga';
import { builder } from '../builder.ts';
import { historyOf, type HistoryRow } from '../services/ticket-history.ts';
import { TOTAL_COUNT_CAP, type ActionRow, type TicketPage, type TicketRow } from '../services/ticket-service.ts';
import { EmailAccountRef } from './account.ts';
import { ClientRef, GroupRef, TicketTypeRef } from './catalog.ts';
import { ActionKindEnum, DeliveryStateEnum, SenderVerdictEnum, TicketHistoryKindEnum, TicketStatusEnum } from './enums.ts';
import { LocalizedTextRef } from './localized-text.ts';
import { AuthenticationResultsRef } from './sender-auth.ts';
import { UserRef } from './workspace.ts';

type AttachmentRow = typeof schema.attachments.$inferSelect;

type MessageDetails = Extract<NonNullable<AttachmentRow['details']>, { kind: 'MESSAGE' }>;
type CalendarDetails = Extract<NonNullable<AttachmentRow['details']>, { kind: 'CALENDAR' }>;

const AttachedFileRef = builder.objectRef<MessageDetails['attachments'][number]>('AttachedFile').implement({
  description: 'A file inside an attached message (listed; it is downloadable with the whole message).',
  fields: (t) => ({
    filename: t.exposeString('filename', { description: 'File name.' }),
    size: t.exposeInt('size', { description: 'Size in bytes.' }),
  }),
});

const AttachedMessageRef = builder.objectRef<MessageDetails>('AttachedMessage').implement({
  description: 'What an attached or forwarded e-mail (message/rfc822) says; the attachment itself downloads as .eml (W8).',
  fields: (t) => ({
    subject: t.exposeString('subject', { description: 'Its subject.' }),
    from: t.exposeString('from', { nullable: true, description: 'Its sender, as written.' }),
    date: t.string({ nullable: true, description: 'When it was sent (ISO 8601).', resolve: (m) => m.date }),
    text: t.exposeString('text', { description: 'Its text (the first few thousand characters).' }),
    attachments: t.field({ type: [AttachedFileRef], description: 'Its own attachments.', resolve: (m) => m.attachments }),
  }),
});

const CalendarEventRef = builder.objectRef<CalendarDetails>('CalendarEvent').implement({
  description: 'What a calendar invitation (text/calendar) says (W8).',
  fields: (t) => ({
    method: t.exposeString('method', { nullable: true, description: 'REQUEST (an invitation), CANCEL, REPLY…' }),
    summary: t.exposeString('summary', { nullable: true, description: 'The event’s title.' }),
    start: t.string({ nullable: true, description: 'Start (ISO 8601).', resolve: (c) => c.start }),
    end: t.string({ nullable: true, description: 'End (ISO 8601).', resolve: (c) => c.end }),
    location: t.exposeString('location', { nullable: true, description: 'Where.' }),
    organizer: t.exposeString('organizer', { nullable: true, description: 'Who invites.' }),
  }),
});

export const AttachmentRef = builder.objectRef<AttachmentRow>('Attachment').implement({
  description: 'A file attached to an action (or to a canned reply); bytes are downloaded from `url`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    filename: t.exposeString('filename', { description: 'File name as sent.' }),
    contentType: t.exposeString('contentType', { description: 'MIME type.' }),
    size: t.exposeInt('size', { description: 'Size in bytes.' }),
    inline: t.exposeBoolean('inline', { description: 'Shown inside the HTML body (cid: image) rather than listed.' }),
    url: t.string({ description: 'Signed, expiring download URL (relative to the API origin).', resolve: (a, _args, ctx) => ctx.services.files.url({ kind: 'attachment', id: a.id }) }),
    attachedMessage: t.field({
      type: AttachedMessageRef,
      nullable: true,
      description: 'For an attached e-mail: what it says.',
      resolve: (a) => (a.details?.kind === 'MESSAGE' ? a.details : null),
    }),
    calendarEvent: t.field({
      type: CalendarEventRef,
      nullable: true,
      description: 'For a calendar invitation: what it says.',
      resolve: (a) => (a.details?.kind === 'CALENDAR' ? a.details : null),
    }),
  }),
});

export const TicketActionRef = builder.objectRef<ActionRow>('TicketAction').implement({
  description: 'One entry of a ticket’s thread: an e-mail in, an e-mail out, or an internal note.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    kind: t.expose('kind', { type: ActionKindEnum, description: 'EMAIL_IN, EMAIL_OUT or NOTE.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was received, sent or written.' }),
    from: t.exposeString('fromAddress', { nullable: true, description: 'Sender address (e-mails).' }),
    fromName: t.exposeString('fromName', { nullable: true, description: 'Sender display name (e-mails).' }),
    to: t.exposeStringList('to', { description: 'To addresses.' }),
    cc: t.exposeStringList('cc', { description: 'Cc addresses.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'Subject of the e-mail.' }),
    text: t.exposeString('text', { description: 'The new content, with quoted history and signature folded away.' }),
    fullText: t.string({ description: 'The whole text body, quoted history included (for “show quoted”).', resolve: (a) => a.fullText ?? a.text }),
    html: t.string({
      nullable: true,
      description: 'Sanitized HTML body; inline images point at signed attachment URLs. Render it in a sandboxed frame.',
      resolve: (a, _args, ctx) => (a.html ? replaceAttachmentPlaceholders(a.html, (id) => ctx.services.files.url({ kind: 'attachment', id })) : null),
    }),
    messageId: t.exposeString('messageId', { nullable: true, description: 'Message-ID header.' }),
    attachments: t.field({
      type: [AttachmentRef],
      description: 'Attached files, inline images included.',
      resolve: (a, _args, ctx) => ctx.loaders.attachmentsOfAction.load(a.id),
    }),
    author: t.field({
      type: UserRef,
      nullable: true,
      description: 'The agent who wrote it (EMAIL_OUT, NOTE).',
      resolve: (a, _args, ctx) => (a.authorId ? ctx.loaders.user.load(a.authorId) : null),
    }),
    delivery: t.expose('delivery', { type: DeliveryStateEnum, nullable: true, description: 'Delivery state, for EMAIL_OUT.' }),
    smimeSigned: t.exposeBoolean('smimeSigned', { description: 'The e-mail came S/MIME-signed (the signature is shown as a mark, not checked).' }),
    forwarded: t.exposeBoolean('forwarded', { description: 'An agent’s forward of an action to outside addresses (EMAIL_OUT; `to` lists them) (issue 16).' }),
    internal: t.exposeBoolean('internal', { description: 'An answer from someone a message was forwarded to (EMAIL_IN): for agents, not part of the customer’s conversation (issue 16).' }),
    senderVerdict: t.expose('senderVerdict', { type: SenderVerdictEnum, nullable: true, description: 'For EMAIL_IN: is the sender who they claim to be (W9)? Null when not checked.' }),
    authenticationResults: t.field({
      type: AuthenticationResultsRef,
      nullable: true,
      description: 'For EMAIL_IN: the SPF, DKIM, DMARC and ARC results behind `senderVerdict`.',
      resolve: (a) => a.authenticationResults,
    }),
    deliveryError: t.string({
      nullable: true,
      description: 'Why delivery failed or is being retried, with the server’s response, in the request’s language.',
      resolve: (a, _args, ctx) => (a.deliveryErrorText ? renderText(a.deliveryErrorText, ctx.locale) : a.deliveryError),
    }),
    deliveryErrorText: t.field({
      type: LocalizedTextRef,
      nullable: true,
      description: '`deliveryError` as a text code, e.g. `delivery.retrying` around the failure it reports (null when delivery went fine, or for errors recorded before texts had codes).',
      resolve: (a) => a.deliveryErrorText,
    }),
  }),
});

export const TicketRef = builder.objectRef<TicketRow>('Ticket');
// Declared first, implemented below: a ticket points at tickets (merged into, history).
TicketRef.implement({
  description: 'A customer conversation, opened by an e-mail (W1).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    number: t.exposeInt('number', { description: 'Sequential number within the workspace; appears as [#number] in e-mail subjects.' }),
    subject: t.exposeString('subject', { description: 'Subject of the first e-mail.' }),
    status: t.expose('status', { type: TicketStatusEnum, description: 'Where the ticket is in its life.' }),
    customer: t.field({ type: ClientRef, description: 'The client who opened it.', resolve: async (tk, _a, ctx) => (await ctx.loaders.client.load(tk.customerId))! }),
    ccs: t.exposeStringList('ccs', { description: 'Addresses copied on the conversation; they receive replies.' }),
    account: t.field({
      type: EmailAccountRef,
      nullable: true,
      description: 'The account the ticket came in through (replies go out through it).',
      resolve: (tk, _a, ctx) => (tk.accountId ? ctx.loaders.account.load(tk.accountId) : null),
    }),
    type: t.field({ type: TicketTypeRef, nullable: true, description: 'Ticket type.', resolve: (tk, _a, ctx) => (tk.typeId ? ctx.loaders.ticketType.load(tk.typeId) : null) }),
    group: t.field({ type: GroupRef, nullable: true, description: 'Responsible group.', resolve: (tk, _a, ctx) => (tk.groupId ? ctx.loaders.group.load(tk.groupId) : null) }),
    assignee: t.field({ type: UserRef, nullable: true, description: 'Agent in charge.', resolve: (tk, _a, ctx) => (tk.assigneeId ? ctx.loaders.user.load(tk.assigneeId) : null) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was opened.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last activity: new action or field change.' }),
    actions: t.field({
      type: [TicketActionRef],
      description: 'The thread, oldest first.',
      resolve: (tk, _a, ctx) => ctx.services.tickets.actions(ctx.viewer!, tk.id),
    }),
    mergedInto: t.field({
      type: TicketRef,
      nullable: true,
      description: 'The ticket this one was merged into (it is then CLOSED, and its later mail goes there), or null.',
      resolve: (tk, _a, ctx) => (tk.mergedIntoId ? ctx.loaders.ticket.load(tk.mergedIntoId) : null),
    }),
    history: t.field({
      type: [TicketHistoryEntryRef],
      description: 'Who changed what, and when: status, group, type, assignee, merges and splits, oldest first.',
      resolve: (tk, _a, ctx) => historyOf(ctx.runtime.database.db, ctx.viewer!, tk.id),
    }),
  }),
});

export const TicketHistoryEntryRef = builder.objectRef<HistoryRow>('TicketHistoryEntry').implement({
  description: 'One change to a ticket, with who made it and when (issue 16).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    kind: t.expose('kind', { type: TicketHistoryKindEnum, description: 'What changed.' }),
    before: t.exposeString('before', { nullable: true, description: 'The value before (see the kind), as it read then.' }),
    after: t.exposeString('after', { nullable: true, description: 'The value after (see the kind), as it read then.' }),
    relatedTicket: t.field({
      type: TicketRef,
      nullable: true,
      description: 'The other ticket of a merge or split.',
      resolve: (h, _a, ctx) => (h.relatedTicketId ? ctx.loaders.ticket.load(h.relatedTicketId) : null),
    }),
    actor: t.field({ type: UserRef, nullable: true, description: 'Who made the change (null if that user was removed).', resolve: (h, _a, ctx) => (h.actorId ? ctx.loaders.user.load(h.actorId) : null) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When.' }),
  }),
});

export const PageInfoRef = builder.objectRef<TicketPage['pageInfo']>('PageInfo').implement({
  description: 'Cursor pagination state.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether another page follows.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` to get the next page.' }),
  }),
});

const TicketEdgeRef = builder.objectRef<TicketPage['edges'][number]>('TicketEdge').implement({
  description: 'A ticket in a page.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this ticket.' }),
    node: t.field({ type: TicketRef, description: 'The ticket.', resolve: (e) => e.node }),
  }),
});

const TicketConnectionRef = builder.objectRef<TicketPage>('TicketConnection').implement({
  description: 'A page of tickets, most recent activity first.',
  fields: (t) => ({
    edges: t.field({ type: [TicketEdgeRef], description: 'Tickets of this page.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfoRef, description: 'Pagination state.', resolve: (c) => c.pageInfo }),
    totalCount: t.int({
      description: `Number of tickets matching the filter, all pages: exact up to ${TOTAL_COUNT_CAP.toLocaleString('en')}; beyond, this cap and \`totalCountIsCapped\` (show "10,000+"). Counted only when asked for.`,
      resolve: async (c) => (await c.totalCount()).count,
    }),
    totalCountIsCapped: t.boolean({ description: `Whether more than ${TOTAL_COUNT_CAP.toLocaleString('en')} tickets match, so \`totalCount\` is the cap, not the count.`, resolve: async (c) => (await c.totalCount()).capped }),
  }),
});

export const TicketFilter = builder.inputType('TicketFilter', {
  description: 'Narrows the ticket list; all given criteria must match.',
  fields: (t) => ({
    status: t.field({ type: [TicketStatusEnum], description: 'Any of these statuses.' }),
    accountId: t.id({ description: 'Came in through this account.' }),
    groupId: t.id({ description: 'Belongs to this group.' }),
    typeId: t.id({ description: 'Has this type.' }),
    assigneeId: t.id({ description: 'Assigned to this user.' }),
    search: t.string({ description: 'Text in the subject, the customer’s e-mail or name, or a ticket number (#123).' }),
  }),
});

const TicketUpdateInput = builder.inputType('TicketUpdateInput', {
  description: 'Fields of a ticket an agent can change; omitted fields stay, null clears.',
  fields: (t) => ({
    status: t.field({ type: TicketStatusEnum, description: 'New status.' }),
    typeId: t.id({ description: 'New type (null clears).' }),
    groupId: t.id({ description: 'New group (null clears).' }),
    assigneeId: t.id({ description: 'New assignee (null clears).' }),
  }),
});

builder.queryFields((t) => ({
  tickets: t.withAuth({ agent: true }).field({
    type: TicketConnectionRef,
    description: 'Tickets of the workspace, most recent activity first, with cursor pagination.',
    args: {
      first: t.arg.int({ description: 'Page size, 1–100 (default 25).' }),
      after: t.arg.string({ description: '`endCursor` of the previous page.' }),
      filter: t.arg({ type: TicketFilter, description: 'Criteria.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.tickets.list(ctx.viewer, args.first, args.after, args.filter),
  }),
  ticket: t.withAuth({ agent: true }).field({
    type: TicketRef,
    nullable: true,
    description: 'One ticket, or null if it is not in this workspace.',
    args: { id: t.arg.id({ required: true, description: 'Ticket id.' }) },
    resolve: (_r, args, ctx) => ctx.services.tickets.get(ctx.viewer, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  updateTicket: t.withAuth({ agent: true }).field({
    type: TicketRef,
    description: 'Changes status, type, group or assignee.',
    args: {
      id: t.arg.id({ required: true, description: 'Ticket id.' }),
      input: t.arg({ type: TicketUpdateInput, required: true, description: 'Changes.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.tickets.update(ctx.viewer, String(args.id), args.input),
  }),
  mergeTickets: t.withAuth({ agent: true }).field({
    type: TicketRef,
    description:
      'Merges ticket `sourceId` into `targetId` (same workspace): its messages, copies and Message-IDs move to the target, its customer joins the copies if different, and it is closed with a note pointing at the target; a later answer to any of its messages, or with its [#number], lands on the target. Cannot be undone; recorded in both histories. Returns the target.',
    args: {
      sourceId: t.arg.id({ required: true, description: 'The ticket that goes away.' }),
      targetId: t.arg.id({ required: true, description: 'The ticket that stays.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.merges.merge(ctx.viewer, String(args.sourceId), String(args.targetId), ctx.locale),
  }),
  splitTicket: t.withAuth({ agent: true }).field({
    type: TicketRef,
    description:
      'Moves some actions of a ticket (with their attachments and Message-IDs) to a new ticket of the same customer, account, group and assignee; answers to the moved messages then land on the new ticket. At least one action stays. Recorded in both histories. Returns the new ticket.',
    args: {
      ticketId: t.arg.id({ required: true, description: 'The ticket to split.' }),
      actionIds: t.arg.idList({ required: true, description: 'Actions of that ticket to move (at most 500).' }),
    },
    resolve: (_r, args, ctx) => ctx.services.merges.split(ctx.viewer, String(args.ticketId), args.actionIds.map(String), ctx.locale),
  }),
  addNote: t.withAuth({ agent: true }).field({
    type: TicketActionRef,
    description: 'Adds an internal note; never sent to the customer.',
    args: {
      ticketId: t.arg.id({ required: true, description: 'Ticket id.' }),
      text: t.arg.string({ required: true, description: 'Note text.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.tickets.addNote(ctx.viewer, String(args.ticketId), args.text),
  }),
}));

const eventReads = new WeakMap<object, Promise<TicketRow | null>>();

builder.subscriptionField('ticketChanged', (t) =>
  t.withAuth({ agent: true }).field({
    type: TicketRef,
    description: 'A ticket of the workspace was created or got a new action or field change; with `ticketId`, only that ticket.',
    args: { ticketId: t.arg.id({ description: 'Only this ticket.' }) },
    subscribe: (_r, args, ctx) =>
      pipe(
        ctx.runtime.events.pubsub.subscribe('ticketChanged', ctx.viewer.workspaceId),
        filter((event) => !args.ticketId || event.ticketId === String(args.ticketId)),
      ),
    resolve: async (event, _args, ctx) => {
      // A fresh read per event, shared by every subscriber of it: one event reaches all of a
      // workspace's subscribers as the same object, and they all see the same ticket.
      let read = eventReads.get(event);
      if (!read) {
        read = ctx.services.tickets.get(ctx.viewer, event.ticketId);
        eventReads.set(event, read);
      }
      const ticket = await read;
      if (!ticket || ticket.workspaceId !== ctx.viewer.workspaceId) throw new Error('Ticket no longer exists');
      return ticket;
    },
  }),
);
