import { SENDER_VERDICT_REASONS, type AuthenticationResult, type AuthenticationResults } from '@correio/core';
import { renderText } from '@correio/texts';
import { builder } from '../builder.ts';
import { LocalizedTextRef } from './localized-text.ts';

// W9: what was checked about an incoming e-mail's sender. Admins and agents see it alike: an
// agent deciding whether to trust "please change my bank account" needs it most.

const AuthenticationCheckRef = builder.objectRef<AuthenticationResult>('AuthenticationCheck').implement({
  description: 'One method’s result (RFC 8601 vocabulary: pass, fail, softfail, neutral, none, temperror, permerror).',
  fields: (t) => ({
    result: t.exposeString('result', { description: 'The result, lower-case.' }),
    domain: t.exposeString('domain', { nullable: true, description: 'The domain it is about (SPF MAIL FROM, DKIM d=, DMARC From domain, ARC sealer).' }),
    detail: t.exposeString('detail', { nullable: true, description: 'The checker’s own comment, when it gave one.' }),
  }),
});

const DmarcCheckRef = builder.objectRef<NonNullable<AuthenticationResults['dmarc']>>('DmarcCheck').implement({
  description: 'The DMARC result and the domain’s policy.',
  fields: (t) => ({
    result: t.exposeString('result', { description: 'pass, fail, none, temperror…' }),
    domain: t.exposeString('domain', { nullable: true, description: 'The From domain.' }),
    policy: t.exposeString('policy', { nullable: true, description: 'What the domain asks for failing mail: none, quarantine or reject.' }),
    detail: t.exposeString('detail', { nullable: true, description: 'The checker’s own comment.' }),
  }),
});

const AuthenticationSourceEnum = builder.enumType('AuthenticationSource', {
  description: 'Who checked the sender.',
  values: {
    CORREIO: { description: 'Correio’s own SMTP receiver, from the connecting IP (SPF), the signatures and the domain’s policy.' },
    TRUSTED_HEADER: { description: 'The mailbox provider that received it: its Authentication-Results header, whose authserv-id the account trusts.' },
    DKIM_ONLY: { description: 'Correio, from the signatures alone: mail fetched from a mailbox without a trusted Authentication-Results header.' },
  } as const,
});

const REASON_DESCRIPTIONS: Record<(typeof SENDER_VERDICT_REASONS)[number], string> = {
  DMARC_PASS: 'The From domain passes DMARC (VERIFIED).',
  DKIM_ALIGNED: 'Signed by the From domain (DKIM), which publishes no DMARC policy (VERIFIED).',
  DMARC_FAIL_POLICY: 'Fails DMARC, and the domain asks receivers to reject or quarantine such mail (FORGED).',
  DMARC_FAIL_FORWARDED: 'Fails DMARC, but a forwarder’s ARC seal vouches for the original (NOT_VERIFIED).',
  DMARC_FAIL_NO_POLICY: 'Fails DMARC, but the domain asks for no action, p=none (NOT_VERIFIED).',
  SERVER_UNKNOWN: 'No signature of the From domain verifies, and no trusted server said whether SPF passed: fetched mail without a trusted Authentication-Results header (NOT_VERIFIED).',
  TEMPORARY_ERROR: 'The check could not complete (DNS error); it may pass later (NOT_VERIFIED).',
  NO_EVIDENCE: 'No DMARC policy and no signature of the From domain: nothing proves who sent it (NOT_VERIFIED).',
};

const SenderVerdictReasonEnum = builder.enumType('SenderVerdictReason', {
  description: 'Why a sender verdict is what it is; clients word it in the reader’s language.',
  values: Object.fromEntries(SENDER_VERDICT_REASONS.map((r) => [r, { description: REASON_DESCRIPTIONS[r] }])) as Record<(typeof SENDER_VERDICT_REASONS)[number], { description: string }>,
});

export const AuthenticationResultsRef = builder.objectRef<AuthenticationResults>('AuthenticationResults').implement({
  description: 'SPF, DKIM, DMARC and ARC of an incoming e-mail, and why its verdict is what it is (W9).',
  fields: (t) => ({
    source: t.field({ type: AuthenticationSourceEnum, description: 'Who checked.', resolve: (r) => r.source }),
    authservId: t.exposeString('authservId', { nullable: true, description: 'The trusted server whose header was read (TRUSTED_HEADER).' }),
    spf: t.field({ type: AuthenticationCheckRef, nullable: true, description: 'SPF: may the connecting server send for the MAIL FROM domain.', resolve: (r) => r.spf }),
    dkim: t.field({ type: [AuthenticationCheckRef], description: 'Every DKIM signature’s result.', resolve: (r) => r.dkim }),
    dmarc: t.field({ type: DmarcCheckRef, nullable: true, description: 'DMARC for the From domain.', resolve: (r) => r.dmarc }),
    arc: t.field({ type: AuthenticationCheckRef, nullable: true, description: 'ARC: what forwarders vouch for, when the message carries a chain.', resolve: (r) => r.arc }),
    fromDomain: t.exposeString('fromDomain', { nullable: true, description: 'The From domain the verdict is about.' }),
    reasonCode: t.field({ type: SenderVerdictReasonEnum, description: 'Why the verdict is what it is, as a code (the SPA words it in pt-BR or English).', resolve: (r) => r.reasonCode ?? 'NO_EVIDENCE' }),
    reason: t.string({ description: 'The same reason, one sentence in the request’s language.', resolve: (r, _a, ctx) => (r.reasonText ? renderText(r.reasonText, ctx.locale) : r.reason) }),
    reasonText: t.field({ type: LocalizedTextRef, nullable: true, description: '`reason` as a text code with its domains (null for mail verified before texts had codes).', resolve: (r) => r.reasonText ?? null }),
  }),
});
