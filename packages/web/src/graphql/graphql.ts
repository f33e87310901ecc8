import { initGraphQLTada } from 'gql.tada';
import type { introspection } from '../graphql-env.d.ts';

/**
 * Typed GraphQL documents. The introspection comes from `packages/api/schema.graphql`
 * (`gql.tada generate-output`, run by the build, dev and typecheck scripts), and
 * `gql.tada check` validates every document against it: a schema change that breaks a
 * document fails `pnpm typecheck`.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; ID: string };
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';
