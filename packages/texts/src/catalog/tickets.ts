import { defineTexts } from './define.ts';

/** What Correio writes on a ticket itself (`ticket.*`): the notes a merge or a split leaves. */
export const ticketTexts = defineTexts(
  {
    'ticket.mergedInto': 'Merged into ticket #{number}. Its messages, copies and later answers are there now.',
    'ticket.mergedFrom': 'Ticket #{number} was merged into this one.',
    'ticket.splitTo': 'Some messages were moved to a new ticket, #{number}.',
    'ticket.splitFrom': 'Split from ticket #{number}.',
  },
  {
    'ticket.mergedInto': 'Unido ao ticket #{number}. As mensagens, cópias e respostas seguintes estão lá agora.',
    'ticket.mergedFrom': 'O ticket #{number} foi unido a este.',
    'ticket.splitTo': 'Algumas mensagens foram movidas para um novo ticket, o #{number}.',
    'ticket.splitFrom': 'Dividido do ticket #{number}.',
  },
);
