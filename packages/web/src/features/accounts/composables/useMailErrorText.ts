import { useI18n } from 'vue-i18n';
import type { MailErrorCode } from '#graphql/enums.ts';
import { OAUTH_MAIL_ERROR_CODES } from '#i18n/enum-values.ts';
import { useServerText, type LocalizedTextValue } from '#shared/composables/useServerText.ts';

type AppWordedMailErrorCode = (typeof OAUTH_MAIL_ERROR_CODES)[number];

export function isAppWordedMailErrorCode(code: string | null | undefined): code is AppWordedMailErrorCode {
  return !!code && (OAUTH_MAIL_ERROR_CODES as readonly string[]).includes(code);
}

/** A failure as the API reports it: the code, and what it says and advises as text codes (with the server's wording as fallback). */
export interface DescribableFailure {
  code?: MailErrorCode | string | null;
  message?: string | null;
  hint?: string | null;
  messageText?: LocalizedTextValue | null;
  hintText?: LocalizedTextValue | null;
}

/**
 * What a failure says and what to do about it, in the user's language: worded from the server's
 * text codes (issue 14). The OAuth sign-in codes and the missing relay have wordings of this app's
 * own, because their fix is one of its buttons ("Reconnect") or is explained beside it.
 */
export function useMailErrorText() {
  const { t } = useI18n();
  const word = useServerText();
  return function describe(failure: DescribableFailure): { message: string | null; hint: string | null } {
    if (isAppWordedMailErrorCode(failure.code)) return { message: t(`mailError.${failure.code}.title`), hint: t(`mailError.${failure.code}.hint`) };
    return { message: word(failure.messageText, failure.message ?? null), hint: word(failure.hintText, failure.hint ?? null) };
  };
}
