/**
 * Errors that mean "the database is unreachable right now", as opposed to "this message cannot
 * be stored". The first kind must not turn a good message into a failed import: the mailbox
 * stops, backs off and fetches the same messages again once the database is back.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      // 08xxx connection exceptions, 57P0x operator intervention (pg_terminate_backend, shutdown), 53300 too many connections.
      if (/^08|^57P0|^53300$/.test(code)) return true;
      if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return true;
    }
    if (typeof message === 'string' && /Connection terminated|connection (is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|PGlite is closed/i.test(message)) return true;
  }
  return false;
}
