import { ref, watch } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'correio.theme';
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

function stored(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** The user's choice (issue 18): the system's theme unless they picked one; remembered on this device. */
export const themeChoice = ref<ThemeChoice>(stored());

function apply() {
  const dark = themeChoice.value === 'dark' || (themeChoice.value === 'system' && !!media?.matches);
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
}

/** Called once at start-up, before the app mounts, so the first paint is in the right theme. */
export function initTheme(): void {
  apply();
  media?.addEventListener('change', apply);
  watch(themeChoice, (choice) => {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    apply();
  });
}
