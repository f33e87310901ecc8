import { describe, expect, it } from 'vitest';
import { fillTemplate, signatureFor, agentHtmlOf, type TemplateContext } from './template-variables.ts';

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

describe('signatures (rich text)', () => {
  it('keeps the formatting an agent chose, and reads it as text for the text part', () => {
    const signature = signatureFor('<p><strong>{{agente.nome}}</strong> — <em>{{conta.nome}}</em><br><a href="https://loja.example">loja.example</a></p>', null, context)!;
    expect(signature.html).toBe('<p><strong>Ana Atendente</strong> — <em>Suporte Loja</em><br /><a href="https://loja.example" target="_blank" rel="noopener noreferrer nofollow">loja.example</a></p>');
    expect(signature.text).toBe('Ana Atendente — Suporte Loja\nloja.example [https://loja.example]');
  });

  it('puts the agent’s own signature, itself filled in, where the account’s says {{agente.assinatura}}', () => {
    const signature = signatureFor('<p>{{agente.assinatura}}</p><p>Suporte {{conta.nome}}</p>', '<p><b>{{agent.name}}</b>, financeiro</p>', context)!;
    expect(signature.html).toBe('<p><b>Ana Atendente</b>, financeiro</p><p>Suporte Suporte Loja</p>');
    expect(signature.text).toBe('Ana Atendente, financeiro\n\nSuporte Suporte Loja');
  });

  it('escapes what customers and agents wrote in their names: a value never becomes markup', () => {
    const signature = signatureFor('<p>Para {{cliente.nome}}, de {{agente.nome}}</p>', null, {
      ...context,
      customer: { name: '<img src=x onerror=alert(1)>', email: 'x@y.example' },
      agent: { name: 'Ana & "Cia"', email: 'a@b.example' },
    })!;
    expect(signature.html).toBe('<p>Para &lt;img src=x onerror=alert(1)&gt;, de Ana &amp; &quot;Cia&quot;</p>');
    expect(signature.text).toBe('Para <img src=x onerror=alert(1)>, de Ana & "Cia"');
  });

  it('takes a signature without any tag as text, line by line, and sanitizes one with tags', () => {
    expect(agentHtmlOf('Ana <ana@loja.example>\nSuporte & cia')).toBe('<p>Ana &lt;ana@loja.example&gt;<br>\nSuporte &amp; cia</p>');
    expect(agentHtmlOf('<p onclick="x()">Ana</p><script>alert(1)</script><a href="javascript:x()">site</a>')).toBe('<p>Ana</p>site');
    expect(agentHtmlOf('  ')).toBeNull();
    expect(agentHtmlOf('<p><br></p><script>x</script>')).toBeNull();
    expect(signatureFor('<p> </p>', '', context)).toBeNull();
  });
});
