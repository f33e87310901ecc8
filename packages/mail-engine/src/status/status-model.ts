import type { schema } from '@correio/core';
/**
 * A10's status model as one pure function over a direction's failure memory and the clock.
 *
 * - currently failing with a non-transient error (auth, TLS, unknown host, missing folder) → ERROR
 * - currently failing with transient errors only: INTERMITTENT for the first 30 minutes, ERROR after
 * - working again after a transient episode: INTERMITTENT until 30 minutes after the recovery
 *   (the mailbox was flaky just now), then OK; after a non-transient one, OK at once (it was fixed)
 * - never succeeded nor failed → UNKNOWN; inactive → DISABLED; a check running → CHECKING
 */

export type ConnectionState = (typeof schema.connectionStateEnum.enumValues)[number];

export interface DirectionMemory {
  lastSuccessAt: Date | null;
  /** Start of the current failure streak; null when the last event was a success. */
  failingSince: Date | null;
  /** Whether every error of the current streak was transient. */
  streakTransient: boolean;
  lastErrorTransient: boolean | null;
  /** When the last failure streak ended with a success. */
  recoveredAt: Date | null;
  /** Whether the last ended streak was transient-only. */
  lastStreakTransient: boolean | null;
  checkingSince: Date | null;
}

export const INTERMITTENT_WINDOW_MS = 30 * 60_000;
// A check that never reported back (process died mid-check) stops counting as "checking".
const CHECK_EXPIRY_MS = 2 * 60_000;

export function classifyStatus(memory: DirectionMemory, now: Date, options: { disabled: boolean; windowMs?: number }): ConnectionState {
  const windowMs = options.windowMs ?? INTERMITTENT_WINDOW_MS;
  if (options.disabled) return 'DISABLED';
  if (memory.checkingSince && now.getTime() - memory.checkingSince.getTime() < CHECK_EXPIRY_MS) return 'CHECKING';
  if (memory.failingSince) {
    if (memory.lastErrorTransient === false || !memory.streakTransient) return 'ERROR';
    return now.getTime() - memory.failingSince.getTime() >= windowMs ? 'ERROR' : 'INTERMITTENT';
  }
  if (!memory.lastSuccessAt) return 'UNKNOWN';
  if (memory.recoveredAt && memory.lastStreakTransient && now.getTime() - memory.recoveredAt.getTime() < windowMs) return 'INTERMITTENT';
  return 'OK';
}

/**
 * When the current state began. Time-based changes are dated exactly (a transient streak became
 * ERROR at its start + window, a recovery became OK at its end + window) even though nothing was
 * written at that moment; other states began when the state last changed (`previous`).
 */
export function stateSince(
  memory: DirectionMemory,
  state: ConnectionState,
  at: Date,
  previous: { state: ConnectionState; since: Date | null } | null,
  windowMs = INTERMITTENT_WINDOW_MS,
): Date {
  if (state === 'ERROR' && memory.failingSince && memory.streakTransient && memory.lastErrorTransient !== false) return new Date(memory.failingSince.getTime() + windowMs);
  if (state === 'INTERMITTENT' && memory.failingSince) return memory.failingSince;
  if (state === 'OK' && memory.recoveredAt && memory.lastStreakTransient) return new Date(memory.recoveredAt.getTime() + windowMs);
  return previous?.since && previous.state === state ? previous.since : at;
}

/** The memory after an error at `at`. */
export function afterError(memory: DirectionMemory, at: Date, transient: boolean): DirectionMemory {
  const starting = memory.failingSince === null;
  return {
    ...memory,
    failingSince: starting ? at : memory.failingSince,
    streakTransient: starting ? transient : memory.streakTransient && transient,
    lastErrorTransient: transient,
    checkingSince: null,
  };
}

/** The memory after a success at `at`. */
export function afterSuccess(memory: DirectionMemory, at: Date): DirectionMemory {
  if (memory.failingSince === null) return { ...memory, lastSuccessAt: at, checkingSince: null };
  return {
    ...memory,
    lastSuccessAt: at,
    failingSince: null,
    recoveredAt: at,
    lastStreakTransient: memory.streakTransient,
    streakTransient: true,
    checkingSince: null,
  };
}

export const EMPTY_MEMORY: DirectionMemory = {
  lastSuccessAt: null,
  failingSince: null,
  streakTransient: true,
  lastErrorTransient: null,
  recoveredAt: null,
  lastStreakTransient: null,
  checkingSince: null,
};
