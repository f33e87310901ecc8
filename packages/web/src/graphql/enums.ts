// The schema's enums as TypeScript types, read from the generated introspection
// (`graphql-env.d.ts`, from packages/api/schema.graphql) through gql.tada's `graphql.scalar`:
// no value list is written in the web app. Runtime lists (a select's options, which error codes
// have a text) come from the i18n catalogue, whose type requires a text for every value here.
import type { introspection_types } from '../graphql-env.d.ts';
import type { graphql } from './graphql.ts';

type EnumName = { [K in keyof introspection_types]: introspection_types[K] extends { enumValues: string } ? K : never }[keyof introspection_types];

/** The values of one schema enum: `SchemaEnum<'TicketStatus'>` is `'NEW' | 'OPEN' | …`. */
export type SchemaEnum<Name extends EnumName> = ReturnType<typeof graphql.scalar<Name>>;

export type AccountKind = SchemaEnum<'AccountKind'>;
export type ActionKind = SchemaEnum<'ActionKind'>;
export type ConnectionState = SchemaEnum<'ConnectionState'>;
export type DeliveryState = SchemaEnum<'DeliveryState'>;
export type Direction = SchemaEnum<'Direction'>;
export type DmarcFailPolicy = SchemaEnum<'DmarcFailPolicy'>;
export type Encryption = SchemaEnum<'Encryption'>;
/** Every `extensions.code` a GraphQL error can carry. */
export type ErrorCode = SchemaEnum<'ErrorCode'>;
export type ImportExisting = SchemaEnum<'ImportExisting'>;
export type IncomingProtocol = SchemaEnum<'IncomingProtocol'>;
/** Every code a connection check, a sync or a send can report. */
export type MailErrorCode = SchemaEnum<'MailErrorCode'>;
export type OAuthProvider = SchemaEnum<'OAuthProvider'>;
export type NewTicketPolicy = SchemaEnum<'NewTicketPolicy'>;
export type RefusalReason = SchemaEnum<'RefusalReason'>;
export type Role = SchemaEnum<'Role'>;
export type SameSubjectPolicy = SchemaEnum<'SameSubjectPolicy'>;
export type SearchMatch = SchemaEnum<'SearchMatch'>;
export type SenderVerdict = SchemaEnum<'SenderVerdict'>;
export type SenderVerdictReason = SchemaEnum<'SenderVerdictReason'>;
export type SmtpAuthMechanism = SchemaEnum<'SmtpAuthMechanism'>;
export type TicketHistoryKind = SchemaEnum<'TicketHistoryKind'>;
export type TicketStatus = SchemaEnum<'TicketStatus'>;
