import type { AccountRow, schema } from '@correio/core';
import { classifyStatus, INTERMITTENT_WINDOW_MS, type ConnectionState, type DirectionMemory } from './status-model.ts';

export type Direction = (typeof schema.directionEnum.enumValues)[number];

/** The account columns that decide whether a direction is switched off. */
export interface AccountSwitches {
  kind: AccountRow['kind'];
  active: boolean;
  incomingEnabled: boolean;
  incomingProtocol: string | null;
  outgoingHost: string | null;
}

export interface StatusRowLike extends DirectionMemory {
  checkedAt: Date | null;
  since: Date | null;
  message: string | null;
  lastErrorCode: string | null;
  lastErrorHint: string | null;
}

export interface DirectionStatus {
  state: ConnectionState;
  checkedAt: Date | null;
  since: Date | null;
  message: string | null;
  code: string | null;
  hint: string | null;
}

export function isDirectionDisabled(account: AccountSwitches, direction: Direction): boolean {
  if (!account.active) return true;
  if (direction === 'INCOMING') return !account.incomingEnabled || (account.kind === 'EXTERNAL' && !account.incomingProtocol);
  // Built-in accounts always have an outgoing side: the relay, configured or (an error) not.
  return account.kind === 'EXTERNAL' && !account.outgoingHost;
}

/** What the API shows for one direction, computed at read time so time-based changes are never stale. */
export function directionStatus(account: AccountSwitches, direction: Direction, row: StatusRowLike | undefined, now: Date, windowMs = INTERMITTENT_WINDOW_MS): DirectionStatus {
  const disabled = isDirectionDisabled(account, direction);
  if (!row) return { state: disabled ? 'DISABLED' : 'UNKNOWN', checkedAt: null, since: null, message: null, code: null, hint: null };
  const state = classifyStatus(row, now, { disabled, windowMs });
  const troubled = state === 'ERROR' || state === 'INTERMITTENT';
  return {
    state,
    checkedAt: row.checkedAt,
    since: row.since,
    message: disabled ? disabledMessage(account, direction) : troubled || state === 'CHECKING' ? row.message : row.failingSince ? row.message : null,
    code: troubled ? row.lastErrorCode : null,
    hint: troubled ? row.lastErrorHint : null,
  };
}

function disabledMessage(account: AccountSwitches, direction: Direction): string {
  if (!account.active) return 'The account is inactive.';
  if (direction === 'INCOMING') return account.incomingEnabled ? 'Receiving is not configured.' : 'Receiving is switched off.';
  return 'Sending is not configured.';
}
