import { accountSecretContext } from '@correio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT, externalAccountInput } from '../helpers/fragments.ts';
import { gql, gqlOk } from '../helpers/graphql.ts';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url, { slug: 'acme' });
});
afterAll(() => app?.stop());

const countAccounts = async (token: string) => (await gqlOk(app.url, `{ emailAccounts { id } }`, {}, token)).emailAccounts.length as number;

describe('email accounts', () => {
  it('creates an account from a provider preset with ports filled from protocol + encryption', async () => {
    const providers = await gqlOk(app.url, `{ emailProviders { id name incoming { protocol host port encryption } outgoing { protocol host port encryption } } }`);
    const gmail = providers.emailProviders.find((p: { id: string }) => p.id === 'gmail');
    expect(gmail.incoming[0]).toEqual({ protocol: 'IMAP', host: 'imap.gmail.com', port: 993, encryption: 'SSL_TLS' });
    expect(providers.emailProviders.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['UOL', 'Locaweb', 'KingHost', 'HostGator Brasil', 'Terra', 'Zoho Mail', 'iCloud Mail', 'Yahoo Mail']),
    );

    const created = await gqlOk(
      app.url,
      CREATE_ACCOUNT,
      {
        input: externalAccountInput({
          address: 'help@gmail.com',
          providerId: 'gmail',
          incoming: { enabled: true, protocol: 'IMAP', host: gmail.incoming[0].host, encryption: 'SSL_TLS', username: 'help@gmail.com', password: 'app-password-123' },
          outgoing: { host: 'smtp.gmail.com', encryption: 'SSL_TLS', requiresAuth: true },
        }),
      },
      admin.token,
    );
    const account = created.createEmailAccount;
    expect(account.incoming).toMatchObject({ protocol: 'IMAP', host: 'imap.gmail.com', port: 993, hasPassword: true, folder: 'INBOX' });
    expect(account.outgoing).toMatchObject({ host: 'smtp.gmail.com', port: 465, authMechanism: 'PLAIN', hasPassword: false });
    expect(account.providerId).toBe('gmail');
  });

  it.each([
    ['IMAP', 'SSL_TLS', 993],
    ['IMAP', 'STARTTLS', 143],
    ['IMAP', 'NONE', 143],
    ['POP3', 'SSL_TLS', 995],
    ['POP3', 'STARTTLS', 110],
  ])('fills the %s port for %s as %i', async (protocol, encryption, port) => {
    const r = await gqlOk(
      app.url,
      CREATE_ACCOUNT,
      { input: externalAccountInput({ address: `p-${protocol}-${encryption}@example.com`, incoming: { enabled: true, protocol, host: `${protocol}-${encryption}.example.com`.toLowerCase().replace("_", "-"), encryption, username: 'u' }, outgoing: null }) },
      admin.token,
    );
    expect(r.createEmailAccount.incoming.port).toBe(port);
  });

  it.each([
    ['SSL_TLS', 465],
    ['STARTTLS', 587],
    ['NONE', 25],
  ])('fills the SMTP port for %s as %i, and keeps a port typed by hand', async (encryption, port) => {
    const auto = await gqlOk(
      app.url,
      CREATE_ACCOUNT,
      { input: externalAccountInput({ address: `s-${encryption}@example.com`, incoming: null, outgoing: { host: 'smtp.example.com', encryption, requiresAuth: false } }) },
      admin.token,
    );
    expect(auto.createEmailAccount.outgoing.port).toBe(port);
    const typed = await gqlOk(
      app.url,
      CREATE_ACCOUNT,
      { input: externalAccountInput({ address: `t-${encryption}@example.com`, incoming: null, outgoing: { host: 'smtp.example.com', port: 2525, encryption, requiresAuth: false } }) },
      admin.token,
    );
    expect(typed.createEmailAccount.outgoing.port).toBe(2525);
  });

  it('keeps the stored password when an update omits it, and replaces it when given', async () => {
    const { createEmailAccount: a } = await gqlOk(app.url, CREATE_ACCOUNT, { input: externalAccountInput({ address: 'keep@example.com', incoming: { ...externalAccountInput().incoming, host: 'keep.example.com' } }) }, admin.token);
    expect(a.incoming.hasPassword).toBe(true);
    const input = externalAccountInput({ name: 'Renamed', address: 'keep@example.com', incoming: { enabled: true, protocol: 'IMAP', host: 'keep.example.com', encryption: 'SSL_TLS', username: 'support@example.com' } });
    const updated = await gqlOk(app.url, UPDATE_ACCOUNT, { id: a.id, input }, admin.token);
    expect(updated.updateEmailAccount).toMatchObject({ name: 'Renamed', incoming: { hasPassword: true } });
    const [row] = await app.runtime.database.db.query.emailAccounts.findMany({ where: (t, { eq }) => eq(t.id, a.id) });
    const before = row!.incomingPasswordSealed;
    expect(app.runtime.secrets.open(before!, accountSecretContext(a.id, 'incoming-password', row!))).toBe('imap-secret-1');
    await gqlOk(app.url, UPDATE_ACCOUNT, { id: a.id, input: { ...input, incoming: { ...input.incoming, password: 'new-secret-2' } } }, admin.token);
    const [after] = await app.runtime.database.db.query.emailAccounts.findMany({ where: (t, { eq }) => eq(t.id, a.id) });
    expect(app.runtime.secrets.open(after!.incomingPasswordSealed!, accountSecretContext(a.id, 'incoming-password', after!))).toBe('new-secret-2');
  });

  it('rejects invalid input with a field path and a human message, saving nothing', async () => {
    const before = await countAccounts(admin.token);
    const cases: Array<[Record<string, unknown>, string[], RegExp]> = [
      [externalAccountInput({ address: 'not an address' }), ['input', 'address'], /valid e-mail/],
      [externalAccountInput({ incoming: { ...externalAccountInput().incoming, port: 70000 } }), ['input', 'incoming', 'port'], /between 1 and 65535/],
      [externalAccountInput({ incoming: { ...externalAccountInput().incoming, host: '' } }), ['input', 'incoming', 'host'], /incoming server/],
      [externalAccountInput({ incoming: { ...externalAccountInput().incoming, host: 'imaps://imap.example.com:993' } }), ['input', 'incoming', 'host'], /host name/],
      [externalAccountInput({ outgoing: { host: 'smtp.example.com', encryption: 'STARTTLS', requiresAuth: true, useSeparateIdentity: true } }), ['input', 'outgoing', 'username'], /separate sending identity/],
    ];
    for (const [input, path, message] of cases) {
      const r = await gql(app.url, CREATE_ACCOUNT, { input }, admin.token);
      expect(r.errors?.[0]?.extensions?.['code'], JSON.stringify(path)).toBe('VALIDATION_FAILED');
      const fields = r.errors?.[0]?.extensions?.['fields'] as Array<{ path: string[]; message: string }>;
      expect(fields[0]!.path).toEqual(path);
      expect(fields[0]!.message).toMatch(message);
    }
    expect(await countAccounts(admin.token)).toBe(before);
  });

  it('rejects an unknown enum value with a code and the field path', async () => {
    const r = await gql(app.url, CREATE_ACCOUNT, { input: externalAccountInput({ incoming: { ...externalAccountInput().incoming, encryption: 'SSL_MAYBE' } }) }, admin.token);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['input', 'incoming', 'encryption'] }] });
    expect(r.errors?.[0]?.message).toMatch(/SSL_MAYBE/);
  });

  it('refuses a second account on the same host + user + folder', async () => {
    const input = externalAccountInput({ address: 'dup@example.com', incoming: { ...externalAccountInput().incoming, host: 'dup.example.com', username: 'dup-user' } });
    await gqlOk(app.url, CREATE_ACCOUNT, { input }, admin.token);
    const r = await gql(app.url, CREATE_ACCOUNT, { input: { ...input, name: 'Copy', address: 'dup2@example.com', incoming: { ...input.incoming, username: 'DUP-USER' } } }, admin.token);
    expect(r.errors?.[0]?.extensions?.['code']).toBe('DUPLICATE_MAILBOX');
    expect(r.errors?.[0]?.message).toMatch(/import every message twice/);
  });

  it('creates built-in addresses from the local part only', async () => {
    const r = await gqlOk(app.url, CREATE_ACCOUNT, { input: { name: 'Sales', kind: 'BUILTIN', address: 'Vendas@whatever.example' } }, admin.token);
    expect(r.createEmailAccount).toMatchObject({ kind: 'BUILTIN', address: 'vendas@acme.correio.localhost', incoming: null, outgoing: null });
    const taken = await gql(app.url, CREATE_ACCOUNT, { input: { name: 'Again', kind: 'BUILTIN', address: 'vendas' } }, admin.token);
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'address'] }] });
    const bad = await gql(app.url, CREATE_ACCOUNT, { input: { name: 'Bad', kind: 'BUILTIN', address: 'não válido' } }, admin.token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'address'] }] });
  });

  it('deactivates, reactivates and removes an account', async () => {
    const { createEmailAccount: a } = await gqlOk(app.url, CREATE_ACCOUNT, { input: { name: 'Temp', kind: 'BUILTIN', address: 'temp' } }, admin.token);
    const off = await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: false) { active } }`, { id: a.id }, admin.token);
    expect(off.setEmailAccountActive.active).toBe(false);
    const on = await gqlOk(app.url, `mutation($id: ID!) { setEmailAccountActive(id: $id, active: true) { active } }`, { id: a.id }, admin.token);
    expect(on.setEmailAccountActive.active).toBe(true);
    expect((await gqlOk(app.url, `mutation($id: ID!) { deleteEmailAccount(id: $id) }`, { id: a.id }, admin.token)).deleteEmailAccount).toBe(true);
    expect((await gqlOk(app.url, `query($id: ID!) { emailAccount(id: $id) { id } }`, { id: a.id }, admin.token)).emailAccount).toBeNull();
  });

  it('stores brand, logo, type and group, and serves the logo through a signed URL', async () => {
    const type = (await gqlOk(app.url, `mutation { createTicketType(name: "Billing") { id } }`, {}, admin.token)).createTicketType;
    const group = (await gqlOk(app.url, `mutation { createGroup(name: "Tier 1") { id } }`, {}, admin.token)).createGroup;
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const r = await gqlOk(
      app.url,
      CREATE_ACCOUNT,
      {
        input: {
          name: 'Branded',
          kind: 'BUILTIN',
          address: 'branded',
          brand: { name: 'Acme Ltda', url: 'https://acme.example', logoDataUrl: `data:image/png;base64,${png.toString('base64')}` },
          ticketTypeId: type.id,
          groupId: group.id,
        },
      },
      admin.token,
    );
    const a = r.createEmailAccount;
    expect(a).toMatchObject({ brand: { name: 'Acme Ltda', url: 'https://acme.example' }, ticketType: { name: 'Billing' }, group: { name: 'Tier 1' } });
    const logo = await fetch(`${app.url}${a.brand.logoUrl}`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await logo.arrayBuffer()).equals(png)).toBe(true);
    const tampered = await fetch(`${app.url}${a.brand.logoUrl.replace(/sig=[^&]+/, 'sig=forged')}`);
    expect(tampered.status).toBe(403);
  });
});

describe('roles', () => {
  it('lets an AGENT work tickets but not configure accounts', async () => {
    await gqlOk(app.url, `mutation($input: CreateUserInput!) { createUser(input: $input) { role } }`, { input: { name: 'Bia', email: 'bia@acme.example', password: 'agent password 1', role: 'AGENT' } }, admin.token);
    const login = await gqlOk(app.url, `mutation { login(email: "bia@acme.example", password: "agent password 1") { token } }`);
    const agent = login.login.token as string;
    expect((await gqlOk(app.url, `{ tickets { totalCount } groups { id } }`, {}, agent)).tickets.totalCount).toBe(0);
    const denied = await gql(app.url, `{ emailAccounts { id } }`, {}, agent);
    expect(denied.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const create = await gql(app.url, CREATE_ACCOUNT, { input: { name: 'X', kind: 'BUILTIN', address: 'x' } }, agent);
    expect(create.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
