import { schema } from '@correio/core';
import { builder } from '../builder.ts';

/**
 * A GraphQL enum whose values are the database enum's (`enumValues`), each described: a value
 * added to the database enum without a description here fails to type-check.
 */
function enumOf<const V extends string>(name: string, dbEnum: { enumValues: readonly V[] }, config: { description: string; values: Record<V, { description: string }> }) {
  return builder.enumType(name, {
    description: config.description,
    values: Object.fromEntries(dbEnum.enumValues.map((v) => [v, { value: v, description: config.values[v].description }])) as Record<V, { value: V; description: string }>,
  });
}

export const RoleEnum = enumOf('Role', schema.roleEnum, {
  description: 'What a user may do in the workspace.',
  values: {
    ADMIN: { description: 'Configures e-mail accounts, lists and users, and works tickets.' },
    AGENT: { description: 'Works tickets: reads, replies, adds notes, changes status and assignment.' },
  },
});

export const AccountKindEnum = enumOf('AccountKind', schema.accountKindEnum, {
  description: 'Where an e-mail account’s mail lives.',
  values: {
    BUILTIN: { description: 'Correio’s own address `<local>@<workspace>.<INBOUND_DOMAIN>`; needs no server settings.' },
    EXTERNAL: { description: 'A mailbox at another provider, reached over IMAP/POP3 and SMTP.' },
  },
});

export const IncomingProtocolEnum = enumOf('IncomingProtocol', schema.incomingProtocolEnum, {
  description: 'Protocol used to receive mail from an external mailbox.',
  values: {
    IMAP: { description: 'Recommended: new mail arrives within a second (IMAP IDLE) and the mailbox stays usable from other devices.' },
    POP3: { description: 'Polled on an interval; use only when the provider offers no IMAP.' },
  },
});

export const EncryptionEnum = enumOf('Encryption', schema.encryptionEnum, {
  description: 'How the connection to a mail server is encrypted.',
  values: {
    SSL_TLS: { description: 'TLS from the first byte (implicit TLS; ports 993, 995, 465).' },
    STARTTLS: { description: 'Starts in plain text and upgrades with STARTTLS (ports 143, 110, 587).' },
    NONE: { description: 'No encryption. Passwords cross the network readable; avoid outside test setups.' },
  },
});

export const SmtpAuthMechanismEnum = enumOf('SmtpAuthMechanism', schema.smtpAuthMechanismEnum, {
  description: 'SMTP authentication mechanism.',
  values: {
    PLAIN: { description: 'AUTH PLAIN (the usual choice, over TLS).' },
    LOGIN: { description: 'AUTH LOGIN (older servers).' },
    CRAM_MD5: { description: 'AUTH CRAM-MD5 (challenge-response; password never sent).' },
    XOAUTH2: { description: 'OAuth 2.0 access token (Gmail, Microsoft 365).' },
  },
});

export const NewTicketPolicyEnum = enumOf('NewTicketPolicy', schema.newTicketPolicyEnum, {
  description: 'Which incoming mails may open a new ticket (A4).',
  values: {
    ANY_SENDER: { description: 'Any sender.' },
    REGISTERED_CLIENTS: { description: 'Only senders registered as clients.' },
    CLIENTS_OR_DOMAIN_RULES: { description: 'Registered clients, or senders whose domain has an association rule.' },
    NEVER: { description: 'Never open tickets from mail; replies to existing tickets still land.' },
  },
});

export const SameSubjectPolicyEnum = enumOf('SameSubjectPolicy', schema.sameSubjectPolicyEnum, {
  description: 'What to do with a mail whose subject matches an existing ticket but is not a reply to it (A4).',
  values: {
    ASSOCIATE_ANY_SENDER: { description: 'Add it to the ticket even if the sender is neither its client nor a CC.' },
    ASSOCIATE_IF_CLIENT_OR_CC: { description: 'Add it to the ticket only if the sender is its client or a CC.' },
    NEW_TICKET: { description: 'Never associate by subject; open a new ticket.' },
  },
});

export const ImportExistingEnum = enumOf('ImportExisting', schema.importExistingEnum, {
  description: 'What mail already in the mailbox is imported when an account is first connected. Old mail never notifies customers.',
  values: {
    NONE: { description: 'Only mail that arrives from now on.' },
    LAST_DAYS: { description: 'Mail of the last `importExistingDays` days, then everything new.' },
    ALL: { description: 'Everything in the folder.' },
  },
});

export const ConnectionStateEnum = enumOf('ConnectionState', schema.connectionStateEnum, {
  description: 'Health of one direction (incoming or outgoing) of an account (A10).',
  values: {
    UNKNOWN: { description: 'Not checked yet.' },
    CHECKING: { description: 'A check is running; the result follows on `accountStatusChanged`.' },
    OK: { description: 'The last check or sync succeeded.' },
    INTERMITTENT: {
      description: 'Transient trouble (timeout, throttling, temporary block, 4xx) that began less than 30 minutes ago or cleared in the last 30 minutes.',
    },
    ERROR: { description: 'A problem that cannot clear by itself (wrong password, TLS mismatch, unknown host) or a transient one lasting 30 minutes or more.' },
    DISABLED: { description: 'The account is inactive, or this direction is switched off or not configured.' },
    NOT_CONFIGURED: { description: 'Cannot work until the server is configured (a built-in address sends through SMTP_RELAY_URL, which is not set); `code` and `hint` say what to set. Not a failure of the mailbox.' },
  },
});

export const DirectionEnum = enumOf('Direction', schema.directionEnum, {
  description: 'Receiving or sending side of an account.',
  values: {
    INCOMING: { description: 'Receiving (IMAP, POP3 or the built-in SMTP receiver).' },
    OUTGOING: { description: 'Sending (SMTP).' },
  },
});

export const TicketStatusEnum = enumOf('TicketStatus', schema.ticketStatusEnum, {
  description: 'Where a ticket is in its life (W4).',
  values: {
    NEW: { description: 'Opened, nobody has acted yet.' },
    OPEN: { description: 'Being worked on.' },
    PENDING: { description: 'Waiting for the customer.' },
    RESOLVED: { description: 'Solved; a customer reply reopens it.' },
    CLOSED: { description: 'Finished for good.' },
  },
});

export const TicketHistoryKindEnum = enumOf('TicketHistoryKind', schema.ticketHistoryKindEnum, {
  description: 'What a ticket history entry records (issue 16).',
  values: {
    STATUS: { description: 'The status changed; `before` and `after` are TicketStatus values.' },
    GROUP: { description: 'The group changed; `before` and `after` are the groups’ names then (null: none).' },
    TYPE: { description: 'The type changed; `before` and `after` are the types’ names then (null: none).' },
    ASSIGNEE: { description: 'The assignee changed; `before` and `after` are the agents’ names then (null: nobody).' },
    MERGED_INTO: { description: 'This ticket was merged into `relatedTicket` and closed.' },
    MERGED_FROM: { description: '`relatedTicket` was merged into this ticket.' },
    SPLIT_TO: { description: 'Some of this ticket’s messages were moved to a new ticket, `relatedTicket`.' },
    SPLIT_FROM: { description: 'This ticket was split from `relatedTicket`.' },
    FORWARDED: { description: 'An action was forwarded to outside addresses; `after` lists them.' },
  },
});

export const ActionKindEnum = enumOf('ActionKind', schema.actionKindEnum, {
  description: 'What kind of entry an action is in a ticket’s thread.',
  values: {
    EMAIL_IN: { description: 'An e-mail from the customer (or a CC).' },
    EMAIL_OUT: { description: 'An e-mail an agent sent.' },
    NOTE: { description: 'An internal note, never sent to the customer.' },
  },
});

export const DeliveryStateEnum = enumOf('DeliveryState', schema.deliveryStateEnum, {
  description: 'Delivery of an outgoing e-mail.',
  values: {
    QUEUED: { description: 'Waiting in the outbox (or being retried after a temporary failure).' },
    SENT: { description: 'Accepted by the outgoing server.' },
    FAILED: { description: 'Refused permanently, retries exhausted, or bounced; see `deliveryError`.' },
  },
});

export const RefusalReasonEnum = enumOf('RefusalReason', schema.refusalReasonEnum, {
  description: 'Why a received mail did not become a ticket or action.',
  values: {
    NEW_TICKET_POLICY: { description: 'The account’s new-ticket policy does not allow this sender.' },
    AUTO_REPLY: { description: 'An automatic message (out-of-office, auto-reply, bulk or list mail); never opens tickets (W5).' },
    BOUNCE: { description: 'A delivery report; if it is about a reply Correio sent, that reply is marked FAILED.' },
    OWN_MESSAGE: { description: 'A copy of a message Correio itself sent.' },
    RATE_LIMITED: { description: 'Too many messages from one sender in a short time.' },
    APPEND_DISABLED: { description: 'A reply to an existing ticket while appending replies is off.' },
    DUPLICATE: { description: 'The same message was already imported.' },
    DMARC_FAILED: { description: 'The sender failed DMARC and the account holds or refuses such mail (W9); a held one can be released.' },
  },
});

export const SenderVerdictEnum = enumOf('SenderVerdict', schema.senderVerdictEnum, {
  description: 'Whether an incoming e-mail is from who it claims to be (W9), from SPF, DKIM, DMARC and ARC.',
  values: {
    VERIFIED: { description: 'The sender’s domain vouches for the message (DMARC pass, or an aligned DKIM signature).' },
    NOT_VERIFIED: { description: 'Nothing proves or disproves the sender (no DMARC policy, no aligned signature, or a temporary error).' },
    FORGED: { description: 'DMARC failed for a domain that asks receivers to reject or quarantine such mail: the From address is very probably forged.' },
  },
});

export const DmarcFailPolicyEnum = enumOf('DmarcFailPolicy', schema.dmarcFailPolicyEnum, {
  description: 'What an account does with incoming mail whose DMARC check failed (A4, W9).',
  values: {
    FLAG: { description: 'Import it and mark it FORGED on the ticket (default).' },
    HOLD: { description: 'Keep it in the refused-mail list, where an admin can release it.' },
    REFUSE: { description: 'Do not import it; it is listed as refused mail.' },
  },
});

export const OAuthProviderEnum = enumOf('OAuthProvider', schema.oauthProviderEnum, {
  description: 'Mailbox providers Correio connects with OAuth 2.0 (issue 13).',
  values: {
    GOOGLE: { description: 'Google Workspace and Gmail (IMAP, POP3 and SMTP with the https://mail.google.com/ scope).' },
    MICROSOFT: { description: 'Microsoft 365 / Exchange Online (IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send).' },
  },
});
