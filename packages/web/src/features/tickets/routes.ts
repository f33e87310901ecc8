import type { RouteRecordRaw } from 'vue-router';

export const ticketRoutes: RouteRecordRaw[] = [
  { path: 'tickets', name: 'tickets', component: () => import('./views/TicketsInboxView.vue'), meta: { title: 'tickets.title' } },
  { path: 'canned-replies', name: 'canned-replies', component: () => import('./views/CannedRepliesView.vue'), meta: { title: 'canned.title' } },
  { path: 'tickets/:id', name: 'ticket', component: () => import('./views/TicketView.vue'), props: true, meta: { title: 'ticket.title' } },
];
