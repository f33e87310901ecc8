import type { AccountRow, schema } from '@correio/core';
import { renderText, text, type ServerText } from '@correio/texts';
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
  /** `message` and the hint as text codes (issue 14); null in rows written before texts had codes. */
  messageText: ServerText | null;
  lastErrorCode: string | null;
  lastErrorHint: string | null;
  lastErrorHintText: ServerText | null;
}

export interface DirectionStatus {
  state: ConnectionState;
  checkedAt: Date | null;
  since: Date | null;
  /** English, for logs and rows without a text; `messageText` is what a reader sees in their language. */
  message: string | null;
  messageText: ServerText | null;
  code: string | null;
  hint: string | null;
  hintText: ServerText | null;
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
  if (!row) return { state: disabled ? 'DISABLED' : 'UNKNOWN', checkedAt: null, since: null, message: null, messageText: null, code: null, hint: null, hintText: null };
  const state = classifyStatus(row, now, { disabled, windowMs });
  const troubled = state === 'ERROR' || state === 'INTERMITTENT';
  const explained = disabled ? disabledMessage(account, direction) : troubled || state === 'CHECKING' || row.failingSince ? { message: row.message, messageText: row.messageText } : { message: null, messageText: null };
  return {
    state,
    checkedAt: row.checkedAt,
    since: row.since,
    ...explained,
    code: troubled ? row.lastErrorCode : null,
    hint: troubled ? row.lastErrorHint : null,
    hintText: troubled ? row.lastErrorHintText : null,
  };
}

function disabledMessage(account: AccountSwitches, direction: Direction): { message: string; messageText: ServerText } {
  const why = !account.active
    ? text('status.inactive')
    : direction === 'OUTGOING'
      ? text('status.sendingNotConfigured')
      : account.incomingEnabled
        ? text('status.receivingNotConfigured')
        : text('status.receivingOff');
  return { message: renderText(why, 'en'), messageText: why };
}
