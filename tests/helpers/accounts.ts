import { gqlOk } from './graphql.ts';
import type { Dovecot } from './dovecot.ts';
import { CREATE_ACCOUNT } from './fragments.ts';

/** Connects a Dovecot mailbox to Correio through the API, exactly as an admin would. */
export async function connectDovecotAccount(
  url: string,
  token: string,
  dovecot: Dovecot,
  user: string,
  options: { protocol?: 'IMAP' | 'POP3'; incoming?: Record<string, unknown>; account?: Record<string, unknown> } = {},
): Promise<{ id: string; address: string }> {
  const protocol = options.protocol ?? 'IMAP';
  const password = dovecot.users.find((u) => u.user === user)?.password ?? 'secret';
  const data = await gqlOk(
    url,
    CREATE_ACCOUNT,
    {
      input: {
        name: `Dovecot ${user}`,
        kind: 'EXTERNAL',
        address: `${user}@acme.example`,
        incoming: {
          enabled: true,
          protocol,
          host: '127.0.0.1',
          port: protocol === 'IMAP' ? dovecot.imapPort : dovecot.pop3Port,
          encryption: 'NONE',
          username: user,
          password,
          ...options.incoming,
        },
        outgoing: null,
        ...options.account,
      },
    },
    token,
  );
  return { id: data.createEmailAccount.id, address: data.createEmailAccount.address };
}

/**
 * connectDovecotAccount for many mailboxes, `concurrency` at a time (hundreds of admins' clicks
 * in a row would take minutes one by one); resolves with the accounts in `users` order.
 */
export async function connectDovecotAccounts(url: string, token: string, dovecot: Dovecot, users: string[], concurrency = 8): Promise<Array<{ id: string; address: string }>> {
  const accounts: Array<{ id: string; address: string }> = new Array(users.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < users.length) {
      const i = next++;
      accounts[i] = await connectDovecotAccount(url, token, dovecot, users[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, users.length) }, worker));
  return accounts;
}
