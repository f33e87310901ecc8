import { text } from '@correio/texts';
import type { Rule } from './types.ts';

/**
 * W9: mail from a forged sender (DMARC fails for a domain that asks to reject or quarantine it)
 * is imported and flagged (FLAG, the default), held for an admin to look at and release (HOLD),
 * or refused (REFUSE), as the account says. A released message passes.
 */
export const forgedSender: Rule = (msg, { account }) => {
  const auth = msg.prepared.senderAuth;
  if (auth?.verdict !== 'FORGED' || msg.released || account.dmarcFailPolicy === 'FLAG') return null;
  const held = account.dmarcFailPolicy === 'HOLD';
  // FORGED means the domain's policy is reject or quarantine (verdict.ts).
  const policy = auth.results.dmarc?.policy?.toLowerCase() === 'quarantine' ? 'quarantine' : 'reject';
  const domain = auth.results.dmarc?.domain ?? auth.results.fromDomain ?? '?';
  return { kind: 'REFUSE', reason: 'DMARC_FAILED', detail: text(`refusal.dmarc.${held ? 'held' : 'refused'}.${policy}`, { domain }), held };
};
