import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import { axeFindings, horizontalOverflow, overflowingElements, serious, type AxeFinding } from './helpers/axe.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';
import { composerBox } from './helpers/composer.ts';

/**
 * Issue 18: every main screen at a phone's width and at a desktop's, in both languages — no
 * horizontal scrolling, and no serious or critical finding of axe-core (WCAG 2.1 A/AA).
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 850 };
const NARROW = { width: 360, height: 740 };

describe('the SPA on a phone and with assistive technology', () => {
  let app: TestApp;
  let browser: E2EBrowser;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let ticketId: string;

  beforeAll(async () => {
    ensureWebBuilt();
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    admin = await signUp(app.url, { slug: `telefone${Date.now().toString(36)}`, name: 'Ana Atendente' });
    const to = `support@${admin.slug}.correio.localhost`;
    for (const [i, subject] of ['Segunda via do boleto vencido em novembro', 'Pedido 4521 não chegou', 'Cancelamento da assinatura'].entries())
      await sendToReceiver(app.engine!.inboundSmtpPort!, { from: `cliente${i}@cliente.example`, to: [to] }, buildMail({ to, from: `Cliente ${i} da Silva <cliente${i}@cliente.example>`, subject, text: 'Bom dia, preciso de ajuda.' }).raw);
    ticketId = await waitFor(async () => {
      const edges = (await gqlOk(app.url, `{ tickets(first: 5) { edges { node { id } } } }`, {}, admin.token)).tickets.edges;
      return edges.length === 3 ? edges[0].node.id : null;
    }, 'three tickets');
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const screens: Array<{ name: string; path: () => string; ready: (page: Page) => Promise<unknown> }> = [
    { name: 'inbox', path: () => '/tickets', ready: (page) => page.locator('[data-ticket-id]').first().waitFor() },
    { name: 'ticket', path: () => `/tickets/${ticketId}`, ready: (page) => page.getByTestId('composer').waitFor() },
    { name: 'accounts', path: () => '/settings/email/accounts', ready: (page) => page.getByTestId('new-account').waitFor() },
    { name: 'account-form', path: () => '/settings/email/accounts/new', ready: (page) => page.getByTestId('account-form').waitFor() },
    { name: 'canned-replies', path: () => '/canned-replies', ready: (page) => page.getByTestId('my-signature').waitFor() },
  ];

  const report: Record<string, AxeFinding[]> = {};
  const sweeps = [
    ...(['pt-BR', 'en'] as const).flatMap((locale) => Object.entries({ phone: PHONE, desktop: DESKTOP }).map(([size, viewport]) => ({ locale, size, viewport, theme: 'light' as const }))),
    // The system asks for dark: the app follows it, and keeps its contrast.
    { locale: 'pt-BR' as const, size: 'phone', viewport: PHONE, theme: 'dark' as const },
    { locale: 'en' as const, size: 'desktop', viewport: DESKTOP, theme: 'dark' as const },
    // The narrowest phone the layout promises, with Portuguese's longer words.
    { locale: 'pt-BR' as const, size: 'narrow', viewport: NARROW, theme: 'light' as const },
  ];
  for (const { locale, size: sizeName, viewport, theme } of sweeps) {
    const size = theme === 'dark' ? `${sizeName}-dark` : sizeName;
    it(`${locale}, ${size}: every main screen fits and has no serious accessibility finding`, async () => {
      const { page } = await browser.newPage(app.url, { locale, ...viewport, colorScheme: theme });
      // Logged out first: the login screen.
      await page.goto('/login');
      await page.locator('input[name="email"]').waitFor();
      report[`${locale} ${size} login`] = await axeFindings(page);
      await page.evaluate((token) => localStorage.setItem('correio.token', token), admin.token);
      const overflow: Record<string, number> = { login: await horizontalOverflow(page) };
      for (const screen of screens) {
        await page.goto(screen.path());
        await screen.ready(page);
        await screenshot(page, `a11y-${screen.name}-${locale}-${size}`, { fullPage: sizeName === 'phone' });
        report[`${locale} ${size} ${screen.name}`] = await axeFindings(page);
        overflow[screen.name] = await horizontalOverflow(page);
        if (overflow[screen.name]) console.log(screen.name, await overflowingElements(page));
      }
      const mine = Object.entries(report).filter(([key]) => key.startsWith(`${locale} ${size} `));
      expect(Object.entries(overflow).filter(([, px]) => px > 0)).toEqual([]);
      expect(mine.flatMap(([key, findings]) => serious(findings).map((f) => `${key}: ${f.id} (${f.impact}) ${f.help} — ${f.targets.slice(0, 3).join(' | ')} — ${f.html}`))).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe(theme);
    });
  }

  it('pt-BR, 360 px: the sign-up and every admin screen fit too, with no serious accessibility finding', async () => {
    const { page } = await browser.newPage(app.url, { locale: 'pt-BR', ...NARROW });
    const findings: string[] = [];
    const check = async (name: string) => {
      await page.locator('main h1, h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await horizontalOverflow(page);
      if (overflow) findings.push(`${name}: ${overflow} px too wide — ${(await overflowingElements(page)).join(', ')}`);
      for (const f of serious(await axeFindings(page))) findings.push(`${name}: ${f.id} (${f.impact}) — ${f.html}`);
      await screenshot(page, `narrow-${name}-pt-BR`, { fullPage: true });
    };
    await page.goto('/signup');
    await check('signup');
    await page.evaluate((token) => localStorage.setItem('correio.token', token), admin.token);
    for (const name of ['groups', 'ticket-types', 'clients', 'domain-rules', 'agents', 'failed-imports']) {
      await page.goto(`/settings/${name}`);
      await check(name);
    }
    expect(findings).toEqual([]);
  });

  for (const locale of ['pt-BR', 'en'] as const)
    for (const [size, viewport] of Object.entries({ phone: PHONE, desktop: DESKTOP }))
      it(`${locale}, ${size}: logs in, answers a ticket, and starts an account from a preset`, async () => {
        const { page } = await browser.newPage(app.url, { locale, ...viewport });
        const fits = async (step: string) => {
          const overflow = await horizontalOverflow(page);
          expect({ step, overflow, offenders: overflow ? await overflowingElements(page) : [] }).toEqual({ step, overflow: 0, offenders: [] });
        };
        await page.goto('/login');
        await page.locator('input[name="email"]').fill(admin.email);
        await page.locator('input[name="password"]').fill(admin.password);
        await page.locator('form button[type="submit"]').click();
        await page.waitForURL(/\/tickets$/);
        await page.locator('.inbox-subject a').first().click();
        await page.getByTestId('composer').waitFor();
        await fits('ticket');
        const sent = page.locator('article[data-kind="EMAIL_OUT"]');
        const before = await sent.count();
        // On a phone the composer is below the thread: the Reply button takes the agent there.
        if (size === 'phone') await page.getByTestId('jump-to-composer').click();
        else await composerBox(page).click();
        await page.keyboard.type(locale === 'en' ? 'Hello, we are on it.' : 'Olá, já estamos vendo.');
        await page.getByTestId('composer-submit').click();
        await waitFor(async () => (await sent.count()) === before + 1 || null, 'the reply in the thread');
        await screenshot(page, `flow-ticket-${locale}-${size}`, { fullPage: size === 'phone' });

        if (size === 'phone') await page.getByTestId('nav-menu').click();
        await page.getByTestId('nav-accounts').click();
        await page.getByTestId('new-account').click();
        await page.getByTestId('provider-select').locator('select').selectOption({ label: 'Gmail / Google Workspace' });
        await waitFor(async () => (await page.getByTestId('account-form').locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).includes('imap.gmail.com') || null, 'the preset’s servers filled in');
        await fits('account form with a preset');
        await screenshot(page, `flow-account-preset-${locale}-${size}`, { fullPage: size === 'phone' });
      });

  it('works by keyboard: the shortcut list, j/k and Enter, n and Ctrl+Enter for a note, e to resolve, and says new tickets aloud (English)', async () => {
    const { page } = await browser.newPage(app.url, { locale: 'en', ...DESKTOP });
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto('/tickets');
    await page.locator('[data-ticket-id]').first().waitFor();

    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts-dialog');
    await help.getByText('Next ticket').waitFor();
    expect(await help.innerText()).toContain('Mark the ticket resolved');
    await screenshot(page, 'keyboard-01-shortcuts-en');
    expect(serious(await axeFindings(page))).toEqual([]);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    const subjects = await page.locator('.inbox-subject a').allInnerTexts();
    await page.keyboard.press('j');
    expect(await focused()).toBe(subjects[0]);
    await page.keyboard.press('j');
    expect(await focused()).toBe(subjects[1]);
    await page.keyboard.press('k');
    expect(await focused()).toBe(subjects[0]);

    // A ticket arriving now is announced in the polite live region.
    const to = `support@${admin.slug}.correio.localhost`;
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'nova@cliente.example', to: [to] }, buildMail({ to, from: 'Nova Cliente <nova@cliente.example>', subject: 'Nota fiscal 7788', text: 'Olá.' }).raw);
    await waitFor(async () => /^New ticket #\d+: Nota fiscal 7788$/.test(await page.getByTestId('announcer').innerText()) || null, 'the new ticket announced');

    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await page.getByTestId('composer').waitFor();
    await page.keyboard.press('n');
    expect(await page.getByTestId('tab-note').getAttribute('aria-selected')).toBe('true');
    // The editor takes focus on its next animation frame (TipTap), which a loaded machine may draw late.
    await waitFor(async () => (await page.evaluate(() => (document.activeElement as HTMLElement | null)?.isContentEditable)) || null, 'the note editor focused', 5000);
    await page.keyboard.type('Cliente VIP, priorizar.');
    await page.keyboard.press('Control+Enter');
    await page.locator('article[data-kind="NOTE"]').getByText('Cliente VIP, priorizar.').waitFor();

    // Focus back on the page (not in the text): e resolves.
    await page.getByTestId('ticket-subject').click();
    await page.keyboard.press('e');
    await waitFor(async () => (await page.locator('.ticket-head__meta').innerText()).includes('Resolved') || null, 'the ticket resolved');
  });

  it('opens the navigation as a drawer on a phone, keeps the focus in it, and closes it (pt-BR)', async () => {
    const { page } = await browser.newPage(app.url, { locale: 'pt-BR', ...PHONE });
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    await page.goto('/tickets');
    await page.locator('[data-ticket-id]').first().waitFor();
    const menu = page.getByTestId('nav-menu');
    expect(await page.getByTestId('nav-canned-replies').isVisible()).toBe(false);
    await menu.click();
    await page.getByTestId('nav-canned-replies').waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => !!document.activeElement?.closest('#sidebar'))).toBe(true);
    await screenshot(page, 'phone-01-menu-pt-BR');
    expect(serious(await axeFindings(page))).toEqual([]);
    // Tab cycles inside the open drawer.
    for (let i = 0; i < 15; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('#sidebar'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('nav-canned-replies').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-menu');

    await menu.click();
    await page.getByTestId('nav-canned-replies').click();
    await page.waitForURL(/\/canned-replies$/);
    await page.getByTestId('nav-canned-replies').waitFor({ state: 'hidden' });
    // The inbox's filters wait behind "Filtros".
    await page.goto('/tickets');
    await page.getByTestId('filters-toggle').click();
    await page.getByTestId('filter-status').waitFor();
    await screenshot(page, 'phone-02-filters-pt-BR');
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it('can be added to a phone’s home screen: a manifest Chromium accepts, with its icons', async () => {
    const { page } = await browser.newPage(app.url, { locale: 'pt-BR', ...PHONE });
    await page.goto('/login');
    await page.locator('input[name="email"]').waitFor();
    const cdp = await page.context().newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
    expect(manifest.errors).toEqual([]);
    const parsed = JSON.parse(manifest.data ?? '{}');
    expect(parsed).toMatchObject({ name: 'Correio', display: 'standalone', start_url: '/tickets' });
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
    // Chromium's own verdict; a test context is a private window, which alone may not install.
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    for (const icon of parsed.icons.filter((i: { type: string }) => i.type === 'image/png')) {
      const res = await fetch(new URL(icon.src, app.url));
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      // PNG header: width and height, big-endian, at bytes 16 and 20.
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
    }
    expect((await fetch(new URL('/manifest.webmanifest', app.url))).headers.get('content-type')).toMatch(/^application\/manifest\+json/);
  });
});
