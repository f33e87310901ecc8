import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { CREATE_ACCOUNT, externalAccountInput } from '../helpers/fragments.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';

// Issue 14: errors and validation messages say the same thing by code in both languages — pt-BR
// when the client names no language, English when it asks for it — and keep the code stable.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let agent: { token: string };
beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url);
  await gqlOk(app.url, `mutation { createUser(input: { name: "Bia", email: "bia@texts.example", password: "correct horse battery staple", role: AGENT }) { id } }`, {}, admin.token);
  agent = { token: (await gqlOk(app.url, `mutation { login(email: "bia@texts.example", password: "correct horse battery staple") { token } }`)).login.token };
});
afterAll(() => app?.stop());

type Field = { path: Array<string | number>; message: string; text: { code: string; params?: Record<string, unknown> } };

/** The first error of a createEmailAccount with this input, in a language (null: no Accept-Language). */
async function refusal(input: Record<string, unknown>, language: string | null, token = admin.token) {
  const r = await gql(app.url, CREATE_ACCOUNT, { input }, token, language);
  const error = r.errors![0]!;
  return { message: error.message, code: error.extensions?.['code'], text: error.extensions?.['text'], fields: error.extensions?.['fields'] as Field[] };
}

describe('API error texts', () => {
  it('words a field error in pt-BR by default and in English on request, with the same code', async () => {
    const input = externalAccountInput({ address: 'not an address' });
    const pt = await refusal(input, null);
    const en = await refusal(input, 'en');
    expect(pt).toEqual({
      message: 'Informe um endereço de e-mail válido.',
      code: 'VALIDATION_FAILED',
      text: { code: 'validation.email' },
      fields: [{ path: ['input', 'address'], message: 'Informe um endereço de e-mail válido.', text: { code: 'validation.email' } }],
    });
    expect(en.message).toBe('Enter a valid e-mail address.');
    expect(en.fields).toEqual([{ path: ['input', 'address'], message: 'Enter a valid e-mail address.', text: { code: 'validation.email' } }]);
    // A browser's header picks the best language it offers.
    expect((await refusal(input, 'en-GB,en;q=0.9,pt;q=0.5')).message).toBe('Enter a valid e-mail address.');
    expect((await refusal(input, 'pt-BR,pt;q=0.9')).message).toBe('Informe um endereço de e-mail válido.');
  });

  it('words zod’s own checks by generic codes with their limits, never zod’s English', async () => {
    const long = await refusal(externalAccountInput({ name: 'x'.repeat(121) }), null);
    expect(long.fields).toEqual([{ path: ['input', 'name'], message: 'Use no máximo 120 caracteres.', text: { code: 'validation.string.tooLong', params: { maximum: 120 } } }]);
    const port = await refusal(externalAccountInput({ incoming: { ...externalAccountInput().incoming, port: 0 } }), null);
    expect(port.fields).toEqual([{ path: ['input', 'incoming', 'port'], message: 'A porta precisa estar entre 1 e 65535.', text: { code: 'validation.port.range' } }]);
    const days = await refusal(externalAccountInput({ incoming: { ...externalAccountInput().incoming, deleteAfterDays: 5000 } }), 'en');
    expect(days.fields[0]).toMatchObject({ message: 'Enter 3650 or less.', text: { code: 'validation.number.tooBig', params: { maximum: 3650 } } });
  });

  it('words AppErrors in both languages: a role that may not, and something not found', async () => {
    const forbidden = await refusal(externalAccountInput(), null, agent.token);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', message: 'Seu perfil não permite isso. Peça a um administrador da base.', text: { code: 'api.FORBIDDEN' } });
    expect((await refusal(externalAccountInput(), 'en', agent.token)).message).toBe('Your role does not allow this. Ask an admin of the workspace.');

    const DELETE = `mutation($id: ID!) { deleteEmailAccount(id: $id) }`;
    const id = '00000000-0000-4000-8000-000000000000';
    const pt = (await gql(app.url, DELETE, { id }, admin.token, 'pt-BR')).errors![0]!;
    const en = (await gql(app.url, DELETE, { id }, admin.token, 'en')).errors![0]!;
    expect(pt).toMatchObject({ message: 'Conta de e-mail não encontrada nesta base.', extensions: { code: 'NOT_FOUND', text: { code: 'api.NOT_FOUND.account' } } });
    expect(en).toMatchObject({ message: 'E-mail account not found in this workspace.', extensions: { code: 'NOT_FOUND', text: { code: 'api.NOT_FOUND.account' } } });
  });

  it('words the errors with parameters, and their field errors, by code', async () => {
    const input = externalAccountInput({ address: 'dup-texts@example.com', incoming: { ...externalAccountInput().incoming, host: 'dup-texts.example.com', username: 'dup-texts' } });
    await gqlOk(app.url, CREATE_ACCOUNT, { input: { ...input, name: 'Primeira' } }, admin.token);
    const dup = await refusal({ ...input, name: 'Cópia', address: 'dup-texts2@example.com' }, null);
    expect(dup).toMatchObject({
      code: 'DUPLICATE_MAILBOX',
      message: 'A conta "Primeira" já importa esta caixa de correio (mesmo servidor, usuário e pasta); uma segunda conta importaria cada mensagem duas vezes.',
      text: { code: 'api.DUPLICATE_MAILBOX.named', params: { name: 'Primeira' } },
      fields: [{ path: ['input', 'incoming', 'username'], message: 'Já importada por "Primeira".', text: { code: 'api.DUPLICATE_MAILBOX.field', params: { name: 'Primeira' } } }],
    });
  });
});

describe('HTTP endpoint texts', () => {
  const uploadEmpty = (headers: Record<string, string>) =>
    fetch(`${app.url}/files/upload?filename=vazio.txt`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/plain', ...headers }, body: '' });

  it('answers a refused upload in the request’s language, with the code beside it', async () => {
    const pt = await uploadEmpty({});
    expect(pt.status).toBe(400);
    expect(await pt.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'O arquivo está vazio.', text: { code: 'api.upload.empty' } } });
    expect((await (await uploadEmpty({ 'accept-language': 'en' })).json()).error.message).toBe('The file is empty.');
  });

  it('refuses a broken file link in the browser’s language', async () => {
    const link = `${app.url}/files/attachment/00000000-0000-4000-8000-000000000000?exp=1&sig=forged`;
    expect(await (await fetch(link)).text()).toBe('Este link de arquivo é inválido ou expirou. Recarregue a página para obter um novo.');
    expect(await (await fetch(link, { headers: { 'accept-language': 'en' } })).text()).toBe('This file link is invalid or has expired. Reload the page to get a fresh one.');
  });

  it('explains a refused OAuth callback in the browser’s language', async () => {
    const back = async (headers: Record<string, string>) => new URL((await fetch(`${app.url}/oauth/callback?state=unknown&code=x`, { redirect: 'manual', headers })).headers.get('location')!, app.url);
    const pt = await back({});
    expect(pt.searchParams.get('oauthError')).toBe('OAUTH_CONNECTION_INVALID');
    expect(pt.searchParams.get('oauthDetail')).toBe('Este login é desconhecido ou já foi usado.');
    expect((await back({ 'accept-language': 'en' })).searchParams.get('oauthDetail')).toBe('This sign-in is unknown or was already used.');
  });
});
