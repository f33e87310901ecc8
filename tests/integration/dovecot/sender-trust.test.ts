import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { dkimKey, publishKey, startTestDns, type DkimKey, type TestDns } from '../../helpers/dns-server.ts';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { buildMail } from '../../helpers/mail.ts';
import { waitFor } from '../../helpers/wait.ts';

// W9 for mail fetched over IMAP: Correio did not receive it, so it reads the verdict of the
// server that did — only from the Authentication-Results header whose authserv-id the account
// trusts — and otherwise checks what it can alone: the DKIM signatures.

const TRUSTED = 'mx.provedor.com.br';
let dns: TestDns;
let dovecot: Dovecot;
let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let lojaKey: DkimKey;

const ACTION = `query($search: String) { tickets(first: 5, filter: { search: $search }) { edges { node { actions { kind senderVerdict authenticationResults { source authservId reasonCode spf { result domain } dkim { result domain } dmarc { result policy domain } } } } } } }`;
const incomingAction = async (subject: string) =>
  (await waitFor(async () => (await gqlOk(app.url, ACTION, { search: subject }, admin.token)).tickets.edges[0]?.node, `the ticket “${subject}”`)).actions[0];

beforeAll(async () => {
  dns = await startTestDns();
  lojaKey = dkimKey('lojagenuina.com.br', 's1');
  publishKey(dns, lojaKey);
  dns.txt('_dmarc.lojagenuina.com.br', 'v=DMARC1; p=reject');
  dns.txt('_dmarc.banco-seguro.com.br', 'v=DMARC1; p=reject');
  dovecot = await startDovecot({ users: [{ user: 'support', password: 'secret' }] });
  app = await startTestApp({ CORREIO_DNS_SERVERS: dns.server });
  admin = await signUp(app.url, { slug: 'confianca' });
  const account = await connectDovecotAccount(app.url, admin.token, dovecot, 'support', { incoming: { trustedAuthservId: TRUSTED } });
  await waitFor(async () => (await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { status { incoming { state } } } }`, { id: account.id }, admin.token)).emailAccount.status.incoming.state === 'OK', 'the mailbox to connect');
});
afterAll(async () => {
  await app?.stop();
  await dovecot?.stop();
  await dns?.close();
});

describe('sender verification of mail fetched by IMAP (W9)', () => {
  it('reads the trusted receiving server’s verdict: a forged bank is FORGED', async () => {
    const raw = buildMail({
      from: 'Banco Seguro <seguranca@banco-seguro.com.br>',
      to: 'support@acme.example',
      subject: 'Seu cartão foi bloqueado',
      headers: {
        // Newest first, as servers prepend: the provider's verdict on top, a relay's below.
        'Authentication-Results': `${TRUSTED};\r\n dkim=none;\r\n spf=fail (${TRUSTED}: domain of bounce@golpista.net does not designate 198.51.100.7 as permitted sender) smtp.mailfrom=bounce@golpista.net;\r\n dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=banco-seguro.com.br`,
      },
    }).raw;
    await dovecot.deliver('support', raw);
    const action = await incomingAction('Seu cartão foi bloqueado');
    expect(action.senderVerdict).toBe('FORGED');
    expect(action.authenticationResults).toMatchObject({
      source: 'TRUSTED_HEADER',
      authservId: TRUSTED,
      reasonCode: 'DMARC_FAIL_POLICY',
      spf: { result: 'fail', domain: 'golpista.net' },
      dmarc: { result: 'fail', policy: 'reject', domain: 'banco-seguro.com.br' },
    });
  });

  it('ignores a verdict the sender wrote about itself under another server’s name', async () => {
    // The attacker adds a glowing header of its own; nobody the account trusts wrote it.
    const raw = buildMail({
      from: 'Banco Seguro <pix@banco-seguro.com.br>',
      to: 'support@acme.example',
      subject: 'Pix devolvido',
      headers: { 'Authentication-Results': 'mx.atacante.net; dkim=pass header.d=banco-seguro.com.br; spf=pass smtp.mailfrom=banco-seguro.com.br; dmarc=pass header.from=banco-seguro.com.br' },
    }).raw;
    await dovecot.deliver('support', raw);
    const action = await incomingAction('Pix devolvido');
    expect(action.senderVerdict).toBe('NOT_VERIFIED');
    expect(action.authenticationResults).toMatchObject({ source: 'DKIM_ONLY', authservId: null, reasonCode: 'SERVER_UNKNOWN', spf: null, dkim: [] });
  });

  it('without a trusted header, verifies a DKIM signature of the From domain itself', async () => {
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim: { domainName: lojaKey.domain, keySelector: lojaKey.selector, privateKey: lojaKey.privateKey } });
    const info = await composer.sendMail({ from: 'Loja <avisos@lojagenuina.com.br>', to: 'support@acme.example', subject: 'Boleto da assinatura', text: 'Vence dia 10.' });
    await dovecot.deliver('support', info.message as Buffer);
    const action = await incomingAction('Boleto da assinatura');
    expect(action.senderVerdict).toBe('VERIFIED');
    expect(action.authenticationResults).toMatchObject({ source: 'DKIM_ONLY', reasonCode: 'DMARC_PASS', dkim: [{ result: 'pass', domain: 'lojagenuina.com.br' }], dmarc: { result: 'pass' } });
  });
});
