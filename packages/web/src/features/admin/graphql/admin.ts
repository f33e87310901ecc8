import { graphql } from '#graphql/graphql.ts';
import { LocalizedTextFields } from '#graphql/localized-text.ts';
import { SenderCheckFields } from '#features/tickets/graphql/tickets.ts';

// Groups and ticket types are both plain lists of names. The same aliases (`items`, `created`)
// give their documents one shape, so one view serves both (AdminNameListView).
export const GroupsQuery = graphql(`query Groups { items: groups { id name } }`);
export const CreateGroupMutation = graphql(`mutation CreateGroup($name: String!) { created: createGroup(name: $name) { id name } }`);

export const TicketTypesQuery = graphql(`query TicketTypes { items: ticketTypes { id name } }`);
export const CreateTicketTypeMutation = graphql(`mutation CreateTicketType($name: String!) { created: createTicketType(name: $name) { id name } }`);

export const NAME_LISTS = {
  groups: { query: GroupsQuery, create: CreateGroupMutation, typename: 'Group' },
  ticketTypes: { query: TicketTypesQuery, create: CreateTicketTypeMutation, typename: 'TicketType' },
} as const;
/** Also the i18n section of each list: `admin.groups`, `admin.ticketTypes`. */
export type NameList = keyof typeof NAME_LISTS;

export const ClientsQuery = graphql(`query Clients($search: String) { clients(search: $search) { id name email organization } }`);
export const CreateClientMutation = graphql(`mutation CreateClient($input: ClientInput!) { createClient(input: $input) { id name email organization } }`);

export const DomainRulesQuery = graphql(`query DomainRules { domainRules { id domain organization } }`);
export const CreateDomainRuleMutation = graphql(`
  mutation CreateDomainRule($domain: String!, $organization: String!) { createDomainRule(domain: $domain, organization: $organization) { id domain organization } }
`);

export const UsersQuery = graphql(`query Users { users { id name email role avatarUrl } }`);
export const CreateUserMutation = graphql(`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id name email role avatarUrl } }`);

export const FailedImportsQuery = graphql(
  `
  query FailedImports($includeResolved: Boolean) {
    failedImports(includeResolved: $includeResolved) {
      id at error size attempts resolvedAt rawUrl
      errorText { ...LocalizedTextFields }
      account { id name address }
    }
  }
`,
  [LocalizedTextFields],
);
export const RetryFailedImportMutation = graphql(`mutation RetryFailedImport($id: ID!) { retryFailedImport(id: $id) }`);

const RefusedMessageFields = graphql(
  `
  fragment RefusedMessageFields on RefusedMessage {
    id at reason detail from subject held releasedAt
    detailText { ...LocalizedTextFields }
    authenticationResults { ...SenderCheckFields }
    account { id name address }
  }
`,
  [SenderCheckFields, LocalizedTextFields],
);

export const RefusedMessagesQuery = graphql(
  `
  query RefusedMessages { refusedMessages { ...RefusedMessageFields } }
`,
  [RefusedMessageFields],
);
export const ReleaseHeldMessageMutation = graphql(
  `
  mutation ReleaseHeldMessage($id: ID!) { releaseHeldMessage(id: $id) { ...RefusedMessageFields } }
`,
  [RefusedMessageFields],
);
