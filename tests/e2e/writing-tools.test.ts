import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { outboundEngineOptions } from '../helpers/outbound.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';
import { composerBox, paragraphsOf, typeRich } from './helpers/composer.ts';

/**
 * Issue 16 in the browser, what an agent writes with: a canned reply written on its page and
 * inserted by ::shortcut or Ctrl+Shift+K, the agent's own signature, and a conversation started
 * by e-mail — each checked in what reaches the relay (an SMTP sink).
 */
describe('canned replies, signatures and new conversations in Chromium', () => {
  let app: TestApp;
  let browser: E2EBrowser;
  let relay: SmtpSink;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    relay = await startSmtpSink({ tls: 'none' });
    [app, browser] = await Promise.all([startTestApp({ SMTP_RELAY_URL: `smtp://127.0.0.1:${relay.port}` }, outboundEngineOptions()), launchBrowser()]);
    admin = await signUp(app.url, { slug: `prontas${Date.now().toString(36)}`, name: 'Ana Atendente' });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, `FAILED-canned-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`, { fullPage: true, toasts: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await relay?.stop();
  });

  it('is written on its page, inserted with ::shortcut, and sent with its variables filled in (pt-BR)', async () => {
    const to = `support@${admin.slug}.correio.localhost`;
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'joana@cliente.example', to: [to] }, buildMail({ to, from: 'Joana Lima <joana@cliente.example>', subject: 'Segunda via do boleto', text: 'Preciso da segunda via.' }).raw);
    const ticket = await waitFor(async () => (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { id number } } } }`, {}, admin.token)).tickets.edges[0]?.node, 'the ticket');

    ({ page } = await browser.newPage(app.url, { locale: 'pt-BR' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Uncaught|\[Vue warn\]|\[intlify\]/i.test(msg.text())) pageErrors.push(msg.text());
    });

    // The admin writes it for everyone.
    await page.goto('/canned-replies');
    await page.getByTestId('canned-add').click();
    await page.getByTestId('canned-title').locator('input').fill('Segunda via');
    await page.getByTestId('canned-shortcut').locator('input').fill('2via');
    // Formatted as the admin wants it read: variables from their buttons, the key words in bold.
    const body = page.getByTestId('canned-text').getByRole('textbox');
    await body.click();
    await page.keyboard.type('Olá ');
    await page.getByTestId('canned-var-cliente.nome').click();
    await page.keyboard.type(', segue a ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('segunda via');
    await page.keyboard.press('Control+b');
    await page.keyboard.type(' do boleto do ticket #');
    await page.getByTestId('canned-var-ticket.numero').click();
    await page.keyboard.type('.');
    await page.keyboard.press('Shift+Enter');
    await page.getByTestId('canned-var-agente.nome').click();
    await page.getByRole('checkbox', { name: 'Só para mim' }).uncheck();
    // With the bill itself as its file.
    const bill = Buffer.from('%PDF-1.4 boleto 23793.38128 60000.000003');
    await page.getByTestId('canned-files-input').setInputFiles({ name: 'boleto.pdf', mimeType: 'application/pdf', buffer: bill });
    await waitFor(async () => (await page.getByTestId('canned-save').isEnabled()) && (await page.getByTestId('upload').count()) === 1 || null, 'the file uploaded');
    await screenshot(page, 'canned-00-form-pt-BR');
    await page.getByTestId('canned-save').click();
    const row = page.getByTestId('canned-row').filter({ hasText: 'Segunda via' });
    await row.waitFor();
    expect(await row.innerText()).toContain('::2via');
    expect(await row.getByTestId('canned-files').getAttribute('title')).toBe('boleto.pdf');
    await screenshot(page, 'canned-01-page-pt-BR');

    // In the ticket, "::" opens the picker; the shortcut finds it; Enter inserts it filled in.
    await page.goto(`/tickets/${ticket.id}`);
    const box = composerBox(page);
    await box.click();
    await box.pressSequentially('Bom dia! ::', { delay: 10 });
    const search = page.getByTestId('canned-search');
    await search.waitFor();
    await search.pressSequentially('2via', { delay: 10 });
    await page.getByTestId('canned-option').filter({ hasText: 'Segunda via' }).waitFor();
    await screenshot(page, 'canned-02-picker-pt-BR');
    await search.press('Enter');
    const filled = `Bom dia! Olá Joana Lima, segue a segunda via do boleto do ticket #${ticket.number}.\nAna Atendente`;
    await waitFor(async () => (await paragraphsOf(box)).join('\n\n') === filled || null, 'the filled-in reply in the composer', 10_000, 100).catch(async (err) => {
      throw new Error(`${(err as Error).message}; composer: ${JSON.stringify(await paragraphsOf(box))}`);
    });
    expect(await box.locator('strong').innerText()).toBe('segunda via');
    // The caret stays in the text, after what was inserted: the agent goes on typing.
    await page.keyboard.type(' Abraços.');
    expect((await paragraphsOf(box)).join('\n\n')).toBe(`${filled} Abraços.`);
    await screenshot(page, 'canned-03-inserted-pt-BR');
    // The reply's file came along, ready to send.
    expect(await page.getByTestId('upload').innerText()).toContain('boleto.pdf');

    await page.getByTestId('composer-submit').click();
    const [sent] = await relay.waitForMessages(1, 20_000);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toContain('joana@cliente.example');
    expect(parsed.text).toContain(`Olá Joana Lima, segue a segunda via do boleto do ticket #${ticket.number}.`);
    expect(parsed.text).toContain('Ana Atendente Abraços.');
    expect(parsed.html).toContain('segue a <strong>segunda via</strong> do boleto');
    expect(parsed.attachments.map((a) => [a.filename, a.content.equals(bill)])).toEqual([['boleto.pdf', true]]);
    expect(pageErrors).toEqual([]);
  });

  it('opens with Ctrl+Shift+K, moves with the arrows, and closes with Escape without inserting (English)', async () => {
    await gqlOk(app.url, `mutation { createCannedReply(input: { title: "Thanks", text: "Thank you, {{customer.name}}!", personal: true }) { id } }`, {}, admin.token);
    const ticket = (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { id } } } }`, {}, admin.token)).tickets.edges[0].node;
    ({ page } = await browser.newPage(app.url, { locale: 'en' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto(`/tickets/${ticket.id}`);
    const box = composerBox(page);
    await box.click();
    await page.keyboard.press('Control+Shift+K');
    const options = page.getByTestId('canned-option');
    await options.nth(1).waitFor();
    const active = () => page.locator('[data-testid="canned-option"][aria-selected="true"]').innerText();
    const first = await active();
    await page.keyboard.press('ArrowDown');
    expect(await active()).not.toBe(first);
    await page.keyboard.press('Escape');
    await page.getByTestId('canned-search').waitFor({ state: 'detached' });
    expect((await box.innerText()).trim()).toBe('');
    // Focus is back in the text.
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.press('Control+Shift+K');
    await page.getByTestId('canned-search').fill('thanks');
    await options.filter({ hasText: 'Thanks' }).click();
    await waitFor(async () => (await box.innerText()).trim() === 'Thank you, Joana Lima!' || null, 'the English reply inserted');
  });

  it('previews and saves the agent’s own signature, which then closes the replies they send (pt-BR)', async () => {
    ({ page } = await browser.newPage(app.url, { locale: 'pt-BR' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto('/canned-replies');
    const card = page.getByTestId('my-signature');
    // Rich text: a variable from its button, words typed, one in italics, a second paragraph.
    const editor = card.getByRole('textbox', { name: 'Sua assinatura' });
    await editor.click();
    await card.getByTestId('signature-var-agente.nome').click();
    await page.keyboard.type(' — ');
    await card.getByTestId('richtext-italic').click();
    await page.keyboard.type('Financeiro');
    await card.getByTestId('richtext-italic').click();
    await page.keyboard.press('Enter');
    await page.keyboard.type('Atendendo ');
    await card.getByTestId('signature-var-cliente.nome').click();
    // The preview is the server's, filled in for a sample customer, in the e-mail frame.
    const preview = card.getByTestId('signature-preview').frameLocator('iframe');
    await preview.getByText('Atendendo Maria Silva').waitFor();
    expect(await preview.locator('em').innerText()).toBe('Financeiro');
    expect(await preview.locator('body').innerText()).toContain('Ana Atendente — Financeiro');
    await screenshot(page, 'signature-01-preview-pt-BR');
    await card.getByTestId('signature-save').click();
    const saved = '<p>{{agente.nome}} — <em>Financeiro</em></p><p>Atendendo {{cliente.nome}}</p>';
    await waitFor(async () => (await gqlOk(app.url, `{ me { signature } }`, {}, admin.token)).me.signature === saved || null, 'the signature saved');

    relay.reset();
    const ticket = (await gqlOk(app.url, `{ tickets(first: 1) { edges { node { id } } } }`, {}, admin.token)).tickets.edges[0].node;
    await page.goto(`/tickets/${ticket.id}`);
    await typeRich(page, composerBox(page), 'Qualquer dúvida, estamos à disposição.');
    await page.getByTestId('composer-submit').click();
    const [sent] = await relay.waitForMessages(1, 20_000);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.text!.replace(/\r\n/g, '\n')).toContain('Qualquer dúvida, estamos à disposição.\n\n-- \nAna Atendente — Financeiro\n\nAtendendo Joana Lima');
    expect(parsed.html).toContain('<p>Ana Atendente — <em>Financeiro</em></p><p>Atendendo Joana Lima</p>');
  });

  it('starts a conversation by e-mail from the inbox, and lands on its pending ticket (English)', async () => {
    relay.reset();
    ({ page } = await browser.newPage(app.url, { locale: 'en' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto('/tickets');
    await page.getByTestId('start-ticket').click();
    await page.getByTestId('start-to').locator('input').fill('paulo@fornecedor.example');
    await page.getByTestId('start-name').locator('input').fill('Paulo Fornecedor');
    await page.getByTestId('start-subject').locator('input').fill('Quote for 200 boxes');
    await typeRich(page, page.getByTestId('start-text').getByRole('textbox'), 'Hello Paulo, could you send us a quote for 200 boxes?');
    const spec = Buffer.from('%PDF-1.4 box spec: 40 x 30 x 20 cm');
    await page.getByTestId('start-files').setInputFiles({ name: 'box-spec.pdf', mimeType: 'application/pdf', buffer: spec });
    await waitFor(async () => (await page.getByTestId('upload').innerText()).includes('box-spec.pdf') && (await page.getByTestId('start-send').isEnabled()) || null, 'the file uploaded');
    await screenshot(page, 'start-ticket-01-dialog-en');
    await page.getByTestId('start-send').click();

    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await page.getByTestId('thread').waitFor();
    // The sent message is shown as its HTML part, in the thread's sandboxed frame.
    await page.frameLocator('[data-testid="thread"] iframe').first().getByText('Hello Paulo, could you send us a quote for 200 boxes?').waitFor();
    expect(await page.getByTestId('ticket-merge').count()).toBe(1);
    expect(await page.getByTestId('ticket-subject').innerText()).toContain('Quote for 200 boxes');
    const [sent] = await relay.waitForMessages(1, 20_000);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.subject).toMatch(/^Quote for 200 boxes \[#\d+\]$/);
    expect(sent!.to).toEqual(['paulo@fornecedor.example']);
    expect(parsed.attachments.map((a) => [a.filename, a.content.equals(spec)])).toEqual([['box-spec.pdf', true]]);
  });

  it('forwards a message to an outside address from the thread, and says so on the ticket (pt-BR)', async () => {
    relay.reset();
    const ticket = (await gqlOk(app.url, `{ tickets(first: 10) { edges { node { id subject } } } }`, {}, admin.token)).tickets.edges.map((e: any) => e.node).find((n: any) => n.subject === 'Segunda via do boleto');
    ({ page } = await browser.newPage(app.url, { locale: 'pt-BR' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('action-forward').first().click();
    await page.getByTestId('forward-to').locator('input').fill('financeiro@banco.example');
    await page.getByTestId('forward-note').locator('textarea').fill('Podem gerar a segunda via?');
    await screenshot(page, 'forward-01-dialog-pt-BR');
    await page.getByTestId('forward-send').click();
    const [sent] = await relay.waitForMessages(1, 20_000);
    expect(sent!.to).toEqual(['financeiro@banco.example']);
    const parsed = await simpleParser(sent!.raw);
    expect(parsed.subject).toMatch(/^Fwd: Segunda via do boleto \[#\d+\]$/);
    expect(parsed.text).toContain('Podem gerar a segunda via?');
    expect(parsed.text).toContain('Preciso da segunda via.');
    // The header the bank reads is in the agent's language.
    expect(parsed.text).toContain('---------- Mensagem encaminhada ----------\nDe: Joana Lima <joana@cliente.example>\nData: ');
    await page.getByTestId('action-forwarded').first().waitFor();
    await waitFor(async () => (await page.getByTestId('ticket-history').innerText()).includes('Ana Atendente encaminhou uma mensagem para financeiro@banco.example') || null, 'the forward in the history');
    await screenshot(page, 'forward-02-thread-pt-BR', { fullPage: true });
  });
});
