import { graphql } from '#graphql/graphql.ts';
import { LocalizedTextFields } from '#graphql/localized-text.ts';

export const ConnectionStatusFields = graphql(
  `
  fragment ConnectionStatusFields on ConnectionStatus {
    state checkedAt since message code hint
    messageText { ...LocalizedTextFields }
    hintText { ...LocalizedTextFields }
  }
`,
  [LocalizedTextFields],
);

export const AccountStatusFields = graphql(
  `
  fragment AccountStatusFields on AccountStatus {
    overall
    incoming { ...ConnectionStatusFields }
    outgoing { ...ConnectionStatusFields }
  }
`,
  [ConnectionStatusFields],
);

export const AccountRowFields = graphql(
  `
  fragment AccountRowFields on EmailAccount {
    id name kind address active providerId createdAt
    incoming { protocol host }
    outgoing { host }
    receiving { enabled }
    group { id name }
    ticketType { id name }
    status { ...AccountStatusFields }
    oauth { provider identity needsReconnect }
  }
`,
  [AccountStatusFields],
);

export const EmailAccountsQuery = graphql(
  `
  query EmailAccounts { emailAccounts { ...AccountRowFields } }
`,
  [AccountRowFields],
);

export const AccountFormFields = graphql(`
  fragment AccountFormFields on EmailAccount {
    id name kind address active providerId sendSingleMessageToAllRecipients signature
    acknowledgement { enabled subject text }
    incoming {
      enabled protocol host port encryption username hasPassword folder markAsRead deleteAfterDays
      newTicketPolicy appendReplies sameSubjectPolicy importExisting importExistingDays trustedAuthservId
    }
    receiving { enabled newTicketPolicy appendReplies sameSubjectPolicy dmarcFailPolicy }
    outgoing { host port encryption requiresAuth username hasPassword authMechanism useSeparateIdentity }
    brand { name url logoUrl }
    ticketType { id }
    group { id }
    oauth { provider identity needsReconnect failure }
  }
`);

export const EmailAccountFormQuery = graphql(
  `
  query EmailAccountForm($id: ID!) { emailAccount(id: $id) { ...AccountFormFields } }
`,
  [AccountFormFields],
);

export const AccountFormOptionsQuery = graphql(
  `
  query AccountFormOptions {
    emailProviders {
      id name domains authHint
      authHintText { ...LocalizedTextFields }
      incoming { protocol host port encryption }
      outgoing { protocol host port encryption }
    }
    groups { id name }
    ticketTypes { id name }
    workspace { id slug builtinDomain }
    oauthProviders { provider configured missingSettings incomingHost incomingPort outgoingHost outgoingPort }
  }
`,
  [LocalizedTextFields],
);

export const CreateEmailAccountMutation = graphql(
  `
  mutation CreateEmailAccount($input: EmailAccountInput!) { createEmailAccount(input: $input) { ...AccountRowFields } }
`,
  [AccountRowFields],
);

export const UpdateEmailAccountMutation = graphql(
  `
  mutation UpdateEmailAccount($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { ...AccountRowFields } }
`,
  [AccountRowFields],
);

export const DeleteEmailAccountMutation = graphql(`
  mutation DeleteEmailAccount($id: ID!) { deleteEmailAccount(id: $id) }
`);

export const SetEmailAccountActiveMutation = graphql(
  `
  mutation SetEmailAccountActive($id: ID!, $active: Boolean!) { setEmailAccountActive(id: $id, active: $active) { ...AccountRowFields } }
`,
  [AccountRowFields],
);

export const AccountLastErrorsQuery = graphql(
  `
  query AccountLastErrors($id: ID!) {
    emailAccount(id: $id) {
      id name address
      lastErrors(first: 20) {
        at direction phase code message serverResponse transient hint
        messageText { ...LocalizedTextFields }
        hintText { ...LocalizedTextFields }
      }
    }
  }
`,
  [LocalizedTextFields],
);
