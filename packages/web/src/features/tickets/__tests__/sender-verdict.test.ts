import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from '#i18n/en.ts';
import ptBR from '#i18n/pt-BR.ts';
import { verdictExplanation } from '../model/sender-verdict.ts';

const i18n = createI18n({ legacy: false, locale: 'en', messages: { en, 'pt-BR': ptBR } });
const t = (locale: 'en' | 'pt-BR') => (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {}, { locale });

const forged = {
  source: 'CORREIO' as const,
  authservId: null,
  fromDomain: 'banco.example',
  reasonCode: 'DMARC_FAIL_POLICY' as const,
  dmarc: { result: 'fail', policy: 'quarantine', domain: 'banco.example' },
  arc: null,
  dkim: [{ result: 'pass', domain: 'golpe.example' }],
  spf: { result: 'fail', domain: 'golpe.example' },
};

describe('the sender verdict, in words', () => {
  it('names the forged domain and what it asks receivers to do, in both languages', () => {
    expect(verdictExplanation(forged, t('en'))).toBe(
      'banco.example did not send this message: it fails DMARC, and the domain asks receivers to quarantine such mail. Do not trust requests for payments or passwords in it. Checked by Correio on arrival.',
    );
    expect(verdictExplanation(forged, t('pt-BR'))).toContain('banco.example não enviou esta mensagem');
    expect(verdictExplanation(forged, t('pt-BR'))).toContain('coloquem em quarentena');
  });

  it('credits the signing domain and the trusted server that checked', () => {
    const signed = { ...forged, source: 'TRUSTED_HEADER' as const, authservId: 'mx.google.com', reasonCode: 'DKIM_ALIGNED' as const, dmarc: null, dkim: [{ result: 'pass', domain: 'mail.loja.example' }] };
    expect(verdictExplanation(signed, t('en'))).toBe('Signed by mail.loja.example (DKIM). The domain publishes no DMARC policy. Checked by mx.google.com.');
    expect(verdictExplanation(signed, t('pt-BR'))).toBe('Assinado por mail.loja.example (DKIM). O domínio não publica política DMARC. Verificado por mx.google.com.');
  });
});
