import { CombinedError } from '@urql/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorCode, fieldErrorCodes, fieldErrors, serverMessage } from '#graphql/errors.ts';
import { i18n } from '#i18n/index.ts';

// The app's locale is detected from the browser when '#i18n/index.ts' loads; Node 20 has no navigator.
vi.hoisted(() => {
  if (typeof globalThis.navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { languages: ['en'], language: 'en' }, configurable: true });
});

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

  describe('server texts', () => {
    afterEach(() => {
      i18n.global.locale.value = 'en';
    });
    const invalid = new CombinedError({
      graphQLErrors: [
        {
          message: 'Port must be between 1 and 65535.',
          extensions: {
            code: 'VALIDATION_FAILED',
            text: { code: 'validation.port.range' },
            fields: [
              { path: ['input', 'incoming', 'port'], message: 'Port must be between 1 and 65535.', text: { code: 'validation.port.range' } },
              { path: ['input', 'name'], message: 'Use at most 120 characters.', text: { code: 'validation.string.tooLong', params: { maximum: 120 } } },
              { path: ['input', 'incoming', 'password'], message: 'Type the password again…', code: 'SECRET_REQUIRED' },
            ],
          },
        },
      ],
    });

    it('words field errors and the error itself by code in the app’s locale, whatever language the server answered in', () => {
      i18n.global.locale.value = 'pt-BR';
      expect(fieldErrors(invalid)).toEqual({ 'incoming.port': 'A porta precisa estar entre 1 e 65535.', name: 'Use no máximo 120 caracteres.', 'incoming.password': 'Type the password again…' });
      expect(serverMessage(invalid)).toBe('A porta precisa estar entre 1 e 65535.');
      i18n.global.locale.value = 'en';
      expect(fieldErrors(invalid)['name']).toBe('Use at most 120 characters.');
      expect(fieldErrorCodes(invalid)).toEqual({ 'incoming.password': 'SECRET_REQUIRED' });
    });

    it('leaves out a message without a text (graphql-js’s English for developers); a field error keeps the server’s words', () => {
      i18n.global.locale.value = 'pt-BR';
      expect(serverMessage(gqlError({ code: 'BAD_USER_INPUT' }))).toBeUndefined();
      expect(fieldErrors(gqlError({ code: 'VALIDATION_FAILED', fields: [{ path: ['id'], message: 'Sem texto' }] }))).toEqual({ id: 'Sem texto' });
    });
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
