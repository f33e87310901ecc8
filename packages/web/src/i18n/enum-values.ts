// Runtime lists of schema enum values, read from the English catalogue, whose type requires one
// text per value the schema has (en.ts): a value the API adds appears in every list below as
// soon as it has its texts, and there is no second list to forget. The catalogue's order is the
// order the UI offers the values in.
import en from './en.ts';

const valuesOf = <K extends string>(texts: Record<K, unknown>) => Object.keys(texts) as K[];

export const ROLES = valuesOf(en.roles);
export const ACCOUNT_KINDS = valuesOf(en.accountForm.kind.choices);
export const INCOMING_PROTOCOLS = valuesOf(en.accountForm.incoming.protocolDescription);
export const ENCRYPTIONS = valuesOf(en.encryption);
export const SMTP_AUTH_MECHANISMS = valuesOf(en.mechanism);
export const NEW_TICKET_POLICIES = valuesOf(en.policy.newTicket);
export const SAME_SUBJECT_POLICIES = valuesOf(en.policy.sameSubject);
export const IMPORT_EXISTING = valuesOf(en.policy.importExisting);
export const DMARC_FAIL_POLICIES = valuesOf(en.policy.dmarcFail);
export const TICKET_STATUSES = valuesOf(en.ticketStatus);
export const CONNECTION_STATES = valuesOf(en.status.state);
export const OAUTH_PROVIDERS = valuesOf(en.oauth.provider);
/** The mail error codes the web app words itself (OAuth sign-ins, the missing relay); the server words the others. */
export const OAUTH_MAIL_ERROR_CODES = valuesOf(en.mailError);
