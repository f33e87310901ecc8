import type { RouteRecordRaw } from 'vue-router';

export const accountRoutes: RouteRecordRaw[] = [
  {
    path: 'settings/email/accounts',
    meta: { role: 'ADMIN' },
    children: [
      { path: '', name: 'accounts', component: () => import('./views/AccountsView.vue'), meta: { title: 'accounts.title' } },
      { path: 'new', name: 'account-new', component: () => import('./views/AccountFormView.vue'), meta: { title: 'accountForm.newTitlePlain' } },
      { path: ':id/edit', name: 'account-edit', component: () => import('./views/AccountFormView.vue'), props: true, meta: { title: 'accountForm.editTitlePlain' } },
    ],
  },
];
