import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from '#i18n/index.ts';
import { router } from './router.ts';
import '#shared/styles/tokens.css';
import '#shared/styles/base.css';
import { initTheme } from '#shared/composables/useTheme.ts';

document.documentElement.lang = i18n.global.locale.value;
initTheme();
createApp(App).use(i18n).use(router).mount('#app');
