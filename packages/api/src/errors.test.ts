import { renderText, text } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, errorText, internalError, notFound } from './errors.ts';

describe('API errors have codes', () => {
  it('says what each error code says in both languages', () => {
    for (const code of Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>) {
      const error = new AppError(code);
      expect(error.extensions).toEqual({ code, text: { code: `api.${code}` } });
      expect(error.message).toBe(renderText(errorText(code), 'en'));
      expect(renderText(errorText(code), 'pt-BR')).not.toBe(error.message);
    }
    expect(new AppError('FORBIDDEN').message).toBe('Your role does not allow this. Ask an admin of the workspace.');
  });

  it('gives a specific message its own code and parameters, beside the extras', () => {
    const error = new AppError('RATE_LIMITED', text('api.RATE_LIMITED.login', { seconds: 30 }), { retryAfterSeconds: 30 });
    expect(error.message).toBe('Too many login attempts. Try again in 30 seconds.');
    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 30, text: { code: 'api.RATE_LIMITED.login', params: { seconds: 30 } } });
  });

  it('names what was not found', () => {
    const error = notFound('account');
    expect(error.message).toBe('E-mail account not found in this workspace.');
    expect(error.extensions['text']).toEqual({ code: 'api.NOT_FOUND.account' });
    expect(renderText(error.extensions['text'] as never, 'pt-BR')).toBe('Conta de e-mail não encontrada nesta base.');
  });

  it('says nothing of an unexpected error but that something went wrong', () => {
    expect(internalError(['ticket']).extensions).toEqual({ code: 'INTERNAL', text: { code: 'api.INTERNAL' } });
  });
});
