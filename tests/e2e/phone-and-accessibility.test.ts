import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import { axeFindings, horizontalOverflow, overflowingElements, serious, type AxeFinding } from './helpers/axe.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';

/**
 * Issue 18: every main screen at a phone's width and at a desktop's, in both languages — no
 * horizontal scrolling, and no serious or critical finding of axe-core (WCAG 2.1 A/AA).
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 850 };

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
  for (const locale of ['pt-BR', 'en'] as const)
    for (const [size, viewport] of Object.entries({ phone: PHONE, desktop: DESKTOP }))
      it(`${locale}, ${size}: every main screen fits and has no serious accessibility finding`, async () => {
        const { page } = await browser.newPage(app.url, { locale, ...viewport });
        // Logged out first: the login screen.
        await page.goto('/login');
        await page.locator('input[name="email"]').waitFor();
        report[`${locale} ${size} login`] = await axeFindings(page);
        await page.evaluate((token) => localStorage.setItem('correio.token', token), admin.token);
        const overflow: Record<string, number> = { login: await horizontalOverflow(page) };
        for (const screen of screens) {
          await page.goto(screen.path());
          await screen.ready(page);
          await screenshot(page, `a11y-${screen.name}-${locale}-${size}`, { fullPage: size === 'phone' });
          report[`${locale} ${size} ${screen.name}`] = await axeFindings(page);
          overflow[screen.name] = await horizontalOverflow(page);
          if (overflow[screen.name]) console.log(screen.name, await overflowingElements(page));
        }
        const mine = Object.entries(report).filter(([key]) => key.startsWith(`${locale} ${size} `));
        console.log(JSON.stringify({ locale, size, overflow, serious: Object.fromEntries(mine.map(([k, f]) => [k.split(' ').pop(), serious(f).map((x) => `${x.id}×${x.targets.length}`)])) }));
        expect(Object.entries(overflow).filter(([, px]) => px > 0)).toEqual([]);
        expect(mine.flatMap(([key, findings]) => serious(findings).map((f) => `${key}: ${f.id} (${f.impact}) ${f.help} — ${f.targets.slice(0, 3).join(' | ')} — ${f.html}`))).toEqual([]);
      });
});
