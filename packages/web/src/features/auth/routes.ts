import type { RouteRecordRaw } from 'vue-router';

export const authRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: 'auth.loginTitle' } },
  { path: '/signup', name: 'signup', component: () => import('./views/SignUpView.vue'), meta: { public: true, title: 'auth.signUpTitle' } },
];
