import { ENCRYPTIONS, INCOMING_PROTOCOLS, SMTP_AUTH_MECHANISMS } from '@correio/mail-settings';
import { pgEnum } from 'drizzle-orm/pg-core';

// Enum values match the GraphQL contract one-to-one, so the API can pass them through untouched.
// Everything else reads these lists from here (`fooEnum.enumValues`): GraphQL enums, validation,
// the engine's types. The mail-settings ones come from that pure package, which the web shares.
export const roleEnum = pgEnum('role', ['ADMIN', 'AGENT']);
export const accountKindEnum = pgEnum('account_kind', ['BUILTIN', 'EXTERNAL']);
export const incomingProtocolEnum = pgEnum('incoming_protocol', INCOMING_PROTOCOLS);
export const encryptionEnum = pgEnum('encryption', ENCRYPTIONS);
export const smtpAuthMechanismEnum = pgEnum('smtp_auth_mechanism', SMTP_AUTH_MECHANISMS);
export const newTicketPolicyEnum = pgEnum('new_ticket_policy', [
  'ANY_SENDER',
  'REGISTERED_CLIENTS',
  'CLIENTS_OR_DOMAIN_RULES',
  'NEVER',
]);
export const sameSubjectPolicyEnum = pgEnum('same_subject_policy', [
  'ASSOCIATE_ANY_SENDER',
  'ASSOCIATE_IF_CLIENT_OR_CC',
  'NEW_TICKET',
]);
export const importExistingEnum = pgEnum('import_existing', ['NONE', 'LAST_DAYS', 'ALL']);
export const connectionStateEnum = pgEnum('connection_state', [
  'UNKNOWN',
  'CHECKING',
  'OK',
  'INTERMITTENT',
  'ERROR',
  'DISABLED',
  // Issue 14: a direction that cannot work until the operator sets something (a built-in
  // address's sending without SMTP_RELAY_URL) — not a failure of the mailbox.
  'NOT_CONFIGURED',
]);
export const directionEnum = pgEnum('direction', ['INCOMING', 'OUTGOING']);
export const ticketStatusEnum = pgEnum('ticket_status', ['NEW', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED']);
export const actionKindEnum = pgEnum('action_kind', ['EMAIL_IN', 'EMAIL_OUT', 'NOTE']);
/** What a ticket history entry records (issue 16). */
export const ticketHistoryKindEnum = pgEnum('ticket_history_kind', ['STATUS', 'GROUP', 'TYPE', 'ASSIGNEE', 'MERGED_INTO', 'MERGED_FROM', 'SPLIT_TO', 'SPLIT_FROM', 'FORWARDED']);
export const deliveryStateEnum = pgEnum('delivery_state', ['QUEUED', 'SENT', 'FAILED']);
export const outboxStateEnum = pgEnum('outbox_state', ['QUEUED', 'SENDING', 'SENT', 'FAILED']);
export const refusalReasonEnum = pgEnum('refusal_reason', [
  'NEW_TICKET_POLICY',
  'AUTO_REPLY',
  'BOUNCE',
  'OWN_MESSAGE',
  'RATE_LIMITED',
  'APPEND_DISABLED',
  'DUPLICATE',
  'DMARC_FAILED',
]);
// What an incoming message's authentication says about its sender (W9).
export const senderVerdictEnum = pgEnum('sender_verdict', ['VERIFIED', 'NOT_VERIFIED', 'FORGED']);
// A4 + W9: what an account does with mail whose DMARC check failed.
export const dmarcFailPolicyEnum = pgEnum('dmarc_fail_policy', ['FLAG', 'HOLD', 'REFUSE']);
// Issue 13: the mailbox providers Correio signs in to with OAuth 2.0.
export const oauthProviderEnum = pgEnum('oauth_provider', ['GOOGLE', 'MICROSOFT']);
