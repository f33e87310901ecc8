import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sendToReceiver } from '../helpers/inbound.ts';
import { buildMail, type TestMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';

/**
 * Issue 16 in the browser: an agent merges a ticket into another by finding it by number, and
 * splits a message off to a new ticket; both tickets' histories say so — in pt-BR, then English.
 * The mail comes in through Correio's own SMTP receiver, and an answer after the merge follows it.
 */
describe('merge and split in Chromium', () => {
  let app: TestApp;
  let browser: E2EBrowser;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let page: Page;
  const pageErrors: string[] = [];
  const to = () => `support@${admin.slug}.correio.localhost`;

  async function receive(mail: TestMail & { from: string }) {
    const built = buildMail({ to: to(), ...mail });
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: mail.from, to: [to()] }, built.raw);
    return built.messageId;
  }
  const TICKETS = `{ tickets(first: 50) { edges { node { id number subject actions { id text } } } } }`;
  const ticketBySubject = async (subject: string) =>
    waitFor(async () => (await gqlOk(app.url, TICKETS, {}, admin.token)).tickets.edges.map((e: any) => e.node).find((n: any) => n.subject === subject), `the ticket "${subject}"`);

  beforeAll(async () => {
    ensureWebBuilt();
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    admin = await signUp(app.url, { slug: `unir${Date.now().toString(36)}`, name: 'Ana Atendente' });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, `FAILED-merge-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`, { fullPage: true, toasts: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function open(locale: 'pt-BR' | 'en', ticketId: string) {
    ({ page } = await browser.newPage(app.url, { locale }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Uncaught|\[Vue warn\]|\[intlify\]/i.test(msg.text())) pageErrors.push(msg.text());
    });
    await page.goto(`/tickets/${ticketId}`);
    await page.getByTestId('thread').waitFor();
  }
  const thread = () => page.getByTestId('thread').innerText();
  const history = () => page.getByTestId('ticket-history').innerText();

  it('merges a ticket into the one found by its number (pt-BR), and the customer’s answer follows', async () => {
    await receive({ from: 'marta@cliente.example', subject: 'Pedido 3301 não chegou', text: 'Meu pedido 3301 ainda não chegou.' });
    const sourceMessageId = await receive({ from: 'marta@cliente.example', subject: 'Reclamação da entrega', text: 'Quero reclamar da demora na entrega.' });
    const target = await ticketBySubject('Pedido 3301 não chegou');
    const source = await ticketBySubject('Reclamação da entrega');

    await open('pt-BR', source.id);
    await page.getByTestId('ticket-merge').click();
    await page.getByTestId('merge-search').fill(`#${target.number}`);
    await page.getByTestId(`merge-option-${target.number}`).click();
    const confirm = page.getByTestId('merge-confirm');
    expect(await confirm.innerText()).toBe(`Unir ao #${target.number}`);
    await screenshot(page, 'merge-01-dialog-pt-BR');
    await confirm.click();

    // The agent lands on the target, which now holds both conversations.
    await page.waitForURL(`**/tickets/${target.id}`);
    await waitFor(async () => (await thread()).includes('Quero reclamar da demora na entrega.') || null, 'the merged message in the thread');
    expect(await thread()).toContain('Meu pedido 3301 ainda não chegou.');
    expect(await thread()).toContain(`O ticket #${source.number} foi unido a este.`);
    expect(await history()).toContain(`Ana Atendente uniu o #${source.number} a este ticket`);
    await screenshot(page, 'merge-02-target-pt-BR', { fullPage: true });

    // The customer answers the merged ticket's message: it shows up live on the target.
    await receive({ from: 'marta@cliente.example', subject: 'Re: Reclamação da entrega', inReplyTo: sourceMessageId, text: 'Alguma novidade sobre a entrega?' });
    await waitFor(async () => (await thread()).includes('Alguma novidade sobre a entrega?') || null, 'the answer on the target, live', 15_000, 200);

    // The merged ticket says where its conversation went, and offers no second merge.
    await page.goto(`/tickets/${source.id}`);
    const banner = page.getByTestId('ticket-merged');
    await banner.waitFor();
    expect(await banner.innerText()).toContain(`Este ticket foi unido ao #${target.number}; a conversa continua lá.`);
    expect(await banner.getByRole('link').innerText()).toBe(`Abrir o #${target.number}`);
    expect(await page.getByRole('textbox', { name: 'Sua resposta' }).count()).toBe(0);
    expect(await page.getByTestId('ticket-merge').count()).toBe(0);
    expect(await history()).toContain(`Ana Atendente uniu este ticket ao #${target.number}`);
    await banner.getByRole('link').click();
    await page.waitForURL(`**/tickets/${target.id}`);
    expect(pageErrors).toEqual([]);
  });

  it('splits a message off to a new ticket of the same customer (English)', async () => {
    const first = await receive({ from: 'tom@customer.example', subject: 'Refund for order 77', text: 'Please refund order 77.' });
    await receive({ from: 'tom@customer.example', subject: 'Re: Refund for order 77', inReplyTo: first, text: 'Also, my password reset link does not work.' });
    const ticket = await waitFor(async () => {
      const t = await ticketBySubject('Refund for order 77');
      return t.actions.length === 2 ? t : null;
    }, 'both messages on one ticket');

    await open('en', ticket.id);
    await page.getByTestId('ticket-split').click();
    const confirm = page.getByTestId('split-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('split-choose').nth(1).locator('input').check();
    expect(await confirm.innerText()).toBe('Move 1 to a new ticket');
    await screenshot(page, 'split-01-choose-en', { fullPage: true });
    await confirm.click();

    await page.waitForURL((url) => url.pathname.startsWith('/tickets/') && !url.pathname.endsWith(ticket.id));
    await waitFor(async () => (await thread()).includes('Also, my password reset link does not work.') || null, 'the moved message on the new ticket');
    expect(await thread()).not.toContain('Please refund order 77.');
    expect(await history()).toContain(`Ana Atendente split it from #${ticket.number}`);
    expect(await page.getByTestId('ticket-subject').innerText()).toContain('Re: Refund for order 77');
    await screenshot(page, 'split-02-new-ticket-en', { fullPage: true });

    const left = (await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { actions { text } } }`, { id: ticket.id }, admin.token)).ticket.actions.map((a: any) => a.text);
    expect(left[0]).toBe('Please refund order 77.');
    expect(left).not.toContain('Also, my password reset link does not work.');
    expect(pageErrors).toEqual([]);
  });
});
