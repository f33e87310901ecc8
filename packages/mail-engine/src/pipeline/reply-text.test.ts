import { describe, expect, it } from 'vitest';
import { extractReplyText } from './reply-text.ts';

const lines = (...text: string[]) => text.join('\n');

describe('extractReplyText: attributions', () => {
  it('cuts at a Gmail pt-BR attribution wrapped over two lines', () => {
    const mail = lines(
      'Bom dia,',
      '',
      'O boleto chegou com o valor errado, podem corrigir?',
      '',
      'Em seg., 3 de nov. de 2026 às 10:00, Suporte Acme <',
      'suporte@acme.com.br> escreveu:',
      '',
      '> Olá Maria,',
      '> segue o boleto de novembro.',
      '>',
      '> Atenciosamente,',
      '> Equipe Acme',
    );
    expect(extractReplyText(mail)).toEqual({ visible: 'Bom dia,\n\nO boleto chegou com o valor errado, podem corrigir?', quoted: true });
  });

  it('cuts at a Gmail pt-BR attribution wrapped over three lines, with unprefixed history below', () => {
    const mail = lines(
      'Pode ser amanhã às 14h.',
      '',
      'Em qui., 5 de nov. de 2026 às 09:12, Fulano de Tal da Silva Sauro',
      '<fulano.de.tal@cliente-exemplo.com.br>',
      'escreveu:',
      'Qual o melhor horário para a visita técnica?',
    );
    expect(extractReplyText(mail)).toEqual({ visible: 'Pode ser amanhã às 14h.', quoted: true });
  });

  it('cuts at an English Gmail attribution, wrapped', () => {
    const mail = lines(
      'Thanks, that fixed it.',
      '',
      'On Mon, Nov 3, 2026 at 10:00 AM Acme Support <support@acme.com',
      '> wrote:',
      '',
      '> Please clear the cache and try again.',
    );
    expect(extractReplyText(mail)).toEqual({ visible: 'Thanks, that fixed it.', quoted: true });
  });

  it('cuts at an Apple Mail pt-BR attribution below the iPhone signature', () => {
    const mail = lines('Pode cancelar o pedido.', '', 'Enviado do meu iPhone', '', 'Em 3 de nov. de 2026, à(s) 10:00, Suporte <s@acme.com.br> escreveu:', '', '> Deseja cancelar?');
    expect(extractReplyText(mail)).toEqual({ visible: 'Pode cancelar o pedido.', quoted: true });
  });

  it('keeps prose that merely looks like an attribution', () => {
    const mail = lines('Oi,', '', 'Em anexo o que o técnico escreveu:', '"vai chegar amanhã"', 'mas não chegou.', '', 'Maria');
    expect(extractReplyText(mail)).toEqual({ visible: mail, quoted: false });
  });
});

describe('extractReplyText: Outlook header blocks', () => {
  it('cuts at a pt-BR block under a rule of underscores, with CRLF line ends', () => {
    const mail = [
      'Perfeito, obrigado.',
      '',
      'Maria Souza',
      'Financeiro - Cliente Exemplo Ltda.',
      '',
      '________________________________',
      'De: Suporte Acme <suporte@acme.com.br>',
      'Enviado: segunda-feira, 3 de novembro de 2026 10:00',
      'Para: Maria Souza <maria@cliente.com.br>',
      'Assunto: Re: Boleto de novembro [#42]',
      '',
      'Olá Maria, segue o boleto.',
    ].join('\r\n');
    expect(extractReplyText(mail)).toEqual({ visible: 'Perfeito, obrigado.\n\nMaria Souza\nFinanceiro - Cliente Exemplo Ltda.', quoted: true });
  });

  it('cuts at a pt-BR block with "Enviada em", Cc and a wrapped recipient list', () => {
    const mail = lines(
      'Segue a nota em anexo.',
      '',
      'De: João Lima <joao@fornecedor.com.br>',
      'Enviada em: terça-feira, 4 de novembro de 2026 15:30',
      'Para: Compras <compras@cliente.com.br>; Fiscal <fiscal@cliente.com.br>; Maria',
      'Souza <maria@cliente.com.br>',
      'Cc: Suporte Acme <suporte@acme.com.br>',
      'Assunto: ENC: Nota fiscal 1234',
      '',
      'Pedido faturado.',
    );
    expect(extractReplyText(mail)).toEqual({ visible: 'Segue a nota em anexo.', quoted: true });
  });

  it('cuts at an English block without a rule', () => {
    const mail = lines('Approved.', '', 'From: Acme Support', 'Sent: Monday, November 3, 2026 10:00 AM', 'To: John Smith', 'Subject: RE: Quote #881', '', 'Please approve the quote.');
    expect(extractReplyText(mail)).toEqual({ visible: 'Approved.', quoted: true });
  });

  it('leaves lines with "De:" that are content, not a header block', () => {
    const mail = lines('Preciso de um frete:', '', 'De: São Paulo', 'Para: Rio de Janeiro', 'Data: 10/11', '', 'O preço De: R$ 100 Por: R$ 80 ainda vale?');
    expect(extractReplyText(mail)).toEqual({ visible: mail, quoted: false });
  });
});

describe('extractReplyText: separators and forwards', () => {
  it.each(['-----Mensagem original-----', '-----Original Message-----', '----- Mensagem original -----'])('cuts at %s', (separator) => {
    const mail = lines('Pode fechar o chamado.', '', separator, 'De: Suporte', 'Enviada em: 3/11/2026', 'Assunto: Chamado', '', 'Algo mais?');
    expect(extractReplyText(mail)).toEqual({ visible: 'Pode fechar o chamado.', quoted: true });
  });

  it('folds a forwarded message below new text', () => {
    const mail = lines(
      'Recebi isto do banco, podem verificar?',
      '',
      '---------- Mensagem encaminhada ---------',
      'De: Banco <avisos@banco.com.br>',
      'Date: seg., 3 de nov. de 2026 às 08:00',
      'Subject: Pagamento recusado',
      'To: <maria@cliente.com.br>',
      '',
      'Seu pagamento foi recusado.',
    );
    expect(extractReplyText(mail)).toEqual({ visible: 'Recebi isto do banco, podem verificar?', quoted: true });
  });

  it('keeps the whole forward when nothing was written above it: the forwarded mail is the content', () => {
    const mail = lines(
      '---------- Forwarded message ---------',
      'From: Bank <alerts@bank.example>',
      'Date: Mon, Nov 3, 2026 at 8:00 AM',
      'Subject: Payment declined',
      'To: <john@client.example>',
      '',
      'Your payment was declined.',
    );
    expect(extractReplyText(mail)).toEqual({ visible: mail, quoted: false });
  });

  it('keeps an Apple Mail forward with only the mobile signature above it', () => {
    const mail = lines('', 'Enviado do meu iPhone', '', 'Início da mensagem encaminhada:', '', '> De: Loja <loja@exemplo.com>', '> Assunto: Pedido enviado', '>', '> Seu pedido saiu para entrega.');
    expect(extractReplyText(mail)).toEqual({ visible: mail.trim(), quoted: false });
  });
});

describe('extractReplyText: quotes and signatures', () => {
  it('removes ">" quoted history without an attribution', () => {
    expect(extractReplyText(lines('Sim, pode enviar.', '', '> Podemos enviar amanhã?', '> Equipe Acme'))).toEqual({ visible: 'Sim, pode enviar.', quoted: true });
  });

  it('removes a "-- " signature', () => {
    expect(extractReplyText(lines('Obrigada!', '', '-- ', 'Maria Souza', 'Cliente Exemplo Ltda.', '(11) 5555-0000'))).toEqual({ visible: 'Obrigada!', quoted: true });
  });

  it.each([
    'Enviado do meu iPhone',
    'Enviado do meu Android',
    'Enviado de meu smartphone Samsung Galaxy.',
    'Obter o Outlook para Android<https://aka.ms/ghei36>',
    'Obter o Outlook para iOS',
    'Sent from my iPhone',
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
  ])('removes the mobile signature %j', (signature) => {
    expect(extractReplyText(lines('Ok, aguardo.', '', signature))).toEqual({ visible: 'Ok, aguardo.', quoted: true });
  });

  it('returns a message that is only a quote whole, as not quoted', () => {
    const mail = lines('> Podemos enviar amanhã?', '> Equipe Acme');
    expect(extractReplyText(`\n${mail}\n`)).toEqual({ visible: mail, quoted: false });
  });

  it('returns a plain message as it is', () => {
    const mail = lines('Olá,', '', 'Meu pedido 123 não chegou.', 'Podem verificar?', '', 'Maria');
    expect(extractReplyText(`${mail}\n\n`)).toEqual({ visible: mail, quoted: false });
  });

  it('handles an empty body and CRLF everywhere', () => {
    expect(extractReplyText('')).toEqual({ visible: '', quoted: false });
    expect(extractReplyText('Linha 1\r\nLinha 2\r\n\r\n> antiga\r\n').visible).toBe('Linha 1\nLinha 2');
  });
});

describe('extractReplyText: more clients and Spanish', () => {
  const cases: Array<[string, string]> = [
    ['Gmail es', 'Gracias, ya lo recibí.\n\nEl lun, 3 nov 2026 a las 10:00, Soporte Acme (<support@acme.example>) escribió:\n> Le enviamos la factura.\n'],
    ['Outlook es block', 'Perfecto.\n\nDe: Soporte Acme <support@acme.example>\nEnviado el: lunes, 3 de noviembre de 2026 10:00\nPara: Ana <ana@cliente.example>\nAsunto: Factura\n\nLe enviamos la factura.\n'],
    ['Outlook web one line', 'Obrigado!\n\nDe: Suporte Acme <support@acme.example> Enviado: segunda-feira, 3 de novembro de 2026 10:00 Para: Ana <ana@cliente.example> Assunto: Nota fiscal\n\nSegue a nota.\n'],
    ['Thunderbird pt-BR', 'Recebi, obrigado.\n\nEm 03/11/2026 10:00, Suporte Acme escreveu:\n> Segue a nota.\n'],
    ['Thunderbird en', 'Got it, thanks.\n\nOn 11/3/26 10:00 AM, Acme Support wrote:\n> Here is the invoice.\n'],
    ['Apple Mail en', 'Thanks!\n\nOn 3 Nov 2026, at 10:00, Acme Support <support@acme.example> wrote:\n\n> Here is the invoice.\n'],
    ['Outlook mensaje original', 'Listo.\n\n-----Mensaje original-----\nDe: Soporte Acme\nEnviado el: lunes\nAsunto: Factura\n\nTexto\n'],
    ['Gmail es forward', 'Mira esto.\n\n---------- Mensaje reenviado ---------\nDe: Bob <bob@x.example>\nFecha: lun, 3 nov 2026\nAsunto: Pedido\n\nTexto\n'],
    ['iPhone es', 'Sí, gracias.\n\nEnviado desde mi iPhone\n\nEl 3 nov 2026, a las 10:00, Soporte <support@acme.example> escribió:\n'],
  ];
  it.each(cases)('folds the history of %s', (_client, body) => {
    const reply = extractReplyText(body);
    expect(reply.quoted).toBe(true);
    expect(reply.visible).toBe(body.split('\n')[0]);
  });
});

describe('extractReplyText: hostile text', () => {
  it('reads a megabyte line that looks like an attribution in milliseconds, not minutes', () => {
    // email-reply-parser's "On … wrote:" pattern backtracks quadratically: a 200 KB line like
    // this one held a parser thread for 7 s, a 1 MB one for minutes (every import waits).
    for (const text of ['On ' + 'x '.repeat(500_000), `Resposta.\n${'Em a, '.repeat(20_000)}\n`, `De: ${'x Sent: y Subject: z '.repeat(20_000)}`]) {
      const started = performance.now();
      const { visible } = extractReplyText(text);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(visible).toBe(text.trim());
    }
  });

  it('still cuts at Outlook’s one-line header block when a long recipient list makes it long', () => {
    const to = Array.from({ length: 40 }, (_, i) => `Pessoa ${i} <pessoa${i}@cliente.example>`).join('; ');
    const mail = `Obrigado!\n\nDe: Suporte Acme <support@acme.example> Enviado: segunda-feira, 3 de novembro de 2026 10:00 Para: ${to} Assunto: Nota fiscal\n\nSegue a nota.\n`;
    expect(mail.split('\n')[2]!.length).toBeGreaterThan(1000);
    expect(extractReplyText(mail)).toEqual({ visible: 'Obrigado!', quoted: true });
  });

  it('still folds a long quoted line, and keeps a long line of new text as written', () => {
    const long = 'palavra '.repeat(400).trim();
    const quoted = extractReplyText(`Resposta nova.\n${long}\n\n> ${long}\n> fim`);
    expect(quoted).toEqual({ visible: `Resposta nova.\n${long}`, quoted: true });
    // The placeholder the library sees cannot be forged by the mail itself.
    const forged = extractReplyText(`\uE002abc:0\uE003\n${long}`);
    expect(forged.visible).toBe(`\uE002abc:0\uE003\n${long}`);
  });
});
