import { graphql } from '#graphql/graphql.ts';
import { TicketActionFields } from './tickets.ts';

/** An agent's answer: an e-mail to the customer and CCs (W2). */
export const ReplyToTicketMutation = graphql(
  `
  mutation ReplyToTicket($ticketId: ID!, $input: ReplyInput!) { replyToTicket(ticketId: $ticketId, input: $input) { ...TicketActionFields } }
`,
  [TicketActionFields],
);

/** Sends a FAILED reply again (after the account was fixed), with the same Message-ID. */
export const RetryDeliveryMutation = graphql(
  `
  mutation RetryDelivery($actionId: ID!) { retryDelivery(actionId: $actionId) { ...TicketActionFields } }
`,
  [TicketActionFields],
);
