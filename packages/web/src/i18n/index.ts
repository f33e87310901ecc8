import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './en.ts';
import ptBR from './pt-BR.ts';

export type Locale = 'pt-BR' | 'en';
export const LOCALES: Array<{ code: Locale; label: string }> = [
  { code: 'pt-BR', label: 'Português (Brasil)' },
  { code: 'en', label: 'English' },
];
const LOCALE_KEY = 'correio.locale';

/** A saved choice wins; otherwise pt-BR when the browser prefers Portuguese, English otherwise. */
export function detectLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY);
    if (saved === 'pt-BR' || saved === 'en') return saved;
  } catch {
    // no storage
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const lang of preferred) {
    const lower = (lang ?? '').toLowerCase();
    if (lower.startsWith('pt')) return 'pt-BR';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: detectLocale(),
  fallbackLocale: 'en',
  messages: { en, 'pt-BR': ptBR },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // no storage
  }
}

declare module 'vue-i18n' {
  // Every `t('…')` key is checked against the English messages at type-check time.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends MessageSchema {}
}
