import { createI18n } from 'vue-i18n';
import { describe, expect, it } from 'vitest';
import en from '../en.ts';
import ptBR from '../pt-BR.ts';

// Every message of both catalogues compiles: vue-i18n's syntax (an unescaped @ starts a linked
// message, | separates plural forms) fails at render time and blanks the whole screen, which a
// type check cannot see. Seen once with "smtp://user:password@host".

function leaves(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [];
}

describe.each([
  ['en', en],
  ['pt-BR', ptBR],
] as const)('the %s catalogue', (locale, messages) => {
  it('compiles every message', () => {
    const errors: string[] = [];
    const i18n = createI18n({ legacy: false, locale, messages: { [locale]: messages }, missingWarn: false, fallbackWarn: false, warnHtmlMessage: false });
    for (const [key] of leaves(messages)) {
      try {
        i18n.global.t(key, { name: 'x', count: 1, n: 1, domain: 'x', status: 'x', provider: 'x', identity: 'x' });
      } catch (err) {
        errors.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });
});
