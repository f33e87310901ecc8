import { describe, expect, it } from 'vitest';
import { fillTemplate, type TemplateContext } from './template-variables.ts';

const context: TemplateContext = {
  customer: { name: 'Joana Lima', email: 'joana@cliente.example' },
  ticket: { number: 4521, subject: 'Boleto vencido' },
  agent: { name: 'Ana Atendente', email: 'ana@loja.example' },
  account: { name: 'Suporte Loja' },
};

describe('fillTemplate', () => {
  it('fills Portuguese names and their English aliases, spaced or not, in any case', () => {
    expect(fillTemplate('Olá {{cliente.nome}}, sobre o #{{ ticket.numero }} ({{Ticket.Assunto}}) — {{agent.name}}, {{conta.nome}}', context)).toBe(
      'Olá Joana Lima, sobre o #4521 (Boleto vencido) — Ana Atendente, Suporte Loja',
    );
    expect(fillTemplate('{{customer.email}} {{agente.email}} {{account.name}}', context)).toBe('joana@cliente.example ana@loja.example Suporte Loja');
  });

  it('uses the address when the customer has no name, and nothing for a ticket without account', () => {
    expect(fillTemplate('Olá {{cliente.nome}}!{{conta.nome}}', { ...context, customer: { name: null, email: 'x@y.example' }, account: null })).toBe('Olá x@y.example!');
  });

  it('leaves unknown variables as written, and never expands a value that looks like one', () => {
    expect(fillTemplate('{{cliente.cpf}} {{agente}} {{ticket.numero', context)).toBe('{{cliente.cpf}} {{agente}} {{ticket.numero');
    const hostile = { ...context, customer: { name: '{{agente.email}}', email: 'x@y.example' }, ticket: { number: 1, subject: '$& $1 {{conta.nome}}' } };
    expect(fillTemplate('{{cliente.nome}} / {{ticket.assunto}}', hostile)).toBe('{{agente.email}} / $& $1 {{conta.nome}}');
  });
});
