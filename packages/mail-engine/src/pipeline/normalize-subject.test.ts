import { describe, expect, it } from 'vitest';
import { extractTicketNumber, formatTicketTag, normalizeSubject, subjectWithTag } from './normalize-subject.ts';

describe('normalizeSubject', () => {
  it.each([
    'Re: Problema no boleto',
    'RE: Problema no boleto',
    'RES: Problema no boleto',
    'Res: Problema no boleto',
    'Fwd: Problema no boleto',
    'FW: Problema no boleto',
    'Fw: Problema no boleto',
    'ENC: Problema no boleto',
    'Enc: Problema no boleto',
    'TR: Problema no boleto',
    'AW: Problema no boleto',
    'WG: Problema no boleto',
    'SV: Problema no boleto',
    'VS: Problema no boleto',
    'R: Problema no boleto',
    'RIF: Problema no boleto',
    'Antw: Problema no boleto',
    'Ynt: Problema no boleto',
    '回复: Problema no boleto',
    '回复：Problema no boleto',
    'Re[2]: Problema no boleto',
    'Re(3): Problema no boleto',
    'RE : Problema no boleto',
    'Re: RES: Fwd: ENC: re: Problema no boleto',
    'Re: [#42] Problema no boleto',
    'Problema no boleto [#42]',
    'Problema [# 42 ] no boleto',
    '[EXTERNAL] Re: Problema no boleto',
    'Re: [Externo] RES: [EXTERNAL] Problema no boleto',
    '  Re:   Problema\tno\u00a0 BOLETO!!  ',
    '-- Problema no boleto ...',
  ])('%j → "problema no boleto"', (subject) => {
    expect(normalizeSubject(subject)).toBe('problema no boleto');
  });

  it('keeps bracketed content that is not a gateway tag, and brackets after the start', () => {
    expect(normalizeSubject('[Pedido 123] Atraso na entrega')).toBe('[pedido 123] atraso na entrega');
    expect(normalizeSubject('[1/2] Fotos do produto')).toBe('[1/2] fotos do produto');
    expect(normalizeSubject('Atraso [EXTERNAL] na entrega')).toBe('atraso [external] na entrega');
  });

  it('does not take words that merely start like a prefix for one', () => {
    expect(normalizeSubject('Reembolso: pedido 55')).toBe('reembolso: pedido 55');
    expect(normalizeSubject('Rua: endereço errado')).toBe('rua: endereço errado');
    expect(normalizeSubject('Order #123 (urgente)')).toBe('order #123 (urgente)');
  });

  it('stays short enough to be an index key, and cuts a long subject the same way every time', () => {
    const long = `Re: pedido 1 ${'😀 pedido '.repeat(200)}`;
    const once = normalizeSubject(long);
    expect(once.length).toBeLessThanOrEqual(500);
    expect(once).toBe(normalizeSubject(`Fwd: ${long.slice(4)}`));
    // An emoji is never cut in half (a lone surrogate would reach the database as U+FFFD).
    expect(/[\uD800-\uDBFF]$/.test(once)).toBe(false);
  });

  it('gives composed and decomposed accents the same result', () => {
    expect(normalizeSubject('Cotação')).toBe(normalizeSubject('Cota\u0063\u0327a\u0303o'));
  });

  it('lower-cases accented capitals', () => {
    expect(normalizeSubject('FATURA INVÁLIDA')).toBe('fatura inválida');
  });

  it('returns an empty string for a subject that is only prefixes and tags', () => {
    expect(normalizeSubject('Re: Fwd: [#7]')).toBe('');
    expect(normalizeSubject('')).toBe('');
  });
});

describe('extractTicketNumber', () => {
  it.each([
    ['Re: Problema no boleto [#42]', 42],
    ['[#42] Problema', 42],
    ['Problema [# 42]', 42],
    ['Problema [ #42 ]', 42],
    ['Problema [#0042]', 42],
    ['Fwd: [#42] resposta sobre [#99]', 42],
  ])('%j → %i', (subject, expected) => {
    expect(extractTicketNumber(subject)).toBe(expected);
  });

  it.each(['Order #123', 'Pedido #123 atrasado', '#123', '[123]', '[Ticket 123]', '[#]', '[#0]', '[#abc]', 'Problema [#99999999999999999]'])(
    '%j has no ticket tag',
    (subject) => {
      expect(extractTicketNumber(subject)).toBeNull();
    },
  );
});

describe('formatTicketTag and subjectWithTag', () => {
  it('formats the tag', () => {
    expect(formatTicketTag(123)).toBe('[#123]');
  });

  it.each([
    ['Problema no boleto', 'Re: Problema no boleto [#42]'],
    ['RE: Res: Problema no boleto', 'Re: Problema no boleto [#42]'],
    ['Re: [#42] Problema no boleto', 'Re: Problema no boleto [#42]'],
    ['Re: Problema no boleto [#42]', 'Re: Problema no boleto [#42]'],
    ['ENC: Nota fiscal', 'Re: Nota fiscal [#42]'],
    ['Re: [EXTERNAL] Problema', 'Re: [EXTERNAL] Problema [#42]'],
    ['  Problema   no\tboleto ', 'Re: Problema no boleto [#42]'],
    ['', 'Re: [#42]'],
  ])('%j → %j', (subject, expected) => {
    expect(subjectWithTag(subject, 42)).toBe(expected);
  });

  it('starts a conversation without "Re:" (the first message of a ticket an agent opens)', () => {
    expect(subjectWithTag('Sua fatura de dezembro', 42, { reply: false })).toBe('Sua fatura de dezembro [#42]');
    expect(subjectWithTag('Re: [#7] Garantia', 42, { reply: false })).toBe('Garantia [#42]');
  });

  it("replaces another ticket's tag so replies come back to this ticket", () => {
    const subject = subjectWithTag('Fwd: Re: Garantia [#7]', 42);
    expect(subject).toBe('Re: Garantia [#42]');
    expect(extractTicketNumber(subject)).toBe(42);
  });

  it('is stable when applied to its own output', () => {
    const once = subjectWithTag('Problema no boleto', 42);
    expect(subjectWithTag(once, 42)).toBe(once);
    expect(normalizeSubject(once)).toBe('problema no boleto');
  });
});
