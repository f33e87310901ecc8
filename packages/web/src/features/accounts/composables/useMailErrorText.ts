import { useI18n } from 'vue-i18n';
import type { MailErrorCode } from '#graphql/enums.ts';
import { OAUTH_MAIL_ERROR_CODES } from '#i18n/enum-values.ts';

type AppWordedMailErrorCode = (typeof OAUTH_MAIL_ERROR_CODES)[number];

export function isAppWordedMailErrorCode(code: string | null | undefined): code is AppWordedMailErrorCode {
  return !!code && (OAUTH_MAIL_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * What a failure says and what to do about it. The server words mail errors in English; the
 * codes of OAuth sign-ins (issue 13) and the missing relay are worded here, in the user’s language: their fix
 * ("Reconnect") is a button of this app. Others keep the server's words.
 */
export function useMailErrorText() {
  const { t } = useI18n();
  return function describe(code: MailErrorCode | string | null | undefined, message: string | null | undefined, hint: string | null | undefined): { message: string | null; hint: string | null } {
    if (isAppWordedMailErrorCode(code)) return { message: t(`mailError.${code}.title`), hint: t(`mailError.${code}.hint`) };
    return { message: message ?? null, hint: hint ?? null };
  };
}
