import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, defaultLogFormat } from './logger.ts';

describe('log format (issue 14)', () => {
  it('is JSON unless asked for, or unless a person watches the terminal', () => {
    expect(defaultLogFormat({}, false)).toBe('json');
    expect(defaultLogFormat({}, true)).toBe('pretty');
    expect(defaultLogFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(defaultLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('pretty lines are readable text, still without secrets', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', 'correio', 'pretty', sink);
    log.info({ accountId: 'a1', refreshToken: 'rt-secret', password: 'pw-secret' }, 'mailbox connected');
    await new Promise((r) => setTimeout(r, 50));
    const text = lines.join('');
    expect(text).toContain('INFO');
    expect(text).toContain('mailbox connected');
    expect(text).not.toMatch(/^\{/);
    expect(text).not.toContain('rt-secret');
    expect(text).not.toContain('pw-secret');
  });
});
