import { graphql } from '#graphql/graphql.ts';
import { LocalizedTextFields } from '#graphql/localized-text.ts';

export const TicketRowFields = graphql(`
  fragment TicketRowFields on Ticket {
    id number subject status createdAt updatedAt
    customer { id name email }
    group { id name }
    type { id name }
    account { id name address }
    assignee { id name }
  }
`);

export const TicketsQuery = graphql(
  `
  query Tickets($first: Int, $after: String, $filter: TicketFilter) {
    tickets(first: $first, after: $after, filter: $filter) {
      totalCount totalCountIsCapped
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...TicketRowFields } }
    }
  }
`,
  [TicketRowFields],
);

/** Full-text search hits, most relevant first, narrowed by the inbox's filters. */
export const SearchTicketsQuery = graphql(
  `
  query SearchTickets($query: String!, $first: Int, $after: String, $filter: TicketFilter) {
    searchTickets(query: $query, first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...TicketRowFields } snippet { text highlighted } matchedIn }
    }
  }
`,
  [TicketRowFields],
);

/** Every ticket of the workspace that is created or changes (the inbox). */
export const TicketListUpdatesSubscription = graphql(
  `
  subscription TicketListUpdates { ticketChanged { ...TicketRowFields } }
`,
  [TicketRowFields],
);

export const TicketOptionsQuery = graphql(`
  query TicketOptions {
    groups { id name }
    ticketTypes { id name }
    emailAccounts { id name address }
    users { id name email role }
  }
`);

/** What the sender verdict's explanation needs (ticket view, refused-mail list). */
export const SenderCheckFields = graphql(`
  fragment SenderCheckFields on AuthenticationResults {
    source authservId fromDomain reasonCode
    dmarc { result policy domain }
    arc { result domain }
    dkim { result domain }
    spf { result domain }
  }
`);

export const TicketActionFields = graphql(
  `
  fragment TicketActionFields on TicketAction {
    id kind createdAt from fromName to cc subject text fullText html messageId
    attachments {
      id filename contentType size inline url
      attachedMessage { subject from date text attachments { filename size } }
      calendarEvent { method summary start end location organizer }
    }
    author { id name email avatarUrl }
    delivery deliveryError
    deliveryErrorText { ...LocalizedTextFields }
    smimeSigned senderVerdict forwarded internal
    authenticationResults { ...SenderCheckFields }
  }
`,
  [SenderCheckFields, LocalizedTextFields],
);

export const TicketDetailFields = graphql(
  `
  fragment TicketDetailFields on Ticket {
    ...TicketRowFields
    ccs
    customer { id name email organization }
    account { id name address active status { outgoing { state } } }
    actions { ...TicketActionFields }
    mergedInto { id number }
    history { id kind before after createdAt actor { id name } relatedTicket { id number } }
  }
`,
  [TicketRowFields, TicketActionFields],
);

export const TicketQuery = graphql(
  `
  query Ticket($id: ID!) { ticket(id: $id) { ...TicketDetailFields } }
`,
  [TicketDetailFields],
);

/** One ticket's changes: new actions, delivery updates, field changes. */
export const TicketDetailUpdatesSubscription = graphql(
  `
  subscription TicketDetailUpdates($ticketId: ID!) { ticketChanged(ticketId: $ticketId) { ...TicketDetailFields } }
`,
  [TicketDetailFields],
);

export const UpdateTicketMutation = graphql(
  `
  mutation UpdateTicket($id: ID!, $input: TicketUpdateInput!) { updateTicket(id: $id, input: $input) { ...TicketRowFields } }
`,
  [TicketRowFields],
);

export const AddNoteMutation = graphql(
  `
  mutation AddNote($ticketId: ID!, $text: String!) { addNote(ticketId: $ticketId, text: $text) { ...TicketActionFields } }
`,
  [TicketActionFields],
);

export const MergeTicketsMutation = graphql(
  `
  mutation MergeTickets($sourceId: ID!, $targetId: ID!) { mergeTickets(sourceId: $sourceId, targetId: $targetId) { id number } }
`,
);

export const SplitTicketMutation = graphql(
  `
  mutation SplitTicket($ticketId: ID!, $actionIds: [ID!]!) { splitTicket(ticketId: $ticketId, actionIds: $actionIds) { id number } }
`,
);

/** Tickets a merge may go into: by number (#123), subject or customer. */
export const MergeCandidatesQuery = graphql(
  `
  query MergeCandidates($search: String!) {
    tickets(first: 8, filter: { search: $search }) { edges { node { id number subject status customer { name email } mergedInto { id } } } }
  }
`,
);

export const CannedRepliesQuery = graphql(`
  query CannedReplies($search: String) { cannedReplies(search: $search) { id title shortcut text personal attachments { id } } }
`);

/** The text filled in for the ticket, and copies of the reply's files as the agent's uploads. */
export const InsertCannedReplyMutation = graphql(`
  mutation InsertCannedReply($id: ID!, $ticketId: ID!) { insertCannedReply(id: $id, ticketId: $ticketId) { html attachments { id filename size } } }
`);

export const CannedReplyRowsQuery = graphql(`
  query CannedReplyRows { cannedReplies { id title shortcut text html personal canEdit updatedAt attachments { id filename size } } }
`);

export const CreateCannedReplyMutation = graphql(`
  mutation CreateCannedReply($input: CannedReplyInput!) { createCannedReply(input: $input) { id title } }
`);

export const UpdateCannedReplyMutation = graphql(`
  mutation UpdateCannedReply($id: ID!, $input: CannedReplyInput!) { updateCannedReply(id: $id, input: $input) { id title } }
`);

export const DeleteCannedReplyMutation = graphql(`
  mutation DeleteCannedReply($id: ID!) { deleteCannedReply(id: $id) }
`);

export const SignaturePreviewQuery = graphql(`
  query SignaturePreview($accountSignature: String, $agentSignature: String, $accountName: String) {
    signaturePreview(accountSignature: $accountSignature, agentSignature: $agentSignature, accountName: $accountName) { html text }
  }
`);

export const MySignatureQuery = graphql(`
  query MySignature { me { id signature } }
`);

export const UpdateMySignatureMutation = graphql(`
  mutation UpdateMySignature($signature: String) { updateMySignature(signature: $signature) { id signature } }
`);

export const ForwardActionMutation = graphql(
  `
  mutation ForwardAction($actionId: ID!, $input: ForwardInput!) { forwardAction(actionId: $actionId, input: $input) { ...TicketActionFields } }
`,
  [TicketActionFields],
);

export const SendingAccountsQuery = graphql(`
  query SendingAccounts { sendingAccounts { id name address } }
`);

export const StartTicketMutation = graphql(`
  mutation StartTicket($input: OutboundTicketInput!) { startTicket(input: $input) { id number } }
`);
