import { graphql } from '#graphql/graphql.ts';

/** A server text as code + parameters (issue 14): the web app words it itself, in its own locale, with `useServerText`. */
export const LocalizedTextFields = graphql(`
  fragment LocalizedTextFields on LocalizedText { code params { name value } detail }
`);
