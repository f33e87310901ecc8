import { renderText } from '@correio/texts';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail, type TestMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';

/**
 * Issue 15, S2 in the browser: the inbox's full-text search over mail that came in through
 * Correio's own SMTP receiver — Portuguese and English, snippets with the match marked, filters
 * kept, the keyboard, a refused query, a message with markup in it — in pt-BR, then in English.
 */
describe('inbox search in Chromium', () => {
  let app: TestApp;
  let browser: E2EBrowser;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const box = () => page.getByTestId('ticket-search');
  const row = (subject: string) => page.locator('tr[data-ticket-id]', { hasText: subject });
  const subjects = async () => (await page.locator('tr[data-ticket-id] .inbox-subject a').allInnerTexts()).map((s) => s.trim()).sort();
  /** Types into the box like a person and waits until the list shows that search (URL, then rows). */
  async function search(query: string, expected: string[]) {
    await box().fill('');
    await box().pressSequentially(query, { delay: 15 });
    await page.waitForURL((url) => url.searchParams.get('q') === query.trim());
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify([...expected].sort()) || null, `the hits of ${query}`, 15_000, 100).catch(async (err) => {
      throw new Error(`${(err as Error).message}; shown: ${JSON.stringify(await subjects())}`);
    });
  }

  async function receive(mail: TestMail) {
    const to = `support@${admin.slug}.correio.localhost`;
    const from = /<(.+)>/.exec(mail.from ?? '')?.[1] ?? 'cliente@loja.example';
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from, to: [to] }, buildMail({ to, ...mail }).raw);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    admin = await signUp(app.url, { slug: `busca${Date.now().toString(36)}` });
    const mails: TestMail[] = [
      {
        from: 'Carla Menezes <carla@loja-da-carla.com.br>',
        subject: 'Problema com a NF de março',
        text: 'Bom dia,\n\na nota fiscal 4521 da compra de março veio com o valor errado (R$ 1.250,00 em vez de R$ 1.025,00).\nPodem emitir outra?\n\nObrigada,\nCarla',
      },
      {
        from: 'Paulo Ribeiro <paulo@ribeiro-materiais.com.br>',
        subject: 'Segunda via do boleto',
        text: 'Olá, preciso da segunda via do boleto de fevereiro e da nota fiscal correspondente.\n\nAtt.,\nPaulo',
      },
      {
        from: 'Joana Lima <joana.lima@gmail.com>',
        subject: 'Boleto vencido',
        text: 'O boleto venceu ontem e não abre mais no aplicativo do banco. Como faço para pagar sem multa?',
      },
      {
        from: 'John Carter <john@carter-supplies.com>',
        subject: 'Missing invoice for order 8812',
        text: 'Hi,\n\nwe never received the invoice for order 8812. Could you send it again?\n\nThanks,\nJohn',
      },
      {
        from: 'Márcia Souza <marcia@souza.net.br>',
        subject: 'Foto <mark>quebrada</mark> no site',
        text: 'Na página do produto tangerina aparece <img src=x onerror=alert(1)> e <mark>promoção</mark> em vez da foto.',
      },
    ];
    for (const mail of mails) await receive(mail);
    await waitFor(async () => (await gqlOk(app.url, '{ tickets(first: 1) { totalCount } }', {}, admin.token)).tickets.totalCount === mails.length || null, 'every message as a ticket', 30_000, 200);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, `FAILED-search-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`, { fullPage: true, toasts: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function openInbox(locale: 'pt-BR' | 'en') {
    ({ page } = await browser.newPage(app.url, { locale }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Uncaught|\[Vue warn\]|\[intlify\]/i.test(msg.text())) pageErrors.push(msg.text());
    });
    await page.goto('/tickets');
    await page.locator('tr[data-ticket-id]').first().waitFor();
  }

  describe('in Portuguese', () => {
    beforeAll(() => openInbox('pt-BR'));

    it('finds the message that says "nota fiscal" when "notas fiscais" is typed, the match marked in its snippet', async () => {
      await search('notas fiscais', ['Problema com a NF de março', 'Segunda via do boleto']);
      const hit = row('Problema com a NF de março');
      const snippet = hit.getByTestId('search-snippet');
      expect(await snippet.innerText()).toContain('nota fiscal 4521 da compra de março veio com o valor errado');
      expect(await snippet.locator('mark').allInnerTexts()).toEqual(['nota fiscal']);
      expect(await hit.getByTestId('search-matched-in').innerText()).toContain('E-mail');
      // Search hits come without a total: the footer counts what is shown.
      expect(await page.getByTestId('inbox-shown').innerText()).toBe('2 resultados');
      await screenshot(page, 'search-01-notas-fiscais-pt-BR');
    });

    it('focuses the box with "/", and opens a hit with ArrowDown and Enter', async () => {
      await page.getByRole('heading', { level: 1 }).click();
      await page.keyboard.press('/');
      const focused = () => page.evaluate(() => ({ id: document.activeElement?.id, selected: (document.activeElement as HTMLInputElement).selectionEnd! - (document.activeElement as HTMLInputElement).selectionStart! }));
      expect(await focused()).toEqual({ id: 'ticket-search', selected: 'notas fiscais'.length });
      expect(await box().inputValue()).toBe('notas fiscais');

      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      const first = page.locator('tr[data-ticket-id]').first();
      expect(await first.evaluate((tr) => tr.contains(document.activeElement) && document.activeElement!.matches(':focus-visible'))).toBe(true);
      // The row shows where focus is.
      expect(await first.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
      await screenshot(page, 'search-02-keyboard-pt-BR');
      const id = await first.getAttribute('data-ticket-id');
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/tickets/${id}`);
      await page.getByTestId('thread').waitFor();

      // Back in the inbox, the search is still there: it lives in the URL.
      await page.goBack();
      await page.locator('tr[data-ticket-id]').first().waitFor();
      expect(await box().inputValue()).toBe('notas fiscais');
      expect(await subjects()).toEqual(['Problema com a NF de março', 'Segunda via do boleto']);
    });

    it('leaves out a hit with -word, and keeps the status filter', async () => {
      await search('notas fiscais -boleto', ['Problema com a NF de março']);
      const resolved = await page.locator('tr[data-ticket-id]', { hasText: 'Problema com a NF de março' }).getAttribute('data-ticket-id');
      await gqlOk(app.url, 'mutation($id: ID!) { updateTicket(id: $id, input: { status: RESOLVED }) { id } }', { id: resolved }, admin.token);
      // The open inbox searches open tickets only; "all statuses" finds the resolved one again.
      await search('nota', ['Segunda via do boleto']);
      await page.getByTestId('filter-status').locator('select').selectOption({ label: 'Todos os status' });
      await waitFor(async () => (await subjects()).length === 2 || null, 'the resolved ticket', 15_000, 100);
      expect(new URL(page.url()).searchParams.get('view')).toBe('all');
      expect(await page.getByTestId('inbox-shown').innerText()).toBe('2 resultados');
    });

    it('says under the box, in Portuguese, why a query is refused, without a toast', async () => {
      await box().fill('-boleto');
      const alert = page.getByRole('search').getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toBe(renderText({ code: 'validation.search.onlyExcluded' }, 'pt-BR'));
      expect(await box().getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.toast').count()).toBe(0);
      await screenshot(page, 'search-03-refused-pt-BR');
      await search('boleto', ['Boleto vencido', 'Segunda via do boleto']);
      expect(await alert.count()).toBe(0);
    });

    it('shows markup a customer wrote as text: no element injected, no script run', async () => {
      const subject = 'Foto <mark>quebrada</mark> no site';
      await search('tangerina', [subject]);
      const hit = row(subject);
      expect(await hit.locator('.inbox-subject a mark').count()).toBe(0);
      const snippet = hit.getByTestId('search-snippet');
      expect(await snippet.innerText()).toContain('tangerina aparece <img src=x onerror=alert(1)> e');
      expect(await snippet.locator('img').count()).toBe(0);
      // The one mark is the match; the customer's own "<mark>" is not one (PostgreSQL's snippet drops
      // what it takes for a tag, the quoted-less <img …> it keeps as words).
      expect(await snippet.locator('mark').allInnerTexts()).toEqual(['tangerina']);
      expect(await page.locator('main img').count()).toBe(0);
      expect(dialogs).toEqual([]);
      await screenshot(page, 'search-04-markup-as-text-pt-BR');
    });

    it('shows the empty state for a search without hits, and Escape brings the inbox back', async () => {
      await search('xilofone', []);
      const empty = page.getByTestId('search-empty');
      await empty.waitFor();
      expect(await empty.innerText()).toContain('Nada encontrado para “xilofone”');
      await screenshot(page, 'search-05-empty-pt-BR');
      await box().press('Escape');
      expect(await box().inputValue()).toBe('');
      await page.waitForURL((url) => !url.searchParams.has('q'));
      await waitFor(async () => (await subjects()).length === 5 || null, 'every ticket again', 15_000, 100);
      expect(await page.getByTestId('ticket-total').innerText()).toBe('5');
      expect(pageErrors).toEqual([]);
    });
  });

  describe('in English', () => {
    beforeAll(async () => {
      await page.context().close();
      await openInbox('en');
    });

    it('finds "invoices" in an English message, marked, and says so in English', async () => {
      await search('invoices', ['Missing invoice for order 8812']);
      const hit = row('Missing invoice for order 8812');
      expect(await hit.getByTestId('search-snippet').locator('mark').allInnerTexts()).toContain('invoice');
      expect(await hit.getByTestId('search-matched-in').innerText()).toMatch(/Subject[\s\S]*E-mail/);
      expect(await page.getByTestId('inbox-shown').innerText()).toBe('1 result');
      await screenshot(page, 'search-06-invoices-en');

      await box().fill('-invoice');
      const alert = page.getByRole('search').getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toBe(renderText({ code: 'validation.search.onlyExcluded' }, 'en'));

      await search('marimba', []);
      expect(await page.getByTestId('search-empty').innerText()).toContain('Nothing found for “marimba”');
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it('pages through more hits than fit on one page', async () => {
      for (let i = 1; i <= 26; i++) await receive({ from: `Cliente ${i} <cliente${i}@loja.example>`, subject: `Garantia do pedido ${1000 + i}`, text: `My order ${1000 + i} arrived broken. Is it under warranty?` });
      await waitFor(async () => (await gqlOk(app.url, '{ tickets(first: 1) { totalCount } }', {}, admin.token)).tickets.totalCount === 31 || null, 'the new tickets', 30_000, 200);
      await box().fill('warranty');
      await page.waitForURL((url) => url.searchParams.get('q') === 'warranty');
      await waitFor(async () => (await page.locator('tr[data-ticket-id]').count()) === 25 || null, 'the first page', 15_000, 100);
      expect(await page.getByTestId('inbox-shown').innerText()).toBe('The 25 best results');
      await page.getByTestId('load-more').click();
      await waitFor(async () => (await page.locator('tr[data-ticket-id]').count()) === 26 || null, 'the second page', 15_000, 100);
      expect(await page.getByTestId('inbox-shown').innerText()).toBe('26 results');
      expect(await page.getByTestId('load-more').count()).toBe(0);
      expect(new Set(await page.locator('tr[data-ticket-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ticket-id')))).size).toBe(26);
      expect(pageErrors).toEqual([]);
    });
  });
});
