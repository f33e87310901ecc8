// GraphQL selections shared by tests, so each test reads what a front end would.
export const ACCOUNT_FIELDS = `
  id name kind address active providerId sendSingleMessageToAllRecipients
  incoming { enabled protocol host port encryption username hasPassword folder markAsRead deleteAfterDays newTicketPolicy appendReplies sameSubjectPolicy }
  outgoing { host port encryption requiresAuth username hasPassword authMechanism useSeparateIdentity }
  brand { name url logoUrl }
  ticketType { id name } group { id name }
  status { overall incoming { state } outgoing { state } }
`;

export const CREATE_ACCOUNT = `mutation($input: EmailAccountInput!) { createEmailAccount(input: $input) { ${ACCOUNT_FIELDS} } }`;
export const UPDATE_ACCOUNT = `mutation($id: ID!, $input: EmailAccountInput!) { updateEmailAccount(id: $id, input: $input) { ${ACCOUNT_FIELDS} } }`;

export function externalAccountInput(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Support',
    kind: 'EXTERNAL',
    address: 'support@example.com',
    incoming: {
      enabled: true,
      protocol: 'IMAP',
      host: 'imap.example.com',
      encryption: 'SSL_TLS',
      username: 'support@example.com',
      password: 'imap-secret-1',
    },
    outgoing: { host: 'smtp.example.com', encryption: 'STARTTLS', requiresAuth: true, authMechanism: 'PLAIN' },
    ...overrides,
  };
}
