import type { AuthenticationResults, schema, SenderVerdictReason } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';
import { getDomain } from 'tldts';

export type SenderVerdict = (typeof schema.senderVerdictEnum.enumValues)[number];

type Checks = Omit<AuthenticationResults, 'reason' | 'reasonCode' | 'reasonText' | 'fromDomain'>;

/**
 * W9's verdict, pure: VERIFIED when the From domain vouches for the message (DMARC pass, or
 * without a DMARC record an aligned DKIM signature); FORGED when DMARC fails for a domain that
 * asks receivers to reject or quarantine such mail — unless a forwarder's ARC chain passes,
 * which explains the broken signature, or unless nobody could check SPF (mail fetched from a
 * mailbox whose receiving server is not trusted); NOT_VERIFIED otherwise.
 */
export function senderVerdict(results: Checks, fromDomain: string | null): { verdict: SenderVerdict; reasonCode: SenderVerdictReason; reason: string; reasonText: ServerText } {
  const dmarc = results.dmarc;
  const domain = dmarc?.domain ?? fromDomain;
  const alignedDkim = results.dkim.find((d) => d.result === 'pass' && d.domain && fromDomain && aligned(d.domain, fromDomain));
  // The reason as a text code (issue 14); `reason` keeps it in English for logs and older clients.
  const say = (verdict: SenderVerdict, reasonCode: SenderVerdictReason, reasonText: ServerText) => ({ verdict, reasonCode, reason: renderText(reasonText, 'en'), reasonText });
  if (dmarc?.result === 'pass') {
    const passing = dmarc.domain ?? fromDomain ?? '';
    if (alignedDkim) return say('VERIFIED', 'DMARC_PASS', text('verdict.DMARC_PASS.dkim', { domain: passing, signer: alignedDkim.domain! }));
    return say('VERIFIED', 'DMARC_PASS', results.spf?.result === 'pass' ? text('verdict.DMARC_PASS.spf', { domain: passing }) : text('verdict.DMARC_PASS', { domain: passing }));
  }
  if (dmarc?.result === 'fail') {
    const failing = dmarc.domain ?? fromDomain ?? '';
    const policy = (dmarc.policy ?? '').toLowerCase();
    if (results.arc?.result === 'pass')
      return say('NOT_VERIFIED', 'DMARC_FAIL_FORWARDED', results.arc.domain ? text('verdict.DMARC_FAIL_FORWARDED', { domain: failing, forwarder: results.arc.domain }) : text('verdict.DMARC_FAIL_FORWARDED.unnamed', { domain: failing }));
    // From a mailbox without a trusted receiving server, SPF could not be checked, and DMARC may
    // well have passed by it where the mail arrived: a failure proves nothing there.
    if (results.source === 'DKIM_ONLY') return say('NOT_VERIFIED', 'SERVER_UNKNOWN', text('verdict.SERVER_UNKNOWN', { domain: failing }));
    if (policy === 'reject') return say('FORGED', 'DMARC_FAIL_POLICY', text('verdict.DMARC_FAIL_POLICY.reject', { domain: failing }));
    if (policy === 'quarantine') return say('FORGED', 'DMARC_FAIL_POLICY', text('verdict.DMARC_FAIL_POLICY.quarantine', { domain: failing }));
    return say('NOT_VERIFIED', 'DMARC_FAIL_NO_POLICY', text('verdict.DMARC_FAIL_NO_POLICY', { domain: failing }));
  }
  if (alignedDkim) return say('VERIFIED', 'DKIM_ALIGNED', text('verdict.DKIM_ALIGNED', { signer: alignedDkim.domain! }));
  if (dmarc?.result === 'temperror') return say('NOT_VERIFIED', 'TEMPORARY_ERROR', text('verdict.TEMPORARY_ERROR'));
  return say('NOT_VERIFIED', 'NO_EVIDENCE', domain ? text('verdict.NO_EVIDENCE', { domain }) : text('verdict.NO_EVIDENCE.noDomain'));
}

/** Relaxed alignment (RFC 7489): the same organizational domain, by the Public Suffix List (acme.com.br ≠ cliente.com.br). */
export function aligned(a: string, b: string): boolean {
  const org = (d: string) => getDomain(d.toLowerCase()) ?? d.toLowerCase();
  return org(a) === org(b);
}
