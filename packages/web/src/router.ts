import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { accountRoutes } from '#features/accounts/routes.ts';
import { adminRoutes } from '#features/admin/routes.ts';
import { authRoutes } from '#features/auth/routes.ts';
import { endSession, loadSession } from '#features/auth/session.ts';
import { ticketRoutes } from '#features/tickets/routes.ts';
import { onUnauthenticated } from '#graphql/client.ts';
import { i18n } from '#i18n/index.ts';
import AppShell from '#layout/AppShell.vue';
import { useToast } from '#shared/composables/useToast.ts';
import { session } from '#shared/composables/useSession.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in. */
    public?: boolean;
    /** Only for this role. */
    role?: 'ADMIN';
    /** i18n key of the document title. */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  ...authRoutes,
  {
    path: '/',
    component: AppShell,
    children: [{ path: '', name: 'home', redirect: { name: 'tickets' } }, ...ticketRoutes, ...accountRoutes, ...adminRoutes],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  const loggedIn = !!session.user;
  if (to.meta.public) return loggedIn ? { name: 'home' } : true;
  if (!loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.matched.some((r) => r.meta.role === 'ADMIN') && session.user?.role !== 'ADMIN') {
    useToast().warn(i18n.global.t('errors.FORBIDDEN.title'), i18n.global.t('errors.FORBIDDEN.detail'));
    return { name: 'tickets' };
  }
  return true;
});

router.afterEach((to) => {
  const key = [...to.matched].reverse().find((r) => r.meta.title)?.meta.title;
  document.title = key ? `${i18n.global.t(key as never)} · Correio` : 'Correio';
});

onUnauthenticated(() => {
  if (!session.user) return;
  endSession();
  useToast().info(i18n.global.t('auth.sessionExpired'), i18n.global.t('auth.sessionExpiredDetail'));
  void router.replace({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
});
