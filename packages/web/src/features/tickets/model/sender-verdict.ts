import type { SenderVerdict } from '#graphql/enums.ts';
import type { ResultOf } from '#graphql/graphql.ts';
import type { SenderCheckFields } from '../graphql/tickets.ts';

type Checks = ResultOf<typeof SenderCheckFields>;
type Translate = (key: string, values?: Record<string, unknown>) => string;

/**
 * The sentence behind a sender verdict, in the reader's language, from the checks' reason code
 * and the domains they name (the server's English sentence is for API clients).
 */
export function verdictExplanation(checks: Checks, t: Translate): string {
  const domain = checks.dmarc?.domain ?? checks.fromDomain ?? '?';
  const signer = checks.dkim.find((d) => d.result === 'pass' && d.domain)?.domain ?? domain;
  const policy = checks.dmarc?.policy === 'quarantine' ? 'quarantine' : 'reject';
  const reason = t(`ticket.verdictReason.${checks.reasonCode}`, {
    domain: checks.reasonCode === 'DKIM_ALIGNED' ? signer : domain,
    policy: t(`ticket.dmarcPolicy.${policy}`),
  });
  const by = t(`ticket.checkedBy.${checks.source}`, { server: checks.authservId ?? '' });
  return `${reason} ${by}.`;
}

/** Tone and emphasis of the verdict badge: only a forgery shouts. */
export function verdictTone(verdict: SenderVerdict): 'ok' | 'neutral' | 'danger' {
  return verdict === 'VERIFIED' ? 'ok' : verdict === 'FORGED' ? 'danger' : 'neutral';
}
