import { renderText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { certificateText, type CertificateFacts } from './tls-report.ts';

const facts: CertificateFacts = { protocol: 'TLSv1.3', names: 'imap.acme.example', issuer: 'R3', validUntil: '2026-03-10', expiresInDays: null };

describe('certificateText', () => {
  it('says what the certificate is, in either language, with its facts as parameters', () => {
    const said = certificateText(facts);
    expect(said).toEqual({ code: 'check.tls.certificate', params: { tls: 'TLSv1.3', names: 'imap.acme.example', issuer: 'R3', date: '2026-03-10' } });
    expect(renderText(said, 'en')).toBe('TLSv1.3; certificate for imap.acme.example issued by R3, valid until 2026-03-10.');
    expect(renderText(said, 'pt-BR')).toBe('TLSv1.3; certificado para imap.acme.example emitido por R3, válido até 2026-03-10.');
  });

  it('asks for a renewal two weeks ahead, and names what STARTTLS led to', () => {
    const soon = certificateText({ ...facts, expiresInDays: 5 }, { starttls: true, extensions: 'AUTH PLAIN LOGIN' });
    expect(soon.code).toBe('check.tls.expiringThenOffers');
    expect(renderText(soon, 'en')).toBe(
      'STARTTLS: TLSv1.3; certificate for imap.acme.example issued by R3, valid until 2026-03-10 — expires in 5 days, ask the provider to renew it; then offers AUTH PLAIN LOGIN.',
    );
    expect(renderText(certificateText({ ...facts, expiresInDays: 1 }), 'pt-BR')).toMatch(/expira em 1 dia, peça ao provedor que o renove\.$/);
    expect(certificateText({ ...facts, validUntil: null }, { extensions: null }).code).toBe('check.tls.certificateNoDate');
  });
});
