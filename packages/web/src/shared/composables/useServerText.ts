import { renderText, type Locale } from '@correio/texts';
import { useI18n } from 'vue-i18n';

/** What `LocalizedTextFields` selects. */
export interface LocalizedTextValue {
  code: string;
  params: ReadonlyArray<{ name: string; value: string }>;
  detail?: string | null;
}

/**
 * Words a server text (issue 14) from the shared catalogue in the app's current locale, so a
 * language switch rewords what is already on screen. `fallback` is the server's own wording, used
 * for rows stored before texts had codes.
 */
export function useServerText() {
  const { locale } = useI18n();
  return function word(value: LocalizedTextValue | null | undefined, fallback: string | null = null): string | null {
    if (!value) return fallback;
    return renderText({ code: value.code, params: Object.fromEntries(value.params.map((p) => [p.name, p.value])), detail: value.detail ?? null }, locale.value as Locale);
  };
}
