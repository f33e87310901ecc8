import { defineTexts } from './define.ts';

/**
 * What Correio writes on a ticket itself (`ticket.*`): the notes a merge or a split leaves, and
 * the header of a forwarded message, worded as mail clients word it in that language.
 */
export const ticketTexts = defineTexts(
  {
    'ticket.mergedInto': 'Merged into ticket #{number}. Its messages, copies and later answers are there now.',
    'ticket.mergedFrom': 'Ticket #{number} was merged into this one.',
    'ticket.splitTo': 'Some messages were moved to a new ticket, #{number}.',
    'ticket.splitFrom': 'Split from ticket #{number}.',
    'ticket.forward.header': '---------- Forwarded message ----------',
    'ticket.forward.from': 'From: {from}',
    'ticket.forward.date': 'Date: {date}',
    'ticket.forward.subject': 'Subject: {subject}',
    'ticket.forward.to': 'To: {to}',
  },
  {
    'ticket.mergedInto': 'Unido ao ticket #{number}. As mensagens, cópias e respostas seguintes estão lá agora.',
    'ticket.mergedFrom': 'O ticket #{number} foi unido a este.',
    'ticket.splitTo': 'Algumas mensagens foram movidas para um novo ticket, o #{number}.',
    'ticket.splitFrom': 'Dividido do ticket #{number}.',
    'ticket.forward.header': '---------- Mensagem encaminhada ----------',
    'ticket.forward.from': 'De: {from}',
    'ticket.forward.date': 'Data: {date}',
    'ticket.forward.subject': 'Assunto: {subject}',
    'ticket.forward.to': 'Para: {to}',
  },
);
