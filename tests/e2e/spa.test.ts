import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startTestDns, type TestDns } from '../helpers/dns-server.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureWebBuilt, launchBrowser, screenshot, SCREENSHOTS, STATE_RECORDER, type BadgeState, type E2EBrowser } from './helpers/browser.ts';
import { composerBox, typeRich } from './helpers/composer.ts';

/**
 * The SPA in Debian's Chromium against a real Correio (API + engine in this process), a real
 * Dovecot and a real SMTP server: what an admin and an agent do on their first day.
 * One story, in order: each test builds on the state the previous one left.
 */
describe('SPA end to end', () => {
  let app: TestApp;
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let dns: TestDns;
  let browser: E2EBrowser;
  let page: Page;
  const slug = `acme${Date.now().toString(36)}`;
  const admin = { name: 'Ana Admin', email: `ana-${slug}@example.com`, password: 'correct horse battery staple' };
  const mailbox = { user: 'support', password: 'secret-imap-1' };

  const badgeStates = async (): Promise<BadgeState[]> => page.evaluate(() => (globalThis as unknown as { __badgeStates?: BadgeState[] }).__badgeStates ?? []);
  const pageErrors: string[] = [];
  const row = (address: string) => page.locator(`tr[data-address="${address}"]`);

  beforeAll(async () => {
    ensureWebBuilt();
    [dovecot, sink, browser, dns] = await Promise.all([startDovecot({ users: [mailbox] }), startSmtpSink({ tls: 'none' }), launchBrowser(), startTestDns()]);
    // A bank that sends only from its own servers and asks receivers to reject anything else.
    dns.txt('banco-seguro.com.br', 'v=spf1 ip4:203.0.113.5 -all');
    dns.txt('_dmarc.banco-seguro.com.br', 'v=DMARC1; p=reject');
    app = await startTestApp({ CORREIO_DNS_SERVERS: dns.server });
    ({ page } = await browser.newPage(app.url));
    await page.addInitScript(STATE_RECORDER);
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to|Uncaught|\[Vue warn\]|\[intlify\]/i.test(msg.text())) pageErrors.push(`console: ${msg.text()}`);
    });
  });

  // A failing step leaves a picture of what the browser showed.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, `FAILED-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`, { fullPage: true, toasts: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([dovecot?.stop(), sink?.stop(), dns?.close()]);
  });

  it('signs up and lands on the accounts screen with the built-in account', async () => {
    await page.goto('/');
    await expect.poll(() => page.url()).toContain('/login');
    await screenshot(page, '01-login');
    await page.getByRole('link', { name: 'Create workspace' }).click();
    await page.getByLabel('Company or team name').fill('Acme Suporte');
    await page.getByLabel('Workspace address').fill(slug);
    await page.getByLabel('Your name').fill(admin.name);
    await page.getByLabel('E-mail', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await screenshot(page, '02-signup');
    await page.getByRole('button', { name: 'Create workspace' }).click();

    await page.waitForURL('**/settings/email/accounts');
    await expect(page.getByRole('heading', { level: 1, name: 'E-mail accounts' }).isVisible()).resolves.toBe(true);
    const builtin = row(`support@${slug}.correio.localhost`);
    await builtin.waitFor();
    expect(await builtin.getByText('Built-in').isVisible()).toBe(true);
    // The status explanation from the manual is on the screen.
    await page.getByText('What does each status mean?').click();
    expect(await page.getByText('Which errors cause the “Intermittent” status?').isVisible()).toBe(true);
    await screenshot(page, '03-accounts', { fullPage: true });
  });

  it('creates an IMAP account with manual settings and watches its badge go CHECKING → OK live', async () => {
    await page.getByTestId('new-account').click();
    await page.waitForURL('**/settings/email/accounts/new');
    const form = page.getByTestId('account-form');
    await form.getByLabel('Name', { exact: true }).fill('Acme support');
    await form.getByLabel('E-mail address').fill('support@acme.example');

    // Receiving: the port fills itself from protocol + encryption until typed by hand.
    const receiving = page.getByRole('region', { name: 'Receiving' });
    const incomingPort = receiving.getByLabel('Port', { exact: true });
    expect(await incomingPort.inputValue()).toBe('993');
    await receiving.getByLabel('Encryption', { exact: true }).selectOption({ label: 'None' });
    expect(await incomingPort.inputValue()).toBe('143');
    await receiving.getByRole('radio', { name: /^POP3/ }).check();
    expect(await incomingPort.inputValue()).toBe('110');
    await receiving.getByRole('radio', { name: /^IMAP/ }).check();
    expect(await incomingPort.inputValue()).toBe('143');
    await incomingPort.fill(String(dovecot.imapPort));
    await receiving.getByLabel('User', { exact: true }).fill(mailbox.user);
    await receiving.getByLabel('Password', { exact: true }).fill(mailbox.password);
    await page.getByRole('region', { name: 'Sending' }).getByLabel('Server', { exact: true }).fill('127.0.0.1');

    // The API's field errors appear beside the field they are about.
    await receiving.getByLabel('Server', { exact: true }).fill('imap://not a host');
    await page.getByTestId('save-and-test').click();
    const hostError = receiving.getByRole('alert');
    await hostError.waitFor();
    expect(await hostError.textContent()).toMatch(/host name/i);
    expect(await receiving.getByLabel('Server', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await receiving.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    // Fixing the field clears its error.
    expect(await receiving.getByRole('alert').count()).toBe(0);

    const sending = page.getByRole('region', { name: 'Sending' });
    await sending.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await sending.getByLabel('Encryption', { exact: true }).selectOption({ label: 'None' });
    expect(await sending.getByLabel('Port', { exact: true }).inputValue()).toBe('25');
    await sending.getByLabel('Port', { exact: true }).fill(String(sink.port));
    await sending.getByLabel('Server requires authentication').uncheck();
    await page.evaluate(() => scrollTo(0, 0));
    await screenshot(page, '04-account-form');
    await page.getByRole('region', { name: 'Sending' }).scrollIntoViewIfNeeded();
    await screenshot(page, '04b-account-form-sending');

    await page.getByTestId('save-and-test').click();
    // Tested, saved, back on the list; opening it re-tests every account live.
    await page.waitForURL('**/settings/email/accounts', { timeout: 30_000 });
    const created = row('support@acme.example');
    await created.waitFor();
    await waitFor(async () => (await created.getByTestId('status-incoming').getAttribute('data-state')) === 'OK', 'incoming OK', 30_000, 100);
    await waitFor(async () => (await created.getByTestId('status-outgoing').getAttribute('data-state')) === 'OK', 'outgoing OK', 30_000, 100);

    // Refreshing re-tests: the badge goes through CHECKING and back to OK, without a reload.
    const before = (await badgeStates()).length;
    await page.getByTestId('refresh-statuses').click();
    await waitFor(
      async () => {
        const states = (await badgeStates()).slice(before).filter((s) => s.address === 'support@acme.example' && s.direction === 'incoming').map((s) => s.state);
        const checking = states.indexOf('CHECKING');
        return checking >= 0 && states.slice(checking + 1).includes('OK');
      },
      'CHECKING → OK after refresh',
      30_000,
      100,
    );
    expect(await created.getByTestId('status-incoming').getAttribute('data-state')).toBe('OK');
    await screenshot(page, '05-accounts-ok');

    // Gear › Test: a short diagnosis, step by step.
    await created.getByRole('button', { name: /Options for/ }).click();
    await page.getByRole('menuitem', { name: 'Test' }).click();
    const diagnosis = page.getByRole('dialog').getByTestId('test-result');
    await diagnosis.waitFor({ timeout: 30_000 });
    expect(await diagnosis.locator('[data-direction="INCOMING"]').getAttribute('data-state')).toBe('OK');
    expect(await diagnosis.locator('[data-direction="INCOMING"] [data-phase="AUTH"]').getAttribute('data-ok')).toBe('true');
    await screenshot(page, '05b-account-test');
    await page.keyboard.press('Escape');
  });

  it('shows ERROR with the hint under "Show last errors" after the password is changed to a wrong one', async () => {
    const created = row('support@acme.example');
    await created.getByRole('button', { name: /Options for/ }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await page.waitForURL('**/edit');
    const receiving = page.getByRole('region', { name: 'Receiving' });
    await receiving.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByTestId('save-and-test').click();

    const result = page.getByTestId('form-test-result');
    await result.waitFor({ timeout: 30_000 });
    await waitFor(async () => (await result.locator('[data-direction="INCOMING"]').getAttribute('data-state')) === 'ERROR', 'inline test ERROR', 30_000, 100);
    expect(await result.getByTestId('test-hint').first().isVisible()).toBe(true);
    await screenshot(page, '06-account-form-test-error');

    // Not saved yet: the test runs before anything is stored. Save anyway.
    await page.getByTestId('save-anyway').click();
    await page.waitForURL('**/settings/email/accounts');
    await waitFor(async () => (await row('support@acme.example').getByTestId('status-incoming').getAttribute('data-state')) === 'ERROR', 'incoming ERROR', 30_000, 100);
    await screenshot(page, '07-accounts-error');

    // The gear menu works from the keyboard: ↓ opens it on the first item, ↓↓ moves, Enter picks.
    await row('support@acme.example').getByRole('button', { name: /Options for/ }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Edit');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Show last errors');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('last-error').first().waitFor();
    const first = dialog.getByTestId('last-error').first();
    expect(await first.textContent()).toMatch(/Login|AUTH/);
    expect(await first.getByTestId('last-error-hint').isVisible()).toBe(true);
    await screenshot(page, '08-last-errors');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // Pointing the account at another server keeps no saved password: the form asks for it again (A13).
    await row('support@acme.example').getByRole('button', { name: /Options for/ }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const editing = page.getByRole('region', { name: 'Receiving' });
    await editing.getByLabel('Server', { exact: true }).fill('localhost');
    await page.getByTestId('save-and-test').click();
    await waitFor(async () => ((await editing.getByRole('alert').allTextContents()).join(' ').includes('Type the password again') ? true : null), 'the password to be asked for again', 15_000, 100);
    expect(await editing.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await editing.screenshot({ path: `${SCREENSHOTS}/08b-password-again.png`, animations: 'disabled' });

    // Put the right password back: the account recovers (the next tests receive mail through it).
    await editing.getByLabel('Password', { exact: true }).fill(mailbox.password);
    await page.getByTestId('save-and-test').click();
    await page.waitForURL('**/settings/email/accounts', { timeout: 30_000 });
    await waitFor(async () => (await row('support@acme.example').getByTestId('status-incoming').getAttribute('data-state')) === 'OK', 'incoming OK again', 30_000, 100);
  });

  it('shows a new ticket in the open inbox without a reload when mail arrives in Dovecot', async () => {
    await page.getByTestId('nav-tickets').click();
    await page.waitForURL('**/tickets');
    await page.getByText('No tickets yet').waitFor();
    const subject = `Impressora não imprime ${Date.now()}`;
    await dovecot.deliver(
      mailbox.user,
      buildMail({ subject, to: 'support@acme.example', cc: 'Chefe <chefe@cliente.example>, compras@cliente.example', text: 'Bom dia,\n\na impressora do escritório parou de imprimir.\n\nAna', html: '<p>Bom dia,</p><p>a impressora do escritório <b>parou de imprimir</b>.</p><p>Ana</p>' }).raw,
    );
    const ticketRow = page.locator('tr[data-ticket-id]', { hasText: subject });
    await ticketRow.waitFor({ timeout: 20_000 });
    expect(await ticketRow.getAttribute('data-unread')).toBe('true');
    expect(await page.getByTestId('ticket-total').textContent()).toBe('1');
    await screenshot(page, '09-inbox');
  });

  it('replies to the ticket and the SMTP server receives the e-mail', async () => {
    await page.locator('tr[data-ticket-id] a').first().click();
    await page.waitForURL(/\/tickets\/[0-9a-f-]+$/);
    await page.getByTestId('thread').locator('article').first().waitFor();
    // The e-mail's HTML renders inside a sandboxed frame that may not run scripts.
    const frame = page.getByTestId('mail-frame').first();
    expect(await frame.getAttribute('sandbox')).not.toContain('allow-scripts');
    expect(await page.frameLocator('[data-testid="mail-frame"]').first().locator('b').textContent()).toBe('parou de imprimir');

    await typeRich(page, composerBox(page), 'Olá Ana,\n\nvamos verificar a impressora hoje.\n\nAbraços');
    // The ticket's CCs are chips: what they show is exactly who gets the reply.
    const chips = page.getByTestId('cc-chip');
    await waitFor(async () => (await chips.count()) === 2, 'the ticket’s CCs as chips', 10_000, 100);
    expect(await chips.allTextContents()).toEqual(['chefe@cliente.example', 'compras@cliente.example']);
    await page.getByRole('button', { name: 'Remove compras@cliente.example' }).click();
    await page.getByTestId('reply-cc').locator('input').fill('gerente@cliente.example');
    await page.keyboard.press('Enter');
    expect(await chips.allTextContents()).toEqual(['chefe@cliente.example', 'gerente@cliente.example']);
    // Attachments upload as soon as they are picked; Send waits for them.
    await page.getByTestId('reply-files').setInputFiles({ name: 'diagnostico.txt', mimeType: 'text/plain', buffer: Buffer.from('Teste de impressão: falhou na bandeja 2.\n') });
    await waitFor(async () => (await page.getByTestId('upload').count()) === 1 && (await page.getByTestId('composer-submit').isEnabled()), 'upload finished', 15_000, 100);
    await page.getByTestId('composer-submit').click();
    const [message] = await sink.waitForMessages(1, 20_000);
    const raw = message!.raw.toString('utf8');
    expect([...message!.to].sort()).toEqual(['ana@cliente.example', 'chefe@cliente.example', 'gerente@cliente.example']);
    expect(raw).toMatch(/Subject: .*Impressora/);
    expect(raw).toContain('vamos verificar a impressora hoje');
    expect(raw).toContain('diagnostico.txt');

    const outgoing = page.locator('article[data-kind="EMAIL_OUT"]');
    await outgoing.waitFor();
    await waitFor(async () => (await outgoing.getByTestId('delivery').getAttribute('data-delivery')) === 'SENT', 'delivery SENT', 20_000, 100).catch(async (err: Error) => {
      // Say whether the server or the page is behind: the API's own view of the delivery.
      const tok = await page.evaluate(() => localStorage.getItem('correio.token') ?? '');
      const api = await gqlOk(app.url, '{ tickets { edges { node { actions { kind delivery deliveryError } } } } }', {}, tok);
      throw new Error(`${err.message}; the API says ${JSON.stringify(api)}`);
    });
    await screenshot(page, '10-ticket', { fullPage: true });

    // The customer answers, quoting us: the new action appears live, its quote folded away.
    const replyId = /^Message-ID:\s*<([^>]+)>/im.exec(raw)?.[1];
    expect(replyId).toBeTruthy();
    await dovecot.deliver(
      mailbox.user,
      buildMail({
        subject: 'Re: Impressora',
        to: 'support@acme.example',
        inReplyTo: replyId!,
        references: [replyId!],
        text: 'Obrigada, funcionou!\n\nEm 21/11/2026 10:00, Acme support escreveu:\n> Olá Ana,\n> vamos verificar a impressora hoje.\n',
      }).raw,
    );
    const answer = page.locator('article[data-kind="EMAIL_IN"]').nth(1);
    await answer.waitFor({ timeout: 20_000 });
    expect(await answer.getByTestId('action-text').textContent()).toContain('Obrigada, funcionou!');
    expect(await answer.getByTestId('action-text').textContent()).not.toContain('vamos verificar');
    await answer.getByTestId('show-quoted').click();
    expect(await answer.getByTestId('action-text').textContent()).toContain('vamos verificar');

    // An internal note never reaches the customer.
    await page.getByTestId('tab-note').click();
    await typeRich(page, composerBox(page), 'Cliente VIP, priorizar.');
    await page.getByTestId('composer-submit').click();
    await page.locator('article[data-kind="NOTE"]').waitFor();
    expect(sink.messages).toHaveLength(1);
  });

  it('manages groups, ticket types, clients, domain rules, agents and failed imports', async () => {
    await page.getByTestId('nav-groups').click();
    await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
    await page.getByTestId('admin-add-name').locator('input').fill('Departamento de SAC');
    await page.getByTestId('admin-add').click();
    await page.getByTestId('admin-list').getByText('Departamento de SAC').waitFor();
    await screenshot(page, '11-groups');

    await page.getByTestId('nav-ticket-types').click();
    await page.getByRole('heading', { level: 1, name: 'Ticket types' }).waitFor();
    await page.getByTestId('admin-add-name').locator('input').fill('Atendimentos do e-mail');
    await page.getByTestId('admin-add').click();
    await page.getByTestId('admin-list').getByText('Atendimentos do e-mail').waitFor();

    await page.getByTestId('nav-clients').click();
    await page.getByRole('row', { name: /ana@cliente\.example/ }).waitFor();
    await page.getByRole('button', { name: 'New client' }).click();
    const clientDialog = page.getByRole('dialog');
    await clientDialog.getByLabel('E-mail', { exact: true }).fill('carla@loja.example');
    await clientDialog.getByLabel('Name', { exact: true }).fill('Carla Lojista');
    await clientDialog.getByLabel('Company', { exact: true }).fill('Loja Exemplo');
    await clientDialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: /carla@loja\.example/ }).waitFor();
    await screenshot(page, '12-clients');

    await page.getByTestId('nav-domain-rules').click();
    await page.getByRole('heading', { level: 1, name: 'Domain rules' }).waitFor();
    await page.getByPlaceholder('company.com.br').fill('loja.example');
    await page.getByPlaceholder('Company name').fill('Loja Exemplo');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('row', { name: /loja\.example/ }).waitFor();

    await page.getByTestId('nav-agents').click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    await page.getByTestId('add-agent').click();
    const agentDialog = page.getByRole('dialog');
    await agentDialog.getByLabel('Name', { exact: true }).fill('Bruno Agente');
    await agentDialog.getByLabel('E-mail', { exact: true }).fill(`bruno-${slug}@example.com`);
    await agentDialog.getByLabel('First password', { exact: true }).fill('agent password 123');
    await screenshot(page, '13-agent-dialog');
    await agentDialog.getByRole('button', { name: 'Create login' }).click();
    await page.getByRole('row', { name: /Bruno Agente/ }).waitFor();
    expect(await page.getByRole('row', { name: /Bruno Agente/ }).textContent()).toContain('Agent');

    await page.getByTestId('nav-failed-imports').click();
    await page.getByText('Nothing failed').waitFor();
    await screenshot(page, '14-failed-imports');

    // The account form offers the new group and type.
    await page.getByTestId('nav-accounts').click();
    await row('support@acme.example').getByRole('button', { name: /Options for/ }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const classification = page.getByRole('region', { name: 'Ticket type and group' });
    await classification.getByLabel('Ticket type').selectOption({ label: 'Atendimentos do e-mail' });
    await classification.getByLabel('Group').selectOption({ label: 'Departamento de SAC' });
    await page.getByTestId('save-and-test').click();
    await page.waitForURL('**/settings/email/accounts', { timeout: 30_000 });
    await row('support@acme.example').getByText('Departamento de SAC').waitFor();
  });

  it('switches the interface to Portuguese (Brazil)', async () => {
    await page.getByTestId('language-switch').getByRole('button').click();
    await page.getByRole('menuitemradio', { name: /Português/ }).click();
    expect(await page.getByTestId('language-switch').getByRole('button').textContent()).toContain('PT');
    await page.getByTestId('nav-accounts').click();
    await page.getByRole('heading', { level: 1, name: 'Contas de e-mail' }).waitFor();
    expect(await page.getByRole('button', { name: 'Atualizar status' }).isVisible()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR');
    await page.getByText('O que significa cada um dos status?').click();
    // A fresh install's built-in address without a relay: "not configured", said in Portuguese,
    // with what to set — not a red error, and no English text from the server.
    const builtinRow = row(`support@${slug}.correio.localhost`);
    const sending = builtinRow.getByTestId('status-outgoing');
    expect(await sending.getAttribute('data-state')).toBe('NOT_CONFIGURED');
    expect(await sending.textContent()).toContain('Não configurado');
    const relayCallout = page.locator('.problems .callout', { hasText: 'SMTP_RELAY_URL' }).first();
    expect(await relayCallout.textContent()).toContain('o servidor não tem relay');
    expect(await relayCallout.textContent()).not.toContain('Built-in addresses');
    expect(await relayCallout.getAttribute('class')).toContain('callout--info');
    await screenshot(page, '15-accounts-pt-BR');
    await page.getByTestId('new-account').click();
    await page.getByRole('heading', { level: 1, name: 'Nova conta de e-mail' }).waitFor();
    await screenshot(page, '16-account-form-pt-BR');
    await page.getByRole('link', { name: 'Cancelar' }).click();
    await page.getByTestId('nav-tickets').click();
    await page.locator('tr[data-ticket-id]').first().waitFor();
    // Opened while it changed, so it is read now.
    expect(await page.locator('tr[data-ticket-id]').first().getAttribute('data-unread')).toBe('false');
    await screenshot(page, '17-inbox-pt-BR');
    await page.locator('tr[data-ticket-id] a').first().click();
    await page.getByTestId('thread').waitFor();
    await page.setViewportSize({ width: 1280, height: 720 });
    await screenshot(page, '18-ticket-pt-BR-1280');
    await page.setViewportSize({ width: 1366, height: 860 });

    // A browser that prefers Portuguese gets pt-BR from the first screen on.
    const { page: fresh } = await browser.newPage(app.url, { locale: 'pt-BR' });
    await fresh.goto('/login');
    await fresh.getByRole('heading', { name: 'Entrar' }).waitFor();
    await fresh.close();
  });

  it('flags a forged sender on the ticket, and lets the admin hold such mail and release it', async () => {
    // Still in Portuguese from the previous step. Mail "from the bank" reaches the built-in
    // address from 127.0.0.1, which the bank's SPF does not allow, unsigned: DMARC fails.
    const builtin = `support@${slug}.correio.localhost`;
    const forged = (subject: string) =>
      sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'x@golpista.net', to: [builtin] }, buildMail({ from: 'Banco Seguro <seguranca@banco-seguro.com.br>', to: builtin, subject, text: 'Atualize seus dados.' }).raw);
    await forged('Seu cartão foi bloqueado');
    await page.getByTestId('nav-tickets').click();
    const ticketRow = page.locator('tr[data-ticket-id]', { hasText: 'Seu cartão foi bloqueado' });
    await ticketRow.waitFor({ timeout: 20_000 });
    await ticketRow.locator('a').click();
    const verdict = page.getByTestId('sender-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('FORGED');
    expect(await verdict.textContent()).toContain('Remetente falsificado');
    // A forgery explains itself without a hover: the reason is open under the badge.
    expect(await page.getByTestId('sender-verdict-reason').textContent()).toMatch(/banco-seguro\.com\.br não enviou esta mensagem.*rejeitem/);
    expect(await verdict.getByRole('button').getAttribute('title')).toContain('Verificado pelo Correio na chegada');
    await screenshot(page, '18b-forged-sender-pt-BR');
    // Its built-in address cannot send yet: the composer says so before anyone types.
    expect(await page.getByTestId('composer-not-configured').textContent()).toContain('ainda não podem ser enviadas');

    // The admin chooses to hold such mail for review.
    await page.getByTestId('nav-accounts').click();
    await row(builtin).getByRole('button', { name: /Opções de/ }).click();
    await page.getByRole('menuitem', { name: 'Editar' }).click();
    await page.getByLabel('Quando o remetente for falsificado (falha no DMARC)').selectOption({ label: 'Reter para um administrador revisar' });
    await page.getByTestId('save-and-test').click();
    await page.waitForURL('**/settings/email/accounts', { timeout: 30_000 });
    await forged('Confirme seu Pix');

    await page.getByTestId('nav-failed-imports').click();
    await page.getByRole('tab', { name: 'Mensagens recusadas' }).click();
    const held = page.getByTestId('refused-messages').locator('tr', { hasText: 'Confirme seu Pix' });
    await held.waitFor({ timeout: 20_000 });
    expect(await held.textContent()).toContain('Retida');
    await screenshot(page, '18c-held-mail-pt-BR');
    await held.getByTestId('release-held').click();
    await held.getByText(/Liberada/).waitFor();
    await page.getByTestId('nav-tickets').click();
    await page.locator('tr[data-ticket-id]', { hasText: 'Confirme seu Pix' }).waitFor({ timeout: 20_000 });
  });

  it('keeps the admin screens from agents', async () => {
    const { page: agent } = await browser.newPage(app.url);
    await agent.goto('/login');
    await agent.getByLabel('E-mail').fill(`bruno-${slug}@example.com`);
    await agent.getByLabel('Password').fill('agent password 123');
    await agent.getByRole('button', { name: 'Log in' }).click();
    await agent.waitForURL('**/tickets');
    expect(await agent.getByTestId('nav-accounts').count()).toBe(0);
    await agent.goto('/settings/email/accounts');
    await agent.waitForURL('**/tickets');
    // Agents work tickets: the inbox and the ticket are theirs.
    await agent.locator('tr[data-ticket-id] a').first().click();
    await agent.getByTestId('composer').waitFor();
    await agent.getByTestId('logout').click();
    await agent.waitForURL('**/login');
    expect(await agent.evaluate(() => localStorage.getItem('correio.token'))).toBeNull();
    await agent.close();
  });

  it('answers a sign-up with a registered e-mail exactly like one with a taken address', async () => {
    const { page: stranger } = await browser.newPage(app.url);
    await stranger.goto('/signup');
    await stranger.getByLabel('Company or team name').fill('Outra Empresa');
    await stranger.getByLabel('Workspace address').fill(`outra${slug}`);
    await stranger.getByLabel('Your name').fill('Estranho');
    await stranger.getByLabel('E-mail', { exact: true }).fill(admin.email);
    await stranger.getByLabel('Password', { exact: true }).fill('another long password');
    await stranger.getByRole('button', { name: 'Create workspace' }).click();
    const alerts = stranger.getByRole('alert');
    await waitFor(async () => ((await alerts.count()) >= 2 ? true : null), 'the refusal beside both fields', 10_000, 100);
    const byEmail = await alerts.allTextContents();
    await stranger.getByLabel('Workspace address').fill(slug);
    await stranger.getByLabel('E-mail', { exact: true }).fill(`novo-${slug}@example.com`);
    await stranger.getByRole('button', { name: 'Create workspace' }).click();
    await waitFor(async () => ((await alerts.count()) >= 2 ? true : null), 'the refusal again', 10_000, 100);
    expect(await alerts.allTextContents()).toEqual(byEmail);
    expect(byEmail[0]).toMatch(/cannot be used/);
    await screenshot(stranger, '19-signup-refused');
    await stranger.close();
  });

  it('ran the whole story without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
