import type { ConnectionState, Direction } from '#graphql/enums.ts';
import type { LocalizedTextValue } from '#shared/composables/useServerText.ts';

/** One step of a connection test as the form shows it (DNS, CONNECT, TLS, GREETING, AUTH, MAILBOX, SEND…). */
export interface TestPhase {
  phase: string;
  ok: boolean;
  ms?: number | null;
  detail?: string | null;
  code?: string | null;
  serverResponse?: string | null;
  transient?: boolean | null;
  hint?: string | null;
  detailText?: LocalizedTextValue | null;
  hintText?: LocalizedTextValue | null;
}

export interface TestDirection {
  direction: Direction;
  state: ConnectionState;
  message?: string | null;
  code?: string | null;
  hint?: string | null;
  messageText?: LocalizedTextValue | null;
  hintText?: LocalizedTextValue | null;
  phases: TestPhase[];
}

interface StatusLike {
  state: ConnectionState;
  message?: string | null;
  code?: string | null;
  hint?: string | null;
  messageText?: LocalizedTextValue | null;
  hintText?: LocalizedTextValue | null;
  checks?: TestPhase[] | null;
}

/** Normalizes an `AccountStatus` (with or without per-phase results) for AccountTestResult. */
export function toTestDirections(status: { incoming: StatusLike; outgoing: StatusLike }): TestDirection[] {
  const one = (direction: Direction, s: StatusLike): TestDirection => ({
    direction,
    state: s.state,
    message: s.message,
    code: s.code,
    hint: s.hint,
    messageText: s.messageText ?? null,
    hintText: s.hintText ?? null,
    phases: s.checks ?? [],
  });
  return [one('INCOMING', status.incoming), one('OUTGOING', status.outgoing)];
}

export function testPassed(directions: TestDirection[]): boolean {
  return directions.every((d) => d.state === 'OK' || d.state === 'DISABLED');
}
