import { describe, expect, it } from 'vitest';
import { requestLocale } from './locale.ts';

describe('the language of server texts, from Accept-Language', () => {
  it('is pt-BR when the client says nothing, anything or only languages Correio does not speak', () => {
    for (const header of [undefined, '', '*', 'de-DE, fr;q=0.8', 'pt-PT']) expect(requestLocale(header)).toBe('pt-BR');
  });

  it('follows the client’s first choice among the two, by quality', () => {
    expect(requestLocale('en-GB,en;q=0.9')).toBe('en');
    expect(requestLocale('fr, en;q=0.5')).toBe('en');
    expect(requestLocale('en;q=0.2, pt;q=0.8')).toBe('pt-BR');
    expect(requestLocale('pt-BR,pt;q=0.9,en-US;q=0.8')).toBe('pt-BR');
  });

  it('shrugs off hostile values instead of failing the request', () => {
    // An unreadable quality drops its range, as RFC 9110 readers do.
    expect(requestLocale('en;q=abc, ;;;, \u0000')).toBe('pt-BR');
    expect(requestLocale(';;;, en')).toBe('en');
    expect(requestLocale('x'.repeat(10_000))).toBe('pt-BR');
  });
});
