import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, role: 'all', inboundDomain: 'correio.localhost', inboundSmtpPort: 2525, databaseUrl: undefined, redisUrl: undefined, signup: 'open' });
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('names the variable and the problem when a value is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty', CORREIO_ROLE: 'worker' })).toThrow(/PORT[\s\S]*CORREIO_ROLE/);
  });
});
