import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { freePort } from './ports.ts';
import { registerTestServer } from './test-servers.ts';
import { testCertificate } from './tls.ts';

/**
 * An SMTP server (the `smtp-server` package) on a free port of 127.0.0.1 that keeps every
 * accepted message in memory, with programmable failures. Messages are not parsed here: use
 * mailparser's `simpleParser(message.raw)` in the test if needed.
 */

export type SmtpSinkTls = 'starttls' | 'implicit' | 'none';
export type SmtpAuthMethod = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2';
/** The command a programmed failure answers: MAIL FROM, every RCPT TO of the transaction, or the end of DATA. */
export type SmtpFailureStage = 'MAIL' | 'RCPT' | 'DATA';

export interface SmtpSinkOptions {
  /**
   * Required credentials. Without it AUTH is still offered (authOptional) and any credentials
   * are accepted. For XOAUTH2 `pass` is the expected access token unless `accessToken` is set.
   */
  auth?: { user: string; pass: string; accessToken?: string };
  /** Default 'starttls' (STARTTLS offered with testCertificate(); AUTH only after it). 'none': no TLS at all, AUTH in clear text. */
  tls?: SmtpSinkTls;
  /** Default ['PLAIN', 'LOGIN']. */
  authMethods?: SmtpAuthMethod[];
  /** Maximum message size advertised with SIZE (and rejected with 552). */
  size?: number;
  /** Passed through to SMTPServer, overriding the defaults above. */
  serverOptions?: Partial<SMTPServerOptions>;
  /**
   * XOAUTH2 tokens are checked at this RFC 7662 introspection URL (credentials in the URL), as a
   * provider's submission server does: active, and issued to the user who logs in. Other
   * mechanisms still follow `auth`.
   */
  oauth2Introspection?: string;
}

export interface CapturedMessage {
  /** MAIL FROM address ('' for the null sender). */
  from: string;
  /** RCPT TO addresses that were accepted. */
  to: string[];
  /** The message exactly as received after DATA (dot-unstuffed). */
  raw: Buffer;
  /** Authenticated user name, if any. */
  user: string | undefined;
  /** Whether the connection was TLS (implicit or after STARTTLS). */
  secure: boolean;
  sessionId: string;
  receivedAt: Date;
}

export interface AuthAttempt {
  method: string;
  username: string | undefined;
  ok: boolean;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  tls: SmtpSinkTls;
  /** Accepted messages, in order. */
  messages: CapturedMessage[];
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections open right now. */
  readonly openConnections: number;
  /** AUTH attempts so far (successful or not). */
  readonly authAttempts: number;
  /** Every AUTH attempt with its outcome. */
  authLog: AuthAttempt[];
  /** MAIL FROM commands (transactions started) so far. */
  readonly transactions: number;
  /** The next `n` transactions fail with `code message` at `stage` (default 'DATA'). */
  failNext(n: number, code: number, message: string, stage?: SmtpFailureStage): void;
  /** Every transaction started in the next `ms` milliseconds fails with `code message` at `stage` (default 'DATA'). */
  failFor(ms: number, code: number, message: string, stage?: SmtpFailureStage): void;
  /** Permanently reject one recipient address at RCPT (e.g. 550 '5.1.1 User unknown'); others are accepted. */
  rejectRecipient(address: string, code: number, message: string): void;
  /** Forgets every programmed failure (failNext, failFor, rejectRecipient); messages and counters stay. A test that programs one clears it when it ends. */
  clearFailures(): void;
  /** Clears messages, counters, auth log and every programmed failure. */
  reset(): void;
  /** Resolves with the messages once at least `n` were accepted; rejects after `timeoutMs` (default 5000). */
  waitForMessages(n: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
  server: SMTPServer;
}

interface Failure {
  code: number;
  message: string;
  stage: SmtpFailureStage;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const tlsMode: SmtpSinkTls = options.tls ?? 'starttls';
  const { key, cert } = testCertificate();
  const port = await freePort();
  registerTestServer(port);

  const messages: CapturedMessage[] = [];
  const authLog: AuthAttempt[] = [];
  let connections = 0;
  let openConnections = 0;
  let transactions = 0;
  let failCount = 0;
  let failCountWith: Failure | undefined;
  let failUntil = 0;
  let failUntilWith: Failure | undefined;
  const rejectedRecipients = new Map<string, { code: number; message: string }>();
  // The failure chosen at MAIL FROM for the transaction in progress on a session.
  const sessionFailure = new Map<string, Failure | undefined>();
  let waiters: Array<() => void> = [];

  const notify = (): void => {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };

  const checkAuth = (auth: SMTPServerAuthentication): boolean => {
    const expected = options.auth;
    if (!expected) return true;
    if (auth.username !== expected.user) return false;
    switch (auth.method) {
      case 'CRAM-MD5':
        return auth.validatePassword(expected.pass);
      case 'XOAUTH2':
        return auth.accessToken === (expected.accessToken ?? expected.pass);
      default:
        return auth.password === expected.pass;
    }
  };

  const introspectionAccepts = async (url: string, auth: SMTPServerAuthentication): Promise<boolean> => {
    const target = new URL(url);
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    target.username = '';
    target.password = '';
    const res = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: auth.accessToken ?? '' }),
    }).catch(() => null);
    if (!res?.ok) return false;
    const answer = (await res.json()) as { active?: boolean; sub?: string };
    return answer.active === true && answer.sub === auth.username;
  };

  const failureFor = (session: SMTPServerSession, stage: SmtpFailureStage): Failure | undefined => {
    const failure = sessionFailure.get(session.id);
    return failure && failure.stage === stage ? failure : undefined;
  };

  const serverOptions: SMTPServerOptions = {
    secure: tlsMode === 'implicit',
    key,
    cert,
    logger: false,
    disableReverseLookup: true,
    name: 'smtp-sink.test',
    banner: 'correio test sink',
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    authOptional: !options.auth,
    allowInsecureAuth: tlsMode === 'none',
    disabledCommands: tlsMode === 'none' ? ['STARTTLS'] : [],
    closeTimeout: 500,
    ...(options.size !== undefined ? { size: options.size, rejectOversized: true } : {}),

    onConnect(_session, callback) {
      connections += 1;
      openConnections += 1;
      callback();
    },

    onClose(session) {
      openConnections = Math.max(0, openConnections - 1);
      sessionFailure.delete(session.id);
    },

    async onAuth(auth, _session, callback) {
      const ok = options.oauth2Introspection && auth.method === 'XOAUTH2' ? await introspectionAccepts(options.oauth2Introspection, auth) : checkAuth(auth);
      authLog.push({ method: auth.method, username: auth.username, ok });
      if (ok) {
        callback(null, { user: auth.username ?? 'anonymous' });
      } else if (auth.method === 'XOAUTH2') {
        callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.example.test/' } });
      } else {
        callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      }
    },

    onMailFrom(_address, session, callback) {
      transactions += 1;
      let failure: Failure | undefined;
      if (failCount > 0 && failCountWith) {
        failCount -= 1;
        failure = failCountWith;
      } else if (Date.now() < failUntil && failUntilWith) {
        failure = failUntilWith;
      }
      sessionFailure.set(session.id, failure);
      const now = failureFor(session, 'MAIL');
      if (now) {
        sessionFailure.delete(session.id);
        callback(smtpError(now.code, now.message));
        return;
      }
      callback();
    },

    onRcptTo(address, session, callback) {
      const rejected = rejectedRecipients.get(address.address.toLowerCase());
      if (rejected) {
        callback(smtpError(rejected.code, rejected.message));
        return;
      }
      const now = failureFor(session, 'RCPT');
      if (now) {
        callback(smtpError(now.code, now.message));
        return;
      }
      callback();
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (err) => callback(err));
      stream.once('end', () => {
        const failure = failureFor(session, 'DATA');
        sessionFailure.delete(session.id);
        if (stream.sizeExceeded) {
          callback(smtpError(552, '5.3.4 Message exceeds fixed maximum message size'));
          return;
        }
        if (failure) {
          callback(smtpError(failure.code, failure.message));
          return;
        }
        const envelope = session.envelope;
        messages.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          sessionId: session.id,
          receivedAt: new Date(),
        });
        notify();
        callback(null, `2.0.0 Ok: queued as sink-${messages.length}`);
      });
    },
    ...options.serverOptions,
  };

  const server = new SMTPServer(serverOptions);
  server.on('error', () => {
    // Client-side resets and TLS errors surface here; tests look at what the client saw.
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });

  let stopped = false;
  const sink: SmtpSink = {
    host: '127.0.0.1',
    port,
    tls: tlsMode,
    messages,
    authLog,
    server,
    get connections() {
      return connections;
    },
    get openConnections() {
      return openConnections;
    },
    get authAttempts() {
      return authLog.length;
    },
    get transactions() {
      return transactions;
    },

    failNext(n, code, message, stage = 'DATA') {
      failCount = n;
      failCountWith = { code, message, stage };
    },

    failFor(ms, code, message, stage = 'DATA') {
      failUntil = Date.now() + ms;
      failUntilWith = { code, message, stage };
    },

    rejectRecipient(address, code, message) {
      rejectedRecipients.set(address.toLowerCase(), { code, message });
    },

    clearFailures() {
      failCount = 0;
      failCountWith = undefined;
      failUntil = 0;
      failUntilWith = undefined;
      rejectedRecipients.clear();
    },

    reset() {
      messages.length = 0;
      authLog.length = 0;
      connections = 0;
      transactions = 0;
      sink.clearFailures();
    },

    waitForMessages(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        let timer: NodeJS.Timeout | undefined;
        const check = (): void => {
          if (messages.length >= n) {
            if (timer) clearTimeout(timer);
            resolve(messages.slice());
            return;
          }
          if (Date.now() >= deadline) return;
          waiters.push(check);
        };
        timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          if (messages.length >= n) resolve(messages.slice());
          else reject(new Error(`smtp sink: expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        check();
      });
    },

    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      return new Promise<void>((resolve) => {
        for (const connection of server.connections) {
          connection._socket.destroy();
        }
        server.close(() => resolve());
      });
    },
  };
  return sink;
}
