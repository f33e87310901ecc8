import { defineTexts } from './define.ts';

/** Why a sender verdict (W9) is what it is (`verdict.<REASON_CODE>…`), with the domains it is about. */
export const senderAuthTexts = defineTexts(
  {
    'verdict.DMARC_PASS': '{domain} passes DMARC.',
    'verdict.DMARC_PASS.dkim': '{domain} passes DMARC (DKIM signed by {signer}).',
    'verdict.DMARC_PASS.spf': '{domain} passes DMARC (SPF).',
    'verdict.DMARC_FAIL_FORWARDED': 'Fails DMARC for {domain}, but was forwarded by {forwarder} whose ARC seal vouches for the original.',
    'verdict.DMARC_FAIL_FORWARDED.unnamed': 'Fails DMARC for {domain}, but was forwarded by a server whose ARC seal vouches for the original.',
    'verdict.SERVER_UNKNOWN': 'No signature of {domain} verifies, and the server that received it is not trusted to say whether SPF passed (set the account’s trusted authserv-id).',
    'verdict.DMARC_FAIL_POLICY.reject': '{domain} did not send this: it fails DMARC, and the domain asks receivers to reject such mail.',
    'verdict.DMARC_FAIL_POLICY.quarantine': '{domain} did not send this: it fails DMARC, and the domain asks receivers to quarantine such mail.',
    'verdict.DMARC_FAIL_NO_POLICY': 'Fails DMARC for {domain}, but the domain asks for no action (p=none).',
    'verdict.DKIM_ALIGNED': 'Signed by {signer} (DKIM); the domain publishes no DMARC policy.',
    'verdict.TEMPORARY_ERROR': 'The DMARC check could not complete (DNS error); it may pass later.',
    'verdict.NO_EVIDENCE': 'Nothing proves who sent it: {domain} has no DMARC policy and the message has no signature of its own.',
    'verdict.NO_EVIDENCE.noDomain': 'Nothing proves who sent it: the message names no sender domain and has no signature of its own.',
  },
  {
    'verdict.DMARC_PASS': '{domain} passa no DMARC.',
    'verdict.DMARC_PASS.dkim': '{domain} passa no DMARC (assinado via DKIM por {signer}).',
    'verdict.DMARC_PASS.spf': '{domain} passa no DMARC (SPF).',
    'verdict.DMARC_FAIL_FORWARDED': 'Falha no DMARC de {domain}, mas foi encaminhada por {forwarder}, cujo selo ARC garante a mensagem original.',
    'verdict.DMARC_FAIL_FORWARDED.unnamed': 'Falha no DMARC de {domain}, mas foi encaminhada por um servidor cujo selo ARC garante a mensagem original.',
    'verdict.SERVER_UNKNOWN': 'Nenhuma assinatura de {domain} confere, e o servidor que a recebeu não é confiável para dizer se o SPF passou (defina o authserv-id confiável da conta).',
    'verdict.DMARC_FAIL_POLICY.reject': '{domain} não enviou esta mensagem: ela falha no DMARC, e o domínio pede que mensagens assim sejam rejeitadas.',
    'verdict.DMARC_FAIL_POLICY.quarantine': '{domain} não enviou esta mensagem: ela falha no DMARC, e o domínio pede que mensagens assim fiquem em quarentena.',
    'verdict.DMARC_FAIL_NO_POLICY': 'Falha no DMARC de {domain}, mas o domínio não pede nenhuma ação (p=none).',
    'verdict.DKIM_ALIGNED': 'Assinada por {signer} (DKIM); o domínio não publica política DMARC.',
    'verdict.TEMPORARY_ERROR': 'A verificação DMARC não pôde terminar (erro de DNS); ela pode passar mais tarde.',
    'verdict.NO_EVIDENCE': 'Nada comprova quem enviou: {domain} não tem política DMARC e a mensagem não tem assinatura própria.',
    'verdict.NO_EVIDENCE.noDomain': 'Nada comprova quem enviou: a mensagem não indica o domínio do remetente e não tem assinatura própria.',
  },
);
