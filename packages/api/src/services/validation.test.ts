import { renderText, type ServerText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppError, FieldError } from '../errors.ts';
import { accountInputSchema, connectionColumns, type StoredSecrets } from './account-input.ts';
import { parseInput } from './validation.ts';
import { signUpSchema } from './workspace-service.ts';

const account = {
  name: 'Suporte',
  kind: 'EXTERNAL',
  address: 'suporte@example.com',
  incoming: { enabled: true, protocol: 'IMAP', host: 'imap.example.com', port: 993, encryption: 'SSL_TLS', username: 'suporte@example.com', password: 'x' },
};

/** The field errors `parseInput` throws for this value. */
function fieldsOf(schema: z.ZodType, value: unknown): FieldError[] {
  try {
    parseInput(schema, value, 'input');
  } catch (err) {
    return (err as AppError).extensions['fields'] as FieldError[];
  }
  throw new Error('the value passed validation');
}

const only = (fields: FieldError[]) => {
  expect(fields).toHaveLength(1);
  return fields[0]!;
};

describe('validation messages have codes', () => {
  it('gives a schema’s own message its code, and keeps its English wording as the message', () => {
    const field = only(fieldsOf(accountInputSchema, { ...account, incoming: { ...account.incoming, port: 70000 } }));
    expect(field).toEqual({ path: ['input', 'incoming', 'port'], message: 'Port must be between 1 and 65535.', text: { code: 'validation.port.range' } });
    expect(renderText(field.text!, 'pt-BR')).toBe('A porta precisa estar entre 1 e 65535.');
  });

  it('words custom issues of a refinement by code', () => {
    const field = only(fieldsOf(accountInputSchema, { ...account, incoming: { ...account.incoming, host: 'imaps://imap.example.com:993' } }));
    expect(field.text).toEqual({ code: 'validation.host' });
    expect(field.message).toBe('Enter a host name such as imap.example.com (no protocol, port or path).');
  });

  it('turns zod’s own checks into generic codes with the limit as a parameter, never zod’s English', () => {
    const tooLong = only(fieldsOf(accountInputSchema, { ...account, name: 'x'.repeat(121) }));
    expect(tooLong).toMatchObject({ path: ['input', 'name'], message: 'Use at most 120 characters.', text: { code: 'validation.string.tooLong', params: { maximum: 120 } } });
    expect(renderText(tooLong.text!, 'pt-BR')).toBe('Use no máximo 120 caracteres.');

    const short = only(fieldsOf(signUpSchema, { workspaceName: 'Acme', workspaceSlug: 'acme', name: 'Ana', email: 'ana@example.com', password: 'curta' }));
    expect(short).toMatchObject({ path: ['input', 'password'], message: 'Use at least 10 characters.', text: { code: 'validation.string.tooShort', params: { minimum: 10 } } });

    const days = only(fieldsOf(accountInputSchema, { ...account, incoming: { ...account.incoming, importExisting: 'LAST_DAYS', importExistingDays: 5000 } }));
    expect(days).toMatchObject({ message: 'Enter 3650 or less.', text: { code: 'validation.number.tooBig', params: { maximum: 3650 } } });
  });

  it('covers the other kinds of zod issues', () => {
    const schema = z.object({ kind: z.enum(['IMAP', 'POP3']), count: z.number().int(), above: z.number().positive(), id: z.string().uuid(), site: z.url(), odd: z.string().refine((v) => v === 'odd'), tags: z.array(z.string()).max(2) }).strict();
    const fields = fieldsOf(schema, { kind: 'SMTP', count: 1.5, above: 0, id: 'nope', site: 'nope', odd: 'even', tags: ['a', 'b', 'c'], extra: true });
    const texts = Object.fromEntries(fields.map((f) => [f.path.slice(1).join('.') || '(object)', f.text]));
    expect(texts).toEqual({
      kind: { code: 'validation.oneOf', params: { values: 'IMAP, POP3' } },
      count: { code: 'validation.number.whole' },
      above: { code: 'validation.number.notAbove', params: { minimum: 0 } },
      id: { code: 'validation.format.id' },
      site: { code: 'validation.format.url' },
      odd: { code: 'validation.invalid' },
      tags: { code: 'validation.list.tooLong', params: { maximum: 2 } },
      '(object)': { code: 'validation.unknownFields', params: { keys: 'extra' } },
    });
    expect(only(fieldsOf(z.object({ name: z.string() }), {})).text).toEqual({ code: 'validation.required' });
    expect(only(fieldsOf(z.object({ name: z.string() }), { name: 5 })).text).toEqual({ code: 'validation.type', params: { expected: 'string' } });
  });

  it('fills a schema’s own message from the issue’s limit', () => {
    const schema = z.object({ files: z.array(z.string()).max(20, 'validation.reply.tooManyAttachments') });
    expect(only(fieldsOf(schema, { files: Array.from({ length: 21 }, () => 'f') }))).toMatchObject({ message: 'Attach at most 20 files.', text: { code: 'validation.reply.tooManyAttachments', params: { maximum: 20 } } });
  });

  it('says what the first field says, without the developer’s path, and keeps the text in extensions', () => {
    try {
      parseInput(accountInputSchema, { ...account, address: 'not an address' }, 'input');
      expect.unreachable();
    } catch (err) {
      const error = err as AppError;
      expect(error.message).toBe('Enter a valid e-mail address.');
      expect(error.extensions).toMatchObject({ code: 'VALIDATION_FAILED', text: { code: 'validation.email' } });
    }
  });
});

describe('SECRET_REQUIRED', () => {
  const stored: StoredSecrets = {
    incomingProtocol: 'IMAP',
    incomingHost: 'imap.example.com',
    incomingPort: 993,
    incomingUsername: 'suporte@example.com',
    outgoingHost: null,
    outgoingPort: null,
    outgoingUsername: null,
    outgoingRequiresAuth: false,
    outgoingAuthMechanism: null,
    outgoingUseSeparateIdentity: false,
    incomingPasswordSealed: 'sealed',
    outgoingPasswordSealed: null,
    outgoingAccessTokenSealed: null,
  };
  const incoming = (host: string, port: number) => ({ ...account.incoming, host, port, password: null }) as never;

  function refusal(host: string, port: number): { error: AppError; field: FieldError } {
    try {
      connectionColumns(incoming(host, port), null, () => 'sealed', stored);
    } catch (err) {
      const error = err as AppError;
      return { error, field: (error.extensions['fields'] as FieldError[])[0]! };
    }
    throw new Error('the password was kept');
  }

  it('names the server a password was saved for when it goes elsewhere', () => {
    const { error, field } = refusal('imap.other.example', 993);
    const expected: ServerText = { code: 'api.SECRET_REQUIRED.password.moved', params: { savedFor: 'imap.example.com:993 (suporte@example.com)' } };
    expect(field).toEqual({ path: ['input', 'incoming', 'password'], code: 'SECRET_REQUIRED', text: expected, message: 'Type the password again: it was saved for imap.example.com:993 (suporte@example.com), and a saved password is only ever sent to the server it was saved for.' });
    expect(error.extensions).toMatchObject({ code: 'SECRET_REQUIRED', text: expected });
    expect(renderText(expected, 'pt-BR')).toBe('Digite a senha novamente: ela foi salva para imap.example.com:993 (suporte@example.com), e uma senha salva só é enviada ao servidor para o qual foi salva.');
  });

  it('says the settings changed when the server is the same', () => {
    const changed = { ...stored, incomingProtocol: 'POP3' };
    try {
      connectionColumns(incoming('imap.example.com', 993), null, () => 'sealed', changed);
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).extensions['text']).toEqual({ code: 'api.SECRET_REQUIRED.password.changed' });
    }
  });
});
