import type { CombinedError } from '@urql/core';
import { useI18n } from 'vue-i18n';
import { errorCode, serverMessage } from '#graphql/errors.ts';
import { useToast } from './useToast.ts';

/** Turns an API error into a toast that says what happened and what to do, by error code. */
export function useApiError() {
  const { t } = useI18n();
  const toast = useToast();

  function describe(error: CombinedError): { title: string; detail: string } {
    const code = errorCode(error) ?? 'INTERNAL';
    const server = serverMessage(error);
    switch (code) {
      case 'VALIDATION_FAILED':
      case 'BAD_USER_INPUT':
        return { title: t('errors.VALIDATION_FAILED.title'), detail: server ?? t('errors.VALIDATION_FAILED.detail') };
      case 'DUPLICATE_MAILBOX':
      case 'CONFLICT':
        return { title: t(`errors.${code}.title`), detail: server ?? t(`errors.${code}.detail`) };
      default:
        return { title: t(`errors.${code}.title`), detail: t(`errors.${code}.detail`) };
    }
  }

  /** Shows the error as a toast; `action` names what failed ("Could not save the account"). */
  function toastError(error: CombinedError, action?: string): void {
    const { title, detail } = describe(error);
    toast.error(action ? `${action}: ${title}` : title, detail);
  }

  return { describe, toastError };
}
