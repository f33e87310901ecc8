import { graphql } from '#graphql/graphql.ts';
import { LocalizedTextFields } from '#graphql/localized-text.ts';
import { AccountStatusFields, ConnectionStatusFields } from './accounts.ts';

/** What the accounts screen calls when it opens or is refreshed (A10): every account goes CHECKING. */
export const RefreshAccountStatusesMutation = graphql(
  `
  mutation RefreshAccountStatuses { refreshAccountStatuses { id active status { ...AccountStatusFields } } }
`,
  [AccountStatusFields],
);

/** Status results stream in as each check finishes. */
export const AccountStatusUpdatesSubscription = graphql(
  `
  subscription AccountStatusUpdates($accountId: ID) {
    accountStatusChanged(accountId: $accountId) { id active status { ...AccountStatusFields } }
  }
`,
  [AccountStatusFields],
);

/** A status with each step of its last check, for the test result panels. */
export const CheckedStatusFields = graphql(
  `
  fragment CheckedStatusFields on AccountStatus {
    overall
    incoming { ...ConnectionStatusFields checks { phase ok ms detail code serverResponse transient hint detailText { ...LocalizedTextFields } hintText { ...LocalizedTextFields } } }
    outgoing { ...ConnectionStatusFields checks { phase ok ms detail code serverResponse transient hint detailText { ...LocalizedTextFields } hintText { ...LocalizedTextFields } } }
  }
`,
  [ConnectionStatusFields, LocalizedTextFields],
);

export const TestEmailAccountMutation = graphql(
  `
  mutation TestEmailAccount($id: ID!) { testEmailAccount(id: $id) { ...CheckedStatusFields } }
`,
  [CheckedStatusFields],
);

/** "Save and test" (A8): the settings as typed, before anything is stored. */
export const TestEmailSettingsMutation = graphql(
  `
  mutation TestEmailSettings($input: EmailAccountInput!, $accountId: ID) { testEmailSettings(input: $input, accountId: $accountId) { ...CheckedStatusFields } }
`,
  [CheckedStatusFields],
);

/** Recognizes the provider of an address (its own domain, or its MX records). */
export const DetectEmailProviderQuery = graphql(`
  query DetectEmailProvider($address: String!) {
    detectEmailProvider(address: $address) {
      domain source message mxHosts
      provider { id name authHint }
      incoming { protocol host port encryption }
      outgoing { protocol host port encryption }
    }
  }
`);
