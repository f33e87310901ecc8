import { graphql } from '#graphql/graphql.ts';

export const SessionUserFields = graphql(`
  fragment SessionUserFields on User { id name email role avatarUrl }
`);

export const MeQuery = graphql(
  `
  query Me {
    me { ...SessionUserFields }
    workspace { id name slug builtinDomain }
  }
`,
  [SessionUserFields],
);

export const LoginMutation = graphql(
  `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { token user { ...SessionUserFields } }
  }
`,
  [SessionUserFields],
);

export const SignUpMutation = graphql(
  `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { ...SessionUserFields } }
  }
`,
  [SessionUserFields],
);
