import type { AuthenticationResults, schema, SenderVerdictReason } from '@correio/core';
import { getDomain } from 'tldts';

export type SenderVerdict = (typeof schema.senderVerdictEnum.enumValues)[number];

type Checks = Omit<AuthenticationResults, 'reason' | 'reasonCode' | 'fromDomain'>;

/**
 * W9's verdict, pure: VERIFIED when the From domain vouches for the message (DMARC pass, or
 * without a DMARC record an aligned DKIM signature); FORGED when DMARC fails for a domain that
 * asks receivers to reject or quarantine such mail — unless a forwarder's ARC chain passes,
 * which explains the broken signature, or unless nobody could check SPF (mail fetched from a
 * mailbox whose receiving server is not trusted); NOT_VERIFIED otherwise.
 */
export function senderVerdict(results: Checks, fromDomain: string | null): { verdict: SenderVerdict; reasonCode: SenderVerdictReason; reason: string } {
  const dmarc = results.dmarc;
  const domain = dmarc?.domain ?? fromDomain ?? 'the sender domain';
  const alignedDkim = results.dkim.find((d) => d.result === 'pass' && d.domain && fromDomain && aligned(d.domain, fromDomain));
  const say = (verdict: SenderVerdict, reasonCode: SenderVerdictReason, reason: string) => ({ verdict, reasonCode, reason });
  if (dmarc?.result === 'pass') return say('VERIFIED', 'DMARC_PASS', `${domain} passes DMARC${alignedDkim ? ` (DKIM signed by ${alignedDkim.domain})` : results.spf?.result === 'pass' ? ' (SPF)' : ''}.`);
  if (dmarc?.result === 'fail') {
    const policy = (dmarc.policy ?? '').toLowerCase();
    if (results.arc?.result === 'pass')
      return say('NOT_VERIFIED', 'DMARC_FAIL_FORWARDED', `Fails DMARC for ${domain}, but was forwarded by ${results.arc.domain ?? 'a server'} whose ARC seal vouches for the original.`);
    // From a mailbox without a trusted receiving server, SPF could not be checked, and DMARC may
    // well have passed by it where the mail arrived: a failure proves nothing there.
    if (results.source === 'DKIM_ONLY')
      return say('NOT_VERIFIED', 'SERVER_UNKNOWN', `No signature of ${domain} verifies, and the server that received it is not trusted to say whether SPF passed (set the account's trusted authserv-id).`);
    if (policy === 'reject' || policy === 'quarantine')
      return say('FORGED', 'DMARC_FAIL_POLICY', `${domain} did not send this: it fails DMARC, and the domain asks receivers to ${policy} such mail.`);
    return say('NOT_VERIFIED', 'DMARC_FAIL_NO_POLICY', `Fails DMARC for ${domain}, but the domain asks for no action (p=none).`);
  }
  if (alignedDkim) return say('VERIFIED', 'DKIM_ALIGNED', `Signed by ${alignedDkim.domain} (DKIM); the domain publishes no DMARC policy.`);
  if (dmarc?.result === 'temperror') return say('NOT_VERIFIED', 'TEMPORARY_ERROR', 'The DMARC check could not complete (DNS error); it may pass later.');
  return say('NOT_VERIFIED', 'NO_EVIDENCE', `Nothing proves who sent it: ${domain} has no DMARC policy and the message has no signature of its own.`);
}

/** Relaxed alignment (RFC 7489): the same organizational domain, by the Public Suffix List (acme.com.br ≠ cliente.com.br). */
export function aligned(a: string, b: string): boolean {
  const org = (d: string) => getDomain(d.toLowerCase()) ?? d.toLowerCase();
  return org(a) === org(b);
}
