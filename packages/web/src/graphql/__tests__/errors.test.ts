import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { errorCode, fieldErrors } from '#graphql/errors.ts';

const gqlError = (extensions: Record<string, unknown>) => new CombinedError({ graphQLErrors: [{ message: 'x', extensions }] });

describe('API errors', () => {
  it('keys field errors by their path without the `input` argument', () => {
    const error = gqlError({
      code: 'VALIDATION_FAILED',
      fields: [
        { path: ['input', 'incoming', 'port'], message: 'Port must be between 1 and 65535.' },
        { path: ['name'], message: 'Give it a name.' },
      ],
    });
    expect(fieldErrors(error)).toEqual({ 'incoming.port': 'Port must be between 1 and 65535.', name: 'Give it a name.' });
  });

  it('switches on codes: unknown ones count as INTERNAL, no answer at all as NETWORK', () => {
    expect(errorCode(gqlError({ code: 'DUPLICATE_MAILBOX' }))).toBe('DUPLICATE_MAILBOX');
    expect(errorCode(gqlError({ code: 'SOMETHING_NEW' }))).toBe('INTERNAL');
    // Known means "in the schema's ErrorCode", read from the catalogue that has a text for each.
    expect(errorCode(gqlError({ code: 'GRAPHQL_VALIDATION_FAILED' }))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errorCode(new CombinedError({ networkError: new Error('offline') }))).toBe('NETWORK');
    expect(errorCode(null)).toBeNull();
  });
});
