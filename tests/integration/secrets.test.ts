import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '@correio/core';
import { signUp, startTestApp, type TestApp } from '../helpers/app.ts';
import { ACCOUNT_FIELDS, CREATE_ACCOUNT, UPDATE_ACCOUNT, externalAccountInput } from '../helpers/fragments.ts';
import { gql } from '../helpers/graphql.ts';

const IMAP_PASSWORD = 'Imap-Known-Pa55word!';
const SMTP_PASSWORD = 'Smtp-Known-Pa55word!';
const TOKEN = 'ya29.Known-Access-Token';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('credentials are write-only and encrypted at rest (A11)', () => {
  it('never returns or logs a password, and stores only ciphertext', async () => {
    const { token } = await signUp(app.url, { password: 'Admin-Known-Pa55word!' });
    const responses: string[] = [];
    const call = async (query: string, variables: Record<string, unknown> = {}) => {
      const r = await gql(app.url, query, variables, token);
      responses.push(JSON.stringify(r));
      return r;
    };
    const input = externalAccountInput({
      incoming: { ...externalAccountInput().incoming, password: IMAP_PASSWORD },
      outgoing: { host: 'smtp.example.com', encryption: 'STARTTLS', requiresAuth: true, useSeparateIdentity: true, username: 'smtp-user', password: SMTP_PASSWORD, accessToken: TOKEN, authMechanism: 'XOAUTH2' },
    });
    const created = await call(CREATE_ACCOUNT, { input });
    const id = (created.data as any).createEmailAccount.id;
    expect((created.data as any).createEmailAccount.incoming.hasPassword).toBe(true);
    expect((created.data as any).createEmailAccount.outgoing.hasPassword).toBe(true);
    await call(UPDATE_ACCOUNT, { id, input: { ...input, incoming: { ...input.incoming, password: null }, outgoing: { ...input.outgoing, password: null, accessToken: null } } });
    await call(`{ emailAccounts { ${ACCOUNT_FIELDS} } }`);
    await call(`query($id: ID!) { emailAccount(id: $id) { ${ACCOUNT_FIELDS} } }`, { id });
    // A failing mutation echoes nothing either.
    await call(CREATE_ACCOUNT, { input: { ...input, incoming: { ...input.incoming, port: 0 } } });

    for (const secret of [IMAP_PASSWORD, SMTP_PASSWORD, TOKEN, 'Admin-Known-Pa55word!']) {
      expect(responses.join('\n')).not.toContain(secret);
      expect(app.logs.join('\n')).not.toContain(secret);
    }
    expect(app.logs.length).toBeGreaterThan(0);

    const rows = rowsOf<Record<string, unknown>>(await app.runtime.database.db.execute(sql`select * from email_accounts where id = ${id}`));
    const raw = JSON.stringify(rows);
    for (const secret of [IMAP_PASSWORD, SMTP_PASSWORD, TOKEN]) expect(raw).not.toContain(secret);
    expect(rows[0]!['incoming_password_sealed']).toMatch(/^v2\./);
  });

  it('generates the master key once into the data folder, readable by the owner only', async () => {
    const info = await stat(join(app.dataDir, 'secret.key'));
    expect(info.mode & 0o777).toBe(0o600);
  });
});
