import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.ts';
import { relayEndpoint } from './endpoint.ts';

describe('relayEndpoint (SMTP_RELAY_URL)', () => {
  it('reads smtp:// with opportunistic STARTTLS and percent-decoded credentials', () => {
    expect(relayEndpoint('smtp://relay%40acme:p%40ss%20word@relay.example.com:2525')).toEqual({
      host: 'relay.example.com',
      port: 2525,
      tls: 'OPPORTUNISTIC',
      auth: { user: 'relay@acme', password: 'p@ss word', accessToken: null, mechanism: null },
    });
  });

  it('reads smtps://, default ports and options', () => {
    expect(relayEndpoint('smtps://u:p@relay.example.com')).toMatchObject({ port: 465, tls: 'IMPLICIT' });
    expect(relayEndpoint('smtp://relay.example.com')).toMatchObject({ port: 587, tls: 'OPPORTUNISTIC', auth: null });
    expect(relayEndpoint('smtp://u:p@relay.example.com?starttls=required&mechanism=CRAM-MD5')).toMatchObject({ tls: 'STARTTLS', auth: { mechanism: 'CRAM_MD5' } });
    expect(relayEndpoint('smtp://localhost:25?starttls=never')).toMatchObject({ tls: 'NONE' });
  });

  it('says plainly when there is no relay or it is malformed', () => {
    const missing = relayEndpoint(undefined);
    expect(missing).toBeInstanceOf(MailError);
    expect(missing).toMatchObject({ code: 'RELAY_NOT_CONFIGURED', transient: false });
    expect(relayEndpoint('http://relay.example.com')).toMatchObject({ code: 'RELAY_NOT_CONFIGURED', message: expect.stringContaining('smtp://') });
  });
});
