import { graphql } from '#graphql/graphql.ts';

export const GroupsQuery = graphql(`query Groups { groups { id name } }`);
export const CreateGroupMutation = graphql(`mutation CreateGroup($name: String!) { createGroup(name: $name) { id name } }`);

export const TicketTypesQuery = graphql(`query TicketTypes { ticketTypes { id name } }`);
export const CreateTicketTypeMutation = graphql(`mutation CreateTicketType($name: String!) { createTicketType(name: $name) { id name } }`);

export const ClientsQuery = graphql(`query Clients($search: String) { clients(search: $search) { id name email organization } }`);
export const CreateClientMutation = graphql(`mutation CreateClient($input: ClientInput!) { createClient(input: $input) { id name email organization } }`);

export const DomainRulesQuery = graphql(`query DomainRules { domainRules { id domain organization } }`);
export const CreateDomainRuleMutation = graphql(`
  mutation CreateDomainRule($domain: String!, $organization: String!) { createDomainRule(domain: $domain, organization: $organization) { id domain organization } }
`);

export const UsersQuery = graphql(`query Users { users { id name email role avatarUrl } }`);
export const CreateUserMutation = graphql(`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id name email role avatarUrl } }`);

export const FailedImportsQuery = graphql(`
  query FailedImports($includeResolved: Boolean) {
    failedImports(includeResolved: $includeResolved) {
      id at error size attempts resolvedAt rawUrl
      account { id name address }
    }
  }
`);
export const RetryFailedImportMutation = graphql(`mutation RetryFailedImport($id: ID!) { retryFailedImport(id: $id) }`);

export const RefusedMessagesQuery = graphql(`
  query RefusedMessages {
    refusedMessages { id at reason detail from subject account { id name address } }
  }
`);
