import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Redaction is a second line of defence: code must not log secrets or message
 * bodies in the first place, but any field with one of these names is blanked if it slips through.
 */
export function createLogger(level = 'info', name = 'correio'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        '*.*.password',
        'pass',
        '*.pass',
        '*.*.pass',
        'accessToken',
        '*.accessToken',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'token',
        '*.token',
        'text',
        'html',
        'body',
      ],
      censor: '[redacted]',
    },
  });
}
