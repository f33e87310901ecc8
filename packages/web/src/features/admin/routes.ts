import type { RouteRecordRaw } from 'vue-router';

export const adminRoutes: RouteRecordRaw[] = [
  {
    path: 'settings',
    meta: { role: 'ADMIN' },
    children: [
      { path: '', redirect: { name: 'accounts' } },
      { path: 'groups', name: 'groups', component: () => import('./views/AdminNameListView.vue'), props: { list: 'groups' }, meta: { title: 'admin.groups.title' } },
      { path: 'ticket-types', name: 'ticket-types', component: () => import('./views/AdminNameListView.vue'), props: { list: 'ticketTypes' }, meta: { title: 'admin.ticketTypes.title' } },
      { path: 'clients', name: 'clients', component: () => import('./views/ClientsView.vue'), meta: { title: 'admin.clients.title' } },
      { path: 'domain-rules', name: 'domain-rules', component: () => import('./views/DomainRulesView.vue'), meta: { title: 'admin.domainRules.title' } },
      { path: 'agents', name: 'agents', component: () => import('./views/AgentsView.vue'), meta: { title: 'admin.agents.title' } },
      { path: 'failed-imports', name: 'failed-imports', component: () => import('./views/FailedImportsView.vue'), meta: { title: 'admin.failed.title' } },
    ],
  },
];
