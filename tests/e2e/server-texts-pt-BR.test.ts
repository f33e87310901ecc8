import { catalogOf, renderText, type TextCode } from '@correio/texts';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type E2EBrowser } from './helpers/browser.ts';

/**
 * Issue 14: an admin in Brazil sees no English from the server. A pt-BR browser on the three
 * screens where server texts are densest — the accounts screen with broken mailboxes and their
 * error history, the account form's validation, a failed import — and every English sentence of
 * the server-text catalogue is looked for in what the browser shows.
 */

/** Every run of ≥ 4 words between placeholders of an English server text that pt-BR words differently. */
const ENGLISH_FRAGMENTS = (() => {
  const en = catalogOf('en');
  const pt = catalogOf('pt-BR');
  const fragments = new Set<string>();
  for (const code of Object.keys(en) as TextCode[]) {
    if (en[code] === pt[code]) continue;
    for (const piece of en[code].split(/\{[A-Za-z0-9_]+\}/)) {
      const words = piece.trim().replace(/[.:;,]$/, '');
      if (words.split(/\s+/).length >= 4) fragments.add(words);
    }
  }
  return [...fragments];
})();

async function englishOn(page: Page, selector = 'body'): Promise<string[]> {
  const shown = await page.locator(selector).innerText();
  return ENGLISH_FRAGMENTS.filter((f) => shown.includes(f));
}

describe('server texts in a pt-BR browser', () => {
  let app: TestApp;
  let dovecot: Dovecot;
  let browser: E2EBrowser;
  let page: Page;
  let admin: Awaited<ReturnType<typeof signUp>>;
  const mailbox = { user: 'suporte', password: 'senha-certa-1' };
  const row = (name: string) => page.locator('tr', { hasText: name });

  beforeAll(async () => {
    ensureWebBuilt();
    [dovecot, browser] = await Promise.all([startDovecot({ users: [mailbox, { user: 'senha', password: 'a-certa' }, { user: 'pasta', password: 'p' }, { user: 'porta', password: 'p' }] }), launchBrowser()]);
    app = await startTestApp();
    admin = await signUp(app.url);
    // Three mailboxes an admin gets wrong in three ways, and one that works.
    await connectDovecotAccount(app.url, admin.token, dovecot, 'senha', { account: { name: 'Senha errada', address: 'senha@acme.example' }, incoming: { password: 'senha-errada' } });
    await connectDovecotAccount(app.url, admin.token, dovecot, 'pasta', { account: { name: 'Pasta errada', address: 'pasta@acme.example' }, incoming: { folder: 'Chamados' } });
    // A port no test server listens on, so not among the loopback ports the tests allow.
    await connectDovecotAccount(app.url, admin.token, dovecot, 'porta', { account: { name: 'Porta fechada', address: 'porta@acme.example' }, incoming: { port: await freePort() } });
    await connectDovecotAccount(app.url, admin.token, dovecot, mailbox.user, { account: { name: 'Suporte', address: 'suporte@acme.example' } });

    ({ page } = await browser.newPage(app.url, { locale: 'pt-BR' }));
    await page.addInitScript((token) => localStorage.setItem('correio.token', token), admin.token);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, `FAILED-pt-BR-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`, { fullPage: true, toasts: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await dovecot?.stop();
  });

  it('looks for real sentences: the catalogue has English to find', () => {
    expect(ENGLISH_FRAGMENTS.length).toBeGreaterThan(50);
    expect(ENGLISH_FRAGMENTS).toContain('The server rejected the user name or password');
  });

  it('says on the accounts screen, in Portuguese, what is wrong with each mailbox and what to do', async () => {
    await page.goto('/settings/email/accounts');
    await page.getByRole('heading', { level: 1, name: 'Contas de e-mail' }).waitFor();
    // Opening the screen tests every account again: wait until every result is in.
    const settled = async () => {
      const states = await page.locator('[data-testid="status-incoming"]').evaluateAll((badges) => badges.map((b) => b.getAttribute('data-state')));
      const byName = await Promise.all(['Senha errada', 'Pasta errada', 'Porta fechada', 'Suporte'].map((name) => row(name).getByTestId('status-incoming').getAttribute('data-state')));
      return !states.includes('CHECKING') && byName.join() === 'ERROR,ERROR,ERROR,OK' ? true : null;
    };
    await waitFor(settled, 'every check to finish', 60_000, 250);
    const shown = await page.locator('main').innerText();
    expect(shown).toContain(renderText({ code: 'mail.AUTH_FAILED.hint' }, 'pt-BR'));
    // The closed port is on a loopback address no operator allowed: said with the address, in Portuguese.
    expect(shown).toContain(renderText({ code: 'mail.PRIVATE_ADDRESS.hint' }, 'pt-BR'));
    expect(await englishOn(page, 'main')).toEqual([]);
    await screenshot(page, 'pt-BR-01-accounts-errors', { fullPage: true });

    // The error history of the folder mistake names the folder in a Portuguese sentence.
    await row('Pasta errada').getByRole('button', { name: /Opções de|Options for/ }).click();
    await page.getByRole('menuitem', { name: 'Exibir últimos erros' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('last-error').first().waitFor();
    const history = await dialog.innerText();
    expect(history).toContain('Chamados');
    expect(history).toContain(renderText({ code: 'mail.FOLDER_NOT_FOUND.hint' }, 'pt-BR'));
    expect(await englishOn(page, 'dialog[open]')).toEqual([]);
    await screenshot(page, 'pt-BR-02-last-errors');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('answers the account form’s mistakes in Portuguese, beside each field', async () => {
    await page.getByTestId('new-account').click();
    await page.getByRole('heading', { level: 1, name: 'Nova conta de e-mail' }).waitFor();
    const form = page.getByTestId('account-form');
    await form.getByLabel('Nome', { exact: true }).fill('Caixa nova');
    await form.getByLabel('Endereço de e-mail').fill('nova@acme.example');
    const receiving = page.getByRole('region', { name: 'Recebimento' });
    await receiving.getByLabel('Servidor', { exact: true }).fill('imap://isto não é um host');
    await receiving.getByLabel('Usuário', { exact: true }).fill('nova');
    await receiving.getByLabel('Senha', { exact: true }).fill('qualquer');
    await page.getByRole('region', { name: 'Envio' }).getByLabel('Servidor', { exact: true }).fill('127.0.0.1');
    await page.getByTestId('save-and-test').click();
    const alert = receiving.getByRole('alert');
    await alert.waitFor();
    const said = (await alert.innerText()).trim();
    expect(said.length).toBeGreaterThan(10);
    expect(await englishOn(page, 'main')).toEqual([]);
    await screenshot(page, 'pt-BR-03-form-validation', { fullPage: true });

    // A provider's advice on its passwords, in Portuguese too.
    await form.getByLabel('Endereço de e-mail').fill('alguem@yahoo.com');
    await page.getByRole('button', { name: /Usar configurações do Yahoo/ }).click();
    const hint = renderText({ code: 'provider.yahoo.authHint' }, 'pt-BR');
    await waitFor(async () => (await page.locator('main').innerText()).includes(hint) || null, 'the Yahoo hint', 15_000, 200);
    expect(await englishOn(page, 'main')).toEqual([]);
  });

  it('lists a failed import with its reason in Portuguese', async () => {
    await dovecot.deliver(mailbox.user, Buffer.from(`To: suporte@acme.example\r\nSubject: Ninguém assina\r\nMessage-ID: <ninguem-1@cliente.example>\r\n\r\nSem From, Reply-To, Sender nem Return-Path.\r\n`));
    await page.goto('/settings/failed-imports');
    const table = page.getByTestId('failed-imports');
    await waitFor(
      async () => {
        if (!(await table.isVisible().catch(() => false))) {
          await page.reload();
          return null;
        }
        return (await table.innerText()).trim() ? true : null;
      },
      'the failed import',
      45_000,
      1_000,
    );
    const shown = await table.innerText();
    expect(shown).toMatch(/remetente|From/);
    expect(await englishOn(page, 'main')).toEqual([]);
    await screenshot(page, 'pt-BR-04-failed-imports', { fullPage: true });
  });
});
