import { SENDER_VERDICT_REASONS, type AuthenticationResults } from '@correio/core';
import { catalogOf, renderText } from '@correio/texts';
import { describe, expect, it } from 'vitest';
import { aligned, senderVerdict } from './verdict.ts';

type Checks = Parameters<typeof senderVerdict>[0];
const base: Checks = { source: 'CORREIO', authservId: null, spf: null, dkim: [], dmarc: null, arc: null };
const dmarc = (result: string, policy: string | null = 'reject'): AuthenticationResults['dmarc'] => ({ result, policy, domain: 'banco.com.br', detail: null });

describe('the sender verdict (W9)', () => {
  it('VERIFIED by DMARC pass, or by an aligned signature where the domain has no DMARC', () => {
    expect(senderVerdict({ ...base, dmarc: dmarc('pass') }, 'banco.com.br')).toMatchObject({ verdict: 'VERIFIED', reasonCode: 'DMARC_PASS' });
    const signed = { ...base, dkim: [{ result: 'pass', domain: 'mail.loja.com.br', detail: null }] };
    expect(senderVerdict(signed, 'loja.com.br')).toMatchObject({ verdict: 'VERIFIED', reasonCode: 'DKIM_ALIGNED' });
  });

  it('a signature by another organization proves nothing about the From address', () => {
    // Same public suffix (com.br), different companies: not aligned.
    expect(aligned('cliente.com.br', 'loja.com.br')).toBe(false);
    expect(aligned('MAIL.Loja.com.br', 'loja.com.br')).toBe(true);
    const foreign = { ...base, dkim: [{ result: 'pass', domain: 'sendgrid.net', detail: null }] };
    expect(senderVerdict(foreign, 'loja.com.br')).toMatchObject({ verdict: 'NOT_VERIFIED', reasonCode: 'NO_EVIDENCE' });
  });

  it('FORGED only when DMARC fails for a domain that asks to reject or quarantine', () => {
    expect(senderVerdict({ ...base, dmarc: dmarc('fail', 'reject') }, 'banco.com.br')).toMatchObject({ verdict: 'FORGED', reasonCode: 'DMARC_FAIL_POLICY' });
    expect(senderVerdict({ ...base, dmarc: dmarc('fail', 'quarantine') }, 'banco.com.br').verdict).toBe('FORGED');
    expect(senderVerdict({ ...base, dmarc: dmarc('fail', 'none') }, 'banco.com.br')).toMatchObject({ verdict: 'NOT_VERIFIED', reasonCode: 'DMARC_FAIL_NO_POLICY' });
  });

  it('not FORGED when a forwarder’s ARC seal explains the failure, or when nobody could check SPF', () => {
    const forwarded = { ...base, dmarc: dmarc('fail'), arc: { result: 'pass', domain: 'lista.org.br', detail: null } };
    expect(senderVerdict(forwarded, 'banco.com.br')).toMatchObject({ verdict: 'NOT_VERIFIED', reasonCode: 'DMARC_FAIL_FORWARDED' });
    // A broken ARC chain vouches for nothing.
    expect(senderVerdict({ ...forwarded, arc: { result: 'fail', domain: 'lista.org.br', detail: null } }, 'banco.com.br').verdict).toBe('FORGED');
    expect(senderVerdict({ ...base, source: 'DKIM_ONLY', dmarc: dmarc('fail') }, 'banco.com.br')).toMatchObject({ verdict: 'NOT_VERIFIED', reasonCode: 'SERVER_UNKNOWN' });
  });

  it('a DNS failure is temporary, never a forgery', () => {
    expect(senderVerdict({ ...base, dmarc: dmarc('temperror') }, 'banco.com.br')).toMatchObject({ verdict: 'NOT_VERIFIED', reasonCode: 'TEMPORARY_ERROR' });
  });

  it('says why in the reader’s language, naming the domains, and has words for every reason', () => {
    const forged = senderVerdict({ ...base, dmarc: dmarc('fail', 'quarantine') }, 'banco.com.br');
    expect(forged.reasonText).toEqual({ code: 'verdict.DMARC_FAIL_POLICY.quarantine', params: { domain: 'banco.com.br' } });
    expect(forged.reason).toBe('banco.com.br did not send this: it fails DMARC, and the domain asks receivers to quarantine such mail.');
    expect(renderText(forged.reasonText, 'pt-BR')).toBe('banco.com.br não enviou esta mensagem: ela falha no DMARC, e o domínio pede que mensagens assim fiquem em quarentena.');
    const codes = Object.keys(catalogOf('en'));
    expect(SENDER_VERDICT_REASONS.filter((reason) => !codes.some((c) => c === `verdict.${reason}` || c.startsWith(`verdict.${reason}.`)))).toEqual([]);
  });
});
