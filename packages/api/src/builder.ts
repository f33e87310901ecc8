import { text } from '@correio/texts';
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { AuthedContext, Context } from './context.ts';
import { AppError } from './errors.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { agent: boolean; admin: boolean };
  AuthContexts: { agent: AuthedContext; admin: AuthedContext };
  Scalars: { DateTime: { Input: Date; Output: Date } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are checked when they start, not on every event.
    authorizeOnSubscribe: true,
    // ADMIN is a superset of AGENT: admins triage tickets too.
    authScopes: (ctx) => ({ agent: ctx.viewer !== null, admin: ctx.viewer?.role === 'ADMIN' }),
    unauthorizedError: (_parent, ctx) => (ctx.viewer ? new AppError('FORBIDDEN') : new AppError('UNAUTHENTICATED')),
  },
});

builder.queryType({ description: 'Read access to the caller’s workspace.' });
builder.mutationType({ description: 'Changes to the caller’s workspace.' });
builder.subscriptionType({ description: 'Live updates over graphql-ws, scoped to the caller’s workspace.' });

builder.scalarType('DateTime', {
  description: 'An instant in time, serialized as an ISO 8601 string in UTC (e.g. `2026-11-21T10:00:00.000Z`).',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new AppError('VALIDATION_FAILED', text('api.VALIDATION_FAILED.dateTime'));
    return date;
  },
});
