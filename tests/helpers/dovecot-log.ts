/**
 * The most IMAP sessions each user had open at the same moment, read from Dovecot's own log
 * (logins and disconnects in log order): above 1 means two engines, or two workers of one,
 * synced the same mailbox at once.
 */
export function maxConcurrentSessions(lines: string[]): Map<string, number> {
  const open = new Map<string, Set<string>>();
  const peak = new Map<string, number>();
  for (const line of lines) {
    const login = /imap-login: Info: Login: user=<([^>]+)>.*session=<([^>]+)>/.exec(line);
    if (login) {
      const set = open.get(login[1]!) ?? new Set();
      set.add(login[2]!);
      open.set(login[1]!, set);
      peak.set(login[1]!, Math.max(peak.get(login[1]!) ?? 0, set.size));
    }
    const gone = /imap\(([^)]+)\)<\d+><([^>]+)>: Info: Disconnected/.exec(line);
    if (gone) open.get(gone[1]!)?.delete(gone[2]!);
  }
  return peak;
}
