import { MAIL_ERROR_CODES, summaryText, type MailErrorCode } from '@correio/mail-engine';
import { renderText } from '@correio/texts';
import { builder } from '../builder.ts';
import { ERROR_CODES, errorText, type ErrorCode } from '../errors.ts';

// The two error-code tables as GraphQL enums, so clients take the codes from the schema (the web
// does, through its generated types) instead of copying the lists.

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Every code a GraphQL error can carry in `extensions.code`. Switch on the code, never on the message.',
  values: Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, { value: code, description: renderText(errorText(code as ErrorCode), 'en') }])) as Record<ErrorCode, { value: ErrorCode; description: string }>,
});

export const MailErrorCodeEnum = builder.enumType('MailErrorCode', {
  description: 'Every code a connection check, a sync or a send can report (`ConnectionStatus.code`, `CheckPhaseResult.code`, `ConnectionError.code`).',
  values: Object.fromEntries(
    Object.entries(MAIL_ERROR_CODES).map(([code, e]) => [code, { value: code, description: `${renderText(summaryText(code as MailErrorCode), 'en')} ${e.transient ? 'May clear by itself.' : 'Needs a change to clear.'}` }]),
  ) as Record<MailErrorCode, { value: MailErrorCode; description: string }>,
});
