import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { registerTestServer } from './test-servers.ts';
import { testCertificate } from './tls.ts';

/**
 * A private Dovecot (IMAP + POP3) for tests: its own temp folder, config, passwd-file and
 * maildirs, on free ports of 127.0.0.1, run in the foreground (`dovecot -F`) as a child process
 * in its own process group.
 *
 * Works as root (the login/internal processes run as `dovenull`/`dovecot`, mail as uid 1000)
 * and unprivileged (everything runs as the current user).
 */

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotOptions {
  /** Accounts; default `[{ user: 'user', password: 'secret' }]`. Names are lower-cased (Dovecot's default `%Lu`). */
  users?: DovecotUser[];
  /** Also listen with implicit TLS (imaps/pop3s) and offer STARTTLS, with `testCertificate()`. */
  tls?: boolean;
  /**
   * Keep Dovecot's per-IP auth penalty (a failed login delays the next auth attempts from
   * 127.0.0.1 by 2–15 s). Off by default so tests with wrong passwords stay fast; a failed
   * login still takes ~0.5 s (Dovecot's failure-delay granularity).
   */
  authPenalty?: boolean;
  /**
   * Hold this many concurrent IMAP sessions without a process each (Dovecot's default forks one
   * per session and stops at 1,024): login processes in high-performance mode and imap processes
   * serving up to 200 sessions each, with the limits and memory that takes. The process that
   * starts Dovecot needs `ulimit -n` above ~1,000 (every Dovecot process inherits it).
   * For benchmarks and storm tests with hundreds or thousands of mailboxes.
   */
  clientLimit?: number;
  /** Appended verbatim to dovecot.conf (later settings win), e.g. `mail_max_userip_connections = 2`. */
  extraConfig?: string;
  /**
   * Also accept XOAUTH2 and OAUTHBEARER, validating every token at this RFC 7662 introspection
   * URL (credentials in the URL), as Gmail's and Microsoft 365's servers accept their tokens.
   * The token's `sub` must be the login name. Passwords keep working for the same users.
   */
  oauth2?: { introspectionUrl: string };
  /** Record what IMAP clients send, session by session (Dovecot's `rawlog_dir`); read with `imapCommands`. */
  rawlog?: boolean;
}

export interface DeliverOptions {
  /** Deliver into `cur/` with the \Seen flag (`:2,S`) instead of `new/`. */
  seen?: boolean;
  /** INTERNALDATE: Dovecot takes it from the file's mtime. */
  internalDate?: Date;
}

export interface ResetUidValidityOptions {
  /**
   * Give the existing messages new UIDs (from the old UIDNEXT on, same order), so no message
   * keeps a UID it had before. Default true; false keeps the UIDs and changes only UIDVALIDITY.
   */
  renumber?: boolean;
  /** The new UIDVALIDITY; default max(old + 1, now in seconds). */
  uidValidity?: number;
}

/** One logged-in IMAP or POP3 session, as Dovecot's process title shows it (`verbose_proctitle`). */
export interface DovecotSession {
  protocol: 'imap' | 'pop3';
  pid: number;
  user: string;
  ip: string;
  /** The command the session is running right now (`IDLE`, `UID FETCH`, …); '' between commands. */
  command: string;
}

export interface Dovecot {
  host: '127.0.0.1';
  imapPort: number;
  pop3Port: number;
  /** Implicit-TLS ports, only with `tls: true`. */
  imapsPort?: number;
  pop3sPort?: number;
  /** The live list of accounts (setPassword updates it). */
  users: DovecotUser[];
  /** The temp folder with dovecot.conf, passwd, dovecot.log and mail/. */
  dir: string;
  /** PID of the Dovecot master (also its process group id) while running. */
  readonly pid: number | undefined;
  /** The user's maildir (= INBOX). */
  maildir(user: string): string;
  /** Writes one message atomically into the user's INBOX (tmp/ then rename into new/ or cur/). */
  deliver(user: string, raw: string | Buffer, opts?: DeliverOptions): Promise<void>;
  /** Fast path for many messages; they get UIDs in array order. */
  deliverMany(user: string, raws: Array<string | Buffer>, opts?: DeliverOptions): Promise<void>;
  /**
   * Forces a new UIDVALIDITY (and, by default, new UIDs for the existing messages) for INBOX,
   * via `doveadm mailbox update --uid-validity`. Logged-in sessions see it on their next SELECT;
   * a session that has INBOX selected right then is disconnected by Dovecot.
   */
  resetUidValidity(user: string, opts?: ResetUidValidityOptions): Promise<void>;
  /** Changes (or adds) an account. Resolves once Dovecot is guaranteed to see it (≤ ~1 s). */
  setPassword(user: string, password: string): Promise<void>;
  /** Lines of dovecot.log so far (logins are logged as `imap-login: Info: Login: user=<…>`). */
  logLines(): Promise<string[]>;
  /**
   * With `rawlog: true`: the commands each IMAP session of the user sent after logging in, oldest
   * session first, tags stripped (`UID SEARCH UID 5:*`, `IDLE`, …).
   */
  imapCommands(user: string): Promise<string[][]>;
  /**
   * The sessions logged in right now, read from the process titles of Dovecot's imap/pop3
   * processes (Linux /proc): e.g. a client that entered IDLE shows `command: 'IDLE'`. Sees only
   * sessions with a process of their own, so none with `clientLimit` (see imapSessionCounts).
   */
  sessions(): Promise<DovecotSession[]>;
  /**
   * Logged-in IMAP sessions per user, as Dovecot's anvil counts them (`doveadm who`): unlike
   * sessions(), this sees sessions that share an imap process (`clientLimit`), but not what they run.
   */
  imapSessionCounts(): Promise<Map<string, number>>;
  /**
   * Connections the IMAP login processes hold right now that have not logged in yet (the
   * `[N pre-login]` of their process titles): the logins in flight, seen from the server. A
   * session being handed over to an imap process still counts, although its client may already
   * have the OK.
   */
  preLoginConnections(): Promise<number>;
  /** Stops Dovecot (whole process group) and deletes the temp folder. */
  stop(): Promise<void>;
  /** Stops and starts again on the same ports with the same maildirs; clients are disconnected. */
  restart(): Promise<void>;
  /** Stops the server but keeps its maildirs (mail can still be delivered); `restart()` brings it back. */
  halt(): Promise<void>;
  /** SIGSTOP to the whole process group: connections are accepted by the kernel but never answered. */
  pause(): Promise<void>;
  /** SIGCONT to the whole process group. */
  resume(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

const execFileAsync = promisify(execFile);

function findBinary(name: string): string | undefined {
  const candidates = [
    ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name)),
    `/usr/sbin/${name}`,
    `/usr/bin/${name}`,
    `/usr/local/sbin/${name}`,
    `/usr/local/bin/${name}`,
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Path of the dovecot binary, or undefined. */
export function dovecotBinary(): string | undefined {
  return findBinary('dovecot');
}

function doveadmBinary(): string | undefined {
  return findBinary('doveadm');
}

/** Whether a `dovecot` binary is on PATH or at /usr/sbin/dovecot. */
export function dovecotAvailable(): boolean {
  return dovecotBinary() !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: every running instance is killed if this process exits without stop().

const running = new Set<{ pgid: number; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of running) {
      killGroup(entry.pgid, 'SIGCONT');
      killGroup(entry.pgid, 'SIGKILL');
      try {
        rmSync(entry.dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
    running.clear();
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes of a process group; falls back to kill(-pgid, 0) without /proc. */
export function processGroupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let statLine: string;
    try {
      statLine = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Maildir file names: `<secs>.M<usecs>P<pid>Q<seq>.<host>,S=<size>`. Dovecot gives new mail
// UIDs in file-name (time) order, so a strictly increasing virtual clock keeps delivery order.

let lastStampUs = 0;
let sequence = 0;

function nextMaildirBase(size: number): string {
  const nowUs = Date.now() * 1000;
  lastStampUs = Math.max(nowUs, lastStampUs + 1);
  const secs = Math.floor(lastStampUs / 1_000_000);
  const usecs = lastStampUs % 1_000_000;
  sequence += 1;
  return `${secs}.M${usecs}P${process.pid}Q${sequence}.correio-test,S=${size}`;
}

function normalizeUser(user: string): string {
  const name = user.toLowerCase();
  if (name === '' || /[:/\s\0]/.test(name) || name === '.' || name === '..') {
    throw new Error(`dovecot helper: unsupported user name ${JSON.stringify(user)}`);
  }
  return name;
}

function groupName(gid: number): string | undefined {
  try {
    return readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => fields[2] === String(gid))?.[0];
  } catch {
    return undefined;
  }
}

function userExists(name: string): boolean {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((line) => line.split(':')[0] === name);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const bin = dovecotBinary();
  if (!bin) throw new Error('dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)');

  const isRoot = process.getuid?.() === 0;
  const mailUid = isRoot ? 1000 : process.getuid!();
  const mailGid = isRoot ? 1000 : process.getgid!();
  const me = userInfo().username;
  const internalUser = isRoot ? (userExists('dovecot') ? 'dovecot' : 'nobody') : me;
  const loginUser = isRoot ? (userExists('dovenull') ? 'dovenull' : 'nobody') : me;
  // Unprivileged, the internal sockets' group must be one of ours (the default is `dovecot`).
  const internalGroup = isRoot ? undefined : groupName(process.getgid!());

  const dir = await mkdtemp(join(tmpdir(), 'correio-dovecot-'));
  // The login/auth/mail processes run as other users: they must be able to traverse it.
  await chmod(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  const baseDir = join(dir, 'run');
  const stateDir = join(dir, 'state');
  const logPath = join(dir, 'dovecot.log');
  const passwdPath = join(dir, 'passwd');
  const confPath = join(dir, 'dovecot.conf');
  await mkdir(mailRoot, { mode: 0o755 });
  await mkdir(stateDir, { mode: 0o755 });
  const rawlogDir = join(dir, 'rawlog');
  if (isRoot) await chown(mailRoot, mailUid, mailGid);
  await writeFile(logPath, '', { mode: 0o644 });

  const users: DovecotUser[] = (options.users ?? [{ user: 'user', password: 'secret' }]).map((u) => ({
    user: normalizeUser(u.user),
    password: u.password,
  }));
  if (options.rawlog) {
    // Dovecot writes a session's rawlog only into a folder that exists, as the mail user.
    await mkdir(rawlogDir, { mode: 0o755 });
    for (const u of users) {
      await mkdir(join(rawlogDir, u.user), { mode: 0o777 });
      await chmod(join(rawlogDir, u.user), 0o777);
    }
  }

  const imapPort = await freePort();
  const pop3Port = await freePort();
  registerTestServer(imapPort);
  registerTestServer(pop3Port);
  const imapsPort = options.tls ? await freePort() : undefined;
  const pop3sPort = options.tls ? await freePort() : undefined;
  for (const p of [imapsPort, pop3sPort]) if (p) registerTestServer(p);

  if (options.tls) {
    const { key, cert } = testCertificate();
    await writeFile(join(dir, 'cert.pem'), cert, { mode: 0o644 });
    await writeFile(join(dir, 'key.pem'), key, { mode: 0o600 });
  }

  const maildirOf = (user: string): string => join(mailRoot, normalizeUser(user));

  let passwdMtime = Math.floor(Date.now() / 1000) - 10;
  const writePasswd = async (): Promise<void> => {
    const lines = users.map(
      (u) =>
        // {PLAIN.b64}: any character in the password is safe in the colon-separated file.
        `${u.user}:{PLAIN.b64}${Buffer.from(u.password, 'utf8').toString('base64')}:${mailUid}:${mailGid}::${join(mailRoot, u.user)}::`,
    );
    const tmp = `${passwdPath}.tmp`;
    await writeFile(tmp, lines.join('\n') + '\n', { mode: 0o644 });
    // Dovecot reloads the file when its mtime (whole seconds) or size changes: give every
    // version its own mtime so same-length rewrites are noticed too.
    passwdMtime = Math.max(passwdMtime + 1, Math.floor(Date.now() / 1000));
    await utimes(tmp, passwdMtime, passwdMtime);
    await rename(tmp, passwdPath);
  };
  await writePasswd();

  const tlsConfig = options.tls
    ? `ssl = yes
ssl_cert = <${join(dir, 'cert.pem')}
ssl_key = <${join(dir, 'key.pem')}`
    : 'ssl = no';

  // Dovecot asks the provider on every login (force_introspection: no local token cache), so a
  // revoked or expired token fails at once, as it does at the real providers.
  const oauth2Path = join(dir, 'oauth2.conf.ext');
  if (options.oauth2) {
    await writeFile(
      oauth2Path,
      `introspection_url = ${options.oauth2.introspectionUrl}\nintrospection_mode = post\nforce_introspection = yes\nusername_attribute = sub\nactive_attribute = active\nactive_value = true\n`,
      { mode: 0o644 },
    );
  }
  const oauth2Config = options.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauth2Path}
}
`
    : '';

  const conf = `# Generated by tests/helpers/dovecot.ts
protocols = imap pop3
listen = ${HOST}
base_dir = ${baseDir}
state_dir = ${stateDir}
log_path = ${logPath}
info_log_path = ${logPath}
debug_log_path = ${logPath}
log_timestamp = "%Y-%m-%d %H:%M:%S.%{usecs} "
${tlsConfig}
disable_plaintext_auth = no
auth_mechanisms = plain login${options.oauth2 ? ' xoauth2 oauthbearer' : ''}
auth_verbose = yes
auth_failure_delay = 0
mail_location = maildir:${mailRoot}/%u
first_valid_uid = ${Math.min(1000, mailUid)}
first_valid_gid = ${Math.min(1000, mailGid)}
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
${internalGroup ? `default_internal_group = ${internalGroup}\n` : ''}verbose_proctitle = yes
# No connections to the stats process (one moving part less; nothing here reads statistics).
stats_writer_socket_path =
# Fallback when inotify is unavailable (e.g. per-user inotify instance limit reached).
mailbox_idle_check_interval = 1 secs
${options.rawlog ? `rawlog_dir = ${rawlogDir}/%u\n` : ''}${oauth2Config}passdb {
  driver = passwd-file
  args = ${passwdPath}
}
userdb {
  driver = passwd-file
  args = ${passwdPath}
}
service imap-login {
  inet_listener imap {
    port = ${imapPort}
  }
  inet_listener imaps {
    port = ${imapsPort ?? 0}
  }
${isRoot ? '' : '  chroot =\n'}}
service pop3-login {
  inet_listener pop3 {
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = ${pop3sPort ?? 0}
  }
${isRoot ? '' : '  chroot =\n'}}
${
  options.authPenalty
    ? ''
    : `# The auth process finds no anvil-auth-penalty socket and disables the per-IP penalty.
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}
`
}${options.clientLimit ? manyClientsConfig(options.clientLimit) : ''}${options.extraConfig ?? ''}
`;
  await writeFile(confPath, conf, { mode: 0o644 });

  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let entry: { pgid: number; dir: string } | undefined;
  let stderr = '';
  let stopped = false;

  const logTail = async (lines = 30): Promise<string> => {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  };

  const launch = async (): Promise<void> => {
    await rm(join(baseDir, 'master.pid'), { force: true });
    stderr = '';
    const proc = spawn(bin, ['-F', '-c', confPath], {
      detached: true, // own session + process group (pgid = pid): signals reach every child
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | string | null>((resolve) => {
      proc.once('exit', (code, signal) => resolve(signal ?? code));
      proc.once('error', (err) => resolve(err.message));
    });
    if (proc.pid === undefined) {
      const why = await exited;
      throw new Error(`dovecot failed to spawn: ${String(why)}`);
    }
    const pgid = proc.pid;
    entry = { pgid, dir };
    running.add(entry);
    installExitHook();
    proc.unref();
    (proc.stderr as Socket | null)?.unref();

    // Even if this process is SIGKILLed (no 'exit' hook), the watchdog's stdin pipe closes
    // and it takes Dovecot's process group down with it. (dash's kill takes no `--`.)
    const dog = spawn(
      '/bin/sh',
      [
        '-c',
        'read _ignored; kill -CONT -"$1" 2>/dev/null; kill -KILL -"$1" 2>/dev/null; sleep 0.2; rm -rf "$2"',
        'dovecot-watchdog',
        String(pgid),
        dir,
      ],
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    watchdog = dog;
    dog.unref();
    (dog.stdin as unknown as Socket | null)?.unref();
    dog.on('error', () => {});

    let exitedEarly: number | string | null | undefined;
    void exited.then((why) => {
      exitedEarly = why;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastError = '';
    for (;;) {
      if (exitedEarly !== undefined) {
        await shutdown();
        throw new Error(
          `dovecot exited during start-up (${String(exitedEarly)}).\nstderr: ${stderr.trim()}\n--- ${logPath} ---\n${await logTail()}`,
        );
      }
      try {
        await readGreeting(imapPort, /^\* OK /, 1000);
        await readGreeting(pop3Port, /^\+OK/, 1000);
        return;
      } catch (err) {
        lastError = (err as Error).message;
      }
      if (Date.now() > deadline) {
        await shutdown();
        throw new Error(
          `dovecot did not answer on ${HOST}:${imapPort} within ${START_TIMEOUT_MS} ms (${lastError}).\nstderr: ${stderr.trim()}\n--- ${logPath} ---\n${await logTail()}`,
        );
      }
      await sleep(50);
    }
  };

  /** Stops the process group (not the folder). */
  const shutdown = async (): Promise<void> => {
    const proc = child;
    const current = entry;
    child = undefined;
    entry = undefined;
    if (!proc || !current) return;
    const pgid = current.pgid;
    killGroup(pgid, 'SIGCONT');
    const exited = proc.exitCode !== null || proc.signalCode !== null;
    if (!exited) {
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      try {
        process.kill(pgid, 'SIGTERM');
      } catch {
        // already gone
      }
      // A clean shutdown takes ~1 s. A login process that was accepting a connection around a
      // pause()/resume() can sit in a blocking read for 5 s and hold the master up: don't wait.
      await Promise.race([gone, sleep(2000)]);
    }
    // The master terminates its children; make sure none is left (stragglers get SIGKILL).
    if (!(await waitUntil(() => !processGroupAlive(pgid), 200))) {
      killGroup(pgid, 'SIGKILL');
      await waitUntil(() => !processGroupAlive(pgid), 3000);
    }
    running.delete(current);
    if (watchdog) {
      watchdog.kill('SIGKILL');
      watchdog.stdin?.destroy();
      watchdog = undefined;
    }
  };

  const ensureMaildir = async (user: string): Promise<string> => {
    const md = maildirOf(user);
    for (const sub of ['', 'cur', 'new', 'tmp']) {
      const path = join(md, sub);
      try {
        await mkdir(path, { mode: 0o700 });
        if (isRoot) await chown(path, mailUid, mailGid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    return md;
  };

  const writeOne = async (md: string, raw: string | Buffer, opts: DeliverOptions): Promise<void> => {
    const data = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const base = nextMaildirBase(data.length);
    const tmpPath = join(md, 'tmp', base);
    await writeFile(tmpPath, data, { mode: 0o600 });
    if (isRoot) await chown(tmpPath, mailUid, mailGid);
    if (opts.internalDate) await utimes(tmpPath, opts.internalDate, opts.internalDate);
    const finalPath = opts.seen ? join(md, 'cur', `${base}:2,S`) : join(md, 'new', base);
    await rename(tmpPath, finalPath);
  };

  try {
    await launch();
  } catch (err) {
    if (!process.env['CORREIO_KEEP_DOVECOT_DIR']) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const instance: Dovecot = {
    host: HOST,
    imapPort,
    pop3Port,
    ...(imapsPort !== undefined ? { imapsPort } : {}),
    ...(pop3sPort !== undefined ? { pop3sPort } : {}),
    users,
    dir,
    get pid() {
      return entry?.pgid;
    },
    maildir: maildirOf,

    async deliver(user, raw, opts = {}) {
      const md = await ensureMaildir(user);
      await writeOne(md, raw, opts);
    },

    async deliverMany(user, raws, opts = {}) {
      const md = await ensureMaildir(user);
      // File names (and so UIDs) follow array order; the writes themselves run in parallel.
      const concurrency = 32;
      let next = 0;
      const items = raws.map((raw) => {
        const data = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
        return { data, base: nextMaildirBase(data.length) };
      });
      const worker = async (): Promise<void> => {
        while (next < items.length) {
          const item = items[next++]!;
          const tmpPath = join(md, 'tmp', item.base);
          await writeFile(tmpPath, item.data, { mode: 0o600 });
          if (isRoot) await chown(tmpPath, mailUid, mailGid);
          if (opts.internalDate) await utimes(tmpPath, opts.internalDate, opts.internalDate);
          await rename(tmpPath, opts.seen ? join(md, 'cur', `${item.base}:2,S`) : join(md, 'new', item.base));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    },

    async resetUidValidity(user, opts = {}) {
      const name = normalizeUser(user);
      const md = await ensureMaildir(name);
      // Current UIDs, from dovecot-uidlist: header `3 V<uidvalidity> N<nextuid> G<guid>`, then
      // one `<uid> [<ext> ...] :<base file name>` line per message.
      const uidlist = await readFile(join(md, 'dovecot-uidlist'), 'utf8').catch(() => '');
      const [header = '', ...entries] = uidlist.split('\n');
      let oldValidity = 0;
      for (const field of header.split(' ')) if (field.startsWith('V')) oldValidity = Number(field.slice(1)) || 0;
      const uidOf = new Map<string, number>();
      for (const line of entries) {
        const colon = line.indexOf(' :');
        if (colon > 0) uidOf.set(line.slice(colon + 2), Number(line.split(' ')[0]));
      }
      if (opts.renumber ?? true) {
        // A maildir file whose base name changes is a new message to Dovecot: renaming every
        // file (in current UID order, keeping its flags) gives each one a UID above the old UIDNEXT.
        const files: Array<{ sub: 'cur' | 'new'; file: string; base: string; suffix: string }> = [];
        for (const sub of ['cur', 'new'] as const) {
          for (const file of await readdir(join(md, sub))) {
            const cut = file.indexOf(':');
            files.push({ sub, file, base: cut >= 0 ? file.slice(0, cut) : file, suffix: cut >= 0 ? file.slice(cut) : '' });
          }
        }
        const rank = (base: string): number => uidOf.get(base) ?? Number.MAX_SAFE_INTEGER;
        files.sort((a, b) => rank(a.base) - rank(b.base) || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
        for (const f of files) {
          const size = (await stat(join(md, f.sub, f.file))).size;
          await rename(join(md, f.sub, f.file), join(md, f.sub, nextMaildirBase(size) + f.suffix));
        }
      }
      // doveadm goes through Dovecot's own storage code: sessions that are logged in see the new
      // UIDVALIDITY on their next SELECT, a session with INBOX selected is disconnected
      // ("IMAP session state is inconsistent, please relogin").
      const validity = opts.uidValidity ?? Math.max(oldValidity + 1, Math.floor(Date.now() / 1000));
      const doveadm = doveadmBinary();
      if (!doveadm) throw new Error('dovecot helper: doveadm not found (it comes with dovecot-core)');
      await execFileAsync(doveadm, ['-c', confPath, 'mailbox', 'update', '-u', name, '--uid-validity', String(validity), 'INBOX'], {
        timeout: 15_000,
      }).catch(async (err: Error & { stderr?: string }) => {
        throw new Error(`doveadm mailbox update failed: ${err.message}\n${err.stderr ?? ''}\n${await logTail(10)}`);
      });
    },

    async setPassword(user, password) {
      const name = normalizeUser(user);
      const existing = users.find((u) => u.user === name);
      if (existing) existing.password = password;
      else users.push({ user: name, password });
      await writePasswd();
      // Dovecot stats the file at most once per second (per ioloop second): after the next
      // second boundary any lookup sees the new version.
      await sleep(1000 - (Date.now() % 1000) + 20);
    },

    async logLines() {
      const text = await readFile(logPath, 'utf8').catch(() => '');
      return text.split('\n').filter((line) => line !== '');
    },

    async sessions() {
      return entry ? sessionsOf(entry.pgid) : [];
    },

    async imapSessionCounts() {
      const doveadm = doveadmBinary();
      if (!doveadm) throw new Error('dovecot helper: doveadm not found (it comes with dovecot-core)');
      const { stdout } = await execFileAsync(doveadm, ['-c', confPath, 'who', '-1'], { timeout: 15_000, maxBuffer: 64 * 1024 * 1024 });
      const counts = new Map<string, number>();
      // `username proto pid ip`, after a header line.
      for (const line of stdout.split('\n').slice(1)) {
        const [user, proto] = line.trim().split(/\s+/);
        if (user && proto === 'imap') counts.set(user, (counts.get(user) ?? 0) + 1);
      }
      return counts;
    },

    async preLoginConnections() {
      return entry ? preLoginOf(entry.pgid) : 0;
    },

    async imapCommands(user) {
      const folder = join(rawlogDir, normalizeUser(user));
      // Named <date>-<time>-<pid>.in: in name order, the sessions in the order they began.
      const files = (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.in')).sort();
      return Promise.all(
        files.map(async (f) =>
          (await readFile(join(folder, f), 'utf8'))
            .split(/\r?\n/)
            // Each line: a timestamp, then what the client sent (`<tag> <command>`, or IDLE's `DONE`).
            .map((line) => line.replace(/^\d+\.\d+\s+/, '').trim())
            .filter((line) => line !== '' && !/^DONE$/i.test(line))
            .map((line) => line.replace(/^\S+\s+/, '')),
        ),
      );
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      await shutdown();
      if (!process.env['CORREIO_KEEP_DOVECOT_DIR']) await rm(dir, { recursive: true, force: true });
    },

    async halt() {
      if (stopped) throw new Error('dovecot helper: halt() after stop()');
      await shutdown();
    },

    async restart() {
      if (stopped) throw new Error('dovecot helper: restart() after stop()');
      await shutdown();
      let attempt = 0;
      for (;;) {
        try {
          await launch();
          return;
        } catch (err) {
          // The old listening sockets may take a moment to be released.
          if (++attempt >= 3 || !/Address already in use/i.test((err as Error).message)) throw err;
          await sleep(300);
        }
      }
    },

    async pause() {
      if (!entry) throw new Error('dovecot helper: not running');
      killGroup(entry.pgid, 'SIGSTOP');
    },

    async resume() {
      if (!entry) throw new Error('dovecot helper: not running');
      killGroup(entry.pgid, 'SIGCONT');
    },
  };
  return instance;
}

/**
 * Sessions one imap process serves with `clientLimit`. Few processes, so few inotify instances
 * (128 per uid by default; past them IDLE falls back to polling). A session holds about four file
 * descriptors (socket, index files, inotify), so 200 stay within the common `ulimit -n` of 1,024
 * that every Dovecot process inherits from the process that starts it.
 */
const SESSIONS_PER_IMAP_PROCESS = 200;

/**
 * Service settings for `clientLimit` concurrent IMAP sessions. One imap process may serve many
 * sessions here because every user has the same uid. default_process_limit stays at 100: no
 * service needs more than a dozen processes with these settings.
 */
function manyClientsConfig(clientLimit: number): string {
  const imapProcesses = Math.ceil(clientLimit / SESSIONS_PER_IMAP_PROCESS) + 2;
  return `# clientLimit = ${clientLimit}
# Auth, anvil and log take one connection per process of every other service; login processes
# hold every connection until it has logged in.
default_client_limit = ${clientLimit + 1000}
# An imap process with ${SESSIONS_PER_IMAP_PROCESS} sessions takes ~60 MB; 256 MB (the default) leaves little room for a large FETCH.
default_vsz_limit = 1G
service imap-login {
  service_count = 0
  client_limit = ${clientLimit + 100}
  process_min_avail = 2
  process_limit = 4
}
service imap {
  service_count = 0
  client_limit = ${SESSIONS_PER_IMAP_PROCESS}
  process_limit = ${imapProcesses}
}
service pop3-login {
  service_count = 0
  process_min_avail = 1
}
`;
}

/** Logged-in sessions among the processes of a Dovecot process group, from their titles (`dovecot/imap [user ip COMMAND]`). */
async function sessionsOf(pgid: number): Promise<DovecotSession[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch (err) {
    throw new Error(`dovecot helper: sessions() reads process titles from /proc, which is not readable here (${(err as Error).message})`);
  }
  const sessions: DovecotSession[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let statLine: string;
    let title: string;
    try {
      statLine = await readFile(`/proc/${name}/stat`, 'utf8');
      title = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {
      continue; // exited meanwhile
    }
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
    // Between clients a process shows only `dovecot/imap`; a logged-in one `[user ip]` and, while a command runs, the command.
    const match = /^dovecot\/(imap|pop3) \[(\S+) (\S+)(?: (.*))?\]$/.exec(title.trim());
    if (match) sessions.push({ protocol: match[1] as 'imap' | 'pop3', pid: Number(name), user: match[2]!, ip: match[3]!, command: match[4] ?? '' });
  }
  return sessions;
}

/** Sum of the `[N pre-login]` counts in the titles of a Dovecot process group's imap-login processes. */
async function preLoginOf(pgid: number): Promise<number> {
  let total = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const statLine = await readFile(`/proc/${name}/stat`, 'utf8');
      const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const title = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      // `[3 pre-login]`, or for a single client its address: `[127.0.0.1 pre-login]`.
      const match = /^dovecot\/imap-login \[(\S+) pre-login/.exec(title.trim());
      if (match) total += /^\d+$/.test(match[1]!) ? Number(match[1]) : 1;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Connects, waits for a first line matching `pattern` (skipping Dovecot's "Waiting for authentication" line), closes. */
function readGreeting(port: number, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: HOST, port });
    let buffer = '';
    const timer = setTimeout(() => finish(new Error(`no greeting on port ${port} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err: Error | null, line?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let index: number;
      while ((index = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, index).replace(/\r$/, '');
        buffer = buffer.slice(index + 1);
        if (/Waiting for authentication/i.test(line)) continue;
        if (pattern.test(line)) finish(null, line);
        else finish(new Error(`unexpected greeting on port ${port}: ${line}`));
        return;
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`port ${port} closed the connection before greeting`)));
  });
}
