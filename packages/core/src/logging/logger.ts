import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines by default (what log collectors read); human-readable lines (pino-pretty, in this
 * thread: no transport worker) when asked with LOG_FORMAT=pretty, or when a person is watching the
 * terminal. pino-pretty is only loaded then.
 */
export type LogFormat = 'json' | 'pretty';

export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = !!process.stdout.isTTY): LogFormat {
  if (env['LOG_FORMAT'] === 'json' || env['LOG_FORMAT'] === 'pretty') return env['LOG_FORMAT'];
  return stdoutIsTty ? 'pretty' : 'json';
}

function prettyStream(destination: NodeJS.WritableStream | undefined): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return pretty({ colorize: !destination && !!process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', ...(destination ? { destination } : {}) });
}

/**
 * Structured logs. Redaction is a second line of defence: code must not log secrets or message
 * bodies in the first place, but any field with one of these names is blanked if it slips through.
 */
export function createLogger(level = 'info', name = 'correio', format: LogFormat = 'json', destination?: NodeJS.WritableStream): Logger {
  const options: pino.LoggerOptions = {
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
        'refreshToken',
        '*.refreshToken',
        'codeVerifier',
        '*.codeVerifier',
        'text',
        'html',
        'body',
      ],
      censor: '[redacted]',
    },
  };
  if (format === 'pretty') return pino(options, prettyStream(destination));
  return destination ? pino(options, destination as DestinationStream) : pino(options);
}
