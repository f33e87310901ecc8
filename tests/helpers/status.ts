import { createServer, type Server, type Socket } from 'node:net';
import { gqlOk } from './graphql.ts';
import { registerTestServer } from './test-servers.ts';

// Helpers for the connection-status tests (issue 4): GraphQL selections and small servers that
// misbehave on purpose (silent, or answering IMAP LOGIN with a chosen line).

export const CONNECTION_FIELDS = `state code hint message checkedAt since lastCheckAt checks { phase ok ms detail code serverResponse transient hint }`;
export const STATUS_FIELDS = `status { overall incoming { ${CONNECTION_FIELDS} } outgoing { ${CONNECTION_FIELDS} } }`;
export const ERRORS_FIELDS = `lastErrors(first: 50) { at direction phase code message serverResponse transient hint }`;

export const TEST_ACCOUNT = `mutation($id: ID!) { testEmailAccount(id: $id) { overall incoming { ${CONNECTION_FIELDS} } outgoing { ${CONNECTION_FIELDS} } } }`;
export const TEST_SETTINGS = `mutation($input: EmailAccountInput!, $accountId: ID) { testEmailSettings(input: $input, accountId: $accountId) { overall incoming { ${CONNECTION_FIELDS} } outgoing { ${CONNECTION_FIELDS} } } }`;
export const ACCOUNT_STATUS = `query($id: ID!) { emailAccount(id: $id) { id active ${STATUS_FIELDS} ${ERRORS_FIELDS} } }`;
export const REFRESH = `mutation { refreshAccountStatuses { id name ${STATUS_FIELDS} } }`;
export const STATUS_SUBSCRIPTION = `subscription($accountId: ID) { accountStatusChanged(accountId: $accountId) { id name ${STATUS_FIELDS} } }`;

export async function testAccount(url: string, token: string, id: string) {
  return (await gqlOk(url, TEST_ACCOUNT, { id }, token)).testEmailAccount;
}

export async function accountStatus(url: string, token: string, id: string) {
  return (await gqlOk(url, ACCOUNT_STATUS, { id }, token)).emailAccount;
}

/** An external account receiving from `incoming` (IMAP, no encryption by default), sending nowhere. */
export function incomingInput(name: string, incoming: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name,
    kind: 'EXTERNAL',
    address: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@acme.example`,
    incoming: { enabled: true, protocol: 'IMAP', host: '127.0.0.1', encryption: 'NONE', username: name.toLowerCase(), password: 'secret', ...incoming },
    outgoing: null,
    ...extra,
  };
}

export async function createAccount(url: string, token: string, input: Record<string, unknown>): Promise<string> {
  const data = await gqlOk(url, `mutation($input: EmailAccountInput!) { createEmailAccount(input: $input) { id } }`, { input }, token);
  return data.createEmailAccount.id as string;
}

export interface TestServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

/** Accepts connections and never writes a byte: the "port that never answers". */
export async function startSilentServer(): Promise<TestServer> {
  return listen(() => undefined);
}

/**
 * A minimal IMAP server whose answer to LOGIN is chosen by the test (e.g.
 * `NO [UNAVAILABLE] Temporary authentication failure`), changeable while it runs.
 */
export async function startScriptedImap(loginAnswer: string): Promise<TestServer & { setLoginAnswer(answer: string): void }> {
  let answer = loginAnswer;
  const server = await listen((socket) => {
    socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] scripted ready\r\n');
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const [tag, command] = line.split(' ');
        const verb = (command ?? '').toUpperCase();
        if (verb === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        else if (verb === 'ID') socket.write(`* ID NIL\r\n${tag} OK done\r\n`);
        else if (verb === 'LOGIN' || verb === 'AUTHENTICATE') socket.write(`${tag} ${answer}\r\n`);
        else if (verb === 'LIST' || verb === 'LSUB') socket.write(`* ${verb} (\\HasNoChildren) "/" INBOX\r\n${tag} OK done\r\n`);
        else if (verb === 'SELECT' || verb === 'EXAMINE')
          socket.write(`* FLAGS (\\Seen)\r\n* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n${tag} OK [${verb === 'SELECT' ? 'READ-WRITE' : 'READ-ONLY'}] done\r\n`);
        else if (verb === 'NOOP' || verb === 'CLOSE' || verb === 'UNSELECT') socket.write(`${tag} OK done\r\n`);
        else if (verb === 'LOGOUT') socket.end(`* BYE\r\n${tag} OK done\r\n`);
        else socket.write(`${tag} BAD not scripted\r\n`);
      }
    });
  });
  return Object.assign(server, { setLoginAnswer: (a: string) => void (answer = a) });
}

async function listen(onConnection: (socket: Socket) => void): Promise<TestServer> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  registerTestServer(port);
  return {
    port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
