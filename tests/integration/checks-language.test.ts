import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, subscribe, subscriptionsClosed, subscriptionsOpen } from '../helpers/graphql.ts';
import { freePort } from '../helpers/ports.ts';
import { createAccount, incomingInput, TEST_SETTINGS, testAccount } from '../helpers/status.ts';
import { registerTestServer } from '../helpers/test-servers.ts';

// Issue 14: what a failed check says reaches GraphQL clients in the language they ask for
// (Accept-Language; pt-BR without one), from the same stored row — status, check steps and the
// error history — with the code and parameters beside the words.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let closedPort: number;

beforeAll(async () => {
  // Allowed like a test server, but nothing listens there: the check's connection is refused.
  closedPort = await freePort();
  registerTestServer(closedPort);
  // API only: no live importer racing the check to write its own failure for the same mailbox.
  app = await startTestApp({ CORREIO_ROLE: 'api', CORREIO_CHECK_TIMEOUT_SECONDS: '3' });
  admin = await signUp(app.url);
});
afterAll(async () => {
  await app?.stop();
});

const TEXT = `{ code params { name value } detail }`;
const STATUS = `query($id: ID!) {
  emailAccount(id: $id) {
    status {
      incoming { state code message messageText ${TEXT} hint hintText ${TEXT} checks { phase ok detail detailText ${TEXT} hint } }
      outgoing { state message messageText ${TEXT} }
    }
    lastErrors(first: 5) { code message messageText ${TEXT} hint hintText ${TEXT} }
  }
}`;

async function statusIn(id: string, language: string | null) {
  const res = await gql(app.url, STATUS, { id }, admin.token, language);
  expect(res.errors).toBeUndefined();
  return res.data!.emailAccount;
}

describe('a failed check in the reader’s language', () => {
  it('says the same stored failure in English or in pt-BR, with its code and parameters', async () => {
    const port = closedPort;
    const id = await createAccount(app.url, admin.token, incomingInput('Closed', { port }));
    await testAccount(app.url, admin.token, id);

    const en = await statusIn(id, 'en');
    const refused = { code: 'mail.CONNECTION_REFUSED.refused', params: [{ name: 'host', value: '127.0.0.1' }, { name: 'port', value: String(port) }], detail: null };
    expect(en.status.incoming).toMatchObject({
      state: 'ERROR',
      code: 'CONNECTION_REFUSED',
      message: `127.0.0.1:${port} refused the connection: nothing listens on this port, or a firewall rejects it.`,
      messageText: refused,
      hint: expect.stringMatching(/^Check the port and encryption: IMAP uses 993/),
      hintText: { code: 'mail.CONNECTION_REFUSED.hint', params: [], detail: null },
    });
    expect(en.status.incoming.checks.map((c: { detail: string }) => c.detail)).toEqual([
      `IMAP 127.0.0.1:${port}, no encryption, user closed.`,
      '127.0.0.1 is an IP address; no lookup needed.',
      `127.0.0.1:${port} refused the connection: nothing listens on this port, or a firewall rejects it.`,
    ]);
    expect(en.status.incoming.checks[0].detailText.code).toBe('check.config.incomingPlain');
    expect(en.status.outgoing).toMatchObject({ state: 'DISABLED', message: 'Sending is not configured.', messageText: { code: 'status.sendingNotConfigured' } });
    expect(en.lastErrors).toEqual([expect.objectContaining({ code: 'CONNECTION_REFUSED', message: en.status.incoming.message, messageText: refused, hint: en.status.incoming.hint })]);

    // No header is pt-BR, as is asking for it.
    for (const language of [null, 'pt-BR']) {
      const pt = await statusIn(id, language);
      const said = `127.0.0.1:${port} recusou a conexão: nada está escutando nesta porta, ou um firewall a rejeita.`;
      expect(pt.status.incoming).toMatchObject({ state: 'ERROR', message: said, messageText: refused, hint: expect.stringMatching(/^Confira a porta e a criptografia: IMAP usa 993/) });
      expect(pt.status.incoming.checks.map((c: { detail: string }) => c.detail)).toEqual([
        `IMAP 127.0.0.1:${port}, sem criptografia, usuário closed.`,
        '127.0.0.1 é um endereço IP; não é preciso consultar o DNS.',
        said,
      ]);
      expect(pt.status.incoming.checks[2].hint).toBe(pt.status.incoming.hint);
      expect(pt.status.outgoing.message).toBe('O envio não está configurado.');
      expect(pt.lastErrors[0]).toMatchObject({ message: said, messageText: refused, hint: pt.status.incoming.hint });
    }
  });

  it('words “save and test” of unsaved settings the same way (an unknown host)', async () => {
    app.services!.checks.checker.resolver = {
      lookup: async (host) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
      resolveMx: async () => [],
    };
    const input = incomingInput('Typo', { host: 'imap.acme-typo.example', port: 993 });
    const run = async (language: string | null) => {
      const res = await gql(app.url, TEST_SETTINGS, { input }, admin.token, language);
      expect(res.errors).toBeUndefined();
      return res.data!.testEmailSettings;
    };
    const en = await run('en');
    expect(en.incoming).toMatchObject({ state: 'ERROR', code: 'HOST_NOT_FOUND', message: '“imap.acme-typo.example” does not exist in DNS.', hint: expect.stringMatching(/typos/) });
    expect(en.outgoing.message).toBe('Sending is not configured.');
    const pt = await run(null);
    expect(pt.incoming).toMatchObject({ state: 'ERROR', code: 'HOST_NOT_FOUND', message: '“imap.acme-typo.example” não existe no DNS.', hint: expect.stringMatching(/digitado certo/) });
    expect(pt.incoming.checks.at(-1)).toMatchObject({ phase: 'DNS', ok: false, detail: '“imap.acme-typo.example” não existe no DNS.' });
    expect(pt.outgoing.message).toBe('O envio não está configurado.');
  });

  it('words live status events in the subscriber’s language (graphql-ws connectionParams.locale)', async () => {
    const id = await createAccount(app.url, admin.token, incomingInput('Live', { port: closedPort }));
    const client = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { locale: 'pt-BR', authorization: `Bearer ${admin.token}` }, retryAttempts: 0, lazy: true });
    const open = app.subscriptions.open;
    const sub = subscribe(
      client,
      `subscription($accountId: ID) { accountStatusChanged(accountId: $accountId) { status { incoming { state message messageText { code } hint checks { detail } } } } }`,
      { accountId: id },
    );
    try {
      await subscriptionsOpen(app, open + 1);
      await testAccount(app.url, admin.token, id);
      const failed = async () => {
        for (let n = 1; ; n++) {
          const event = (await sub.next(n)).at(-1)!;
          if (event.data?.accountStatusChanged.status.incoming.state === 'ERROR') return event.data.accountStatusChanged.status.incoming;
        }
      };
      const incoming = await failed();
      expect(incoming).toMatchObject({
        message: `127.0.0.1:${closedPort} recusou a conexão: nada está escutando nesta porta, ou um firewall a rejeita.`,
        messageText: { code: 'mail.CONNECTION_REFUSED.refused' },
        hint: expect.stringMatching(/^Confira a porta/),
      });
      expect(incoming.checks[0].detail).toBe(`IMAP 127.0.0.1:${closedPort}, sem criptografia, usuário live.`);
    } finally {
      sub.dispose();
      await client.dispose();
      await subscriptionsClosed(app, open);
    }
  });
});
