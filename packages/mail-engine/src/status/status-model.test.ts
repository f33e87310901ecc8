import { describe, expect, it } from 'vitest';
import { afterError, afterSuccess, classifyStatus, EMPTY_MEMORY, stateSince, type DirectionMemory } from './status-model.ts';

const T0 = new Date('2026-11-21T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const state = (m: DirectionMemory, minutes: number, disabled = false) => classifyStatus(m, at(minutes), { disabled });

describe('classifyStatus with a fake clock', () => {
  it('is UNKNOWN before anything happened, OK after a success, DISABLED when inactive', () => {
    expect(state(EMPTY_MEMORY, 0)).toBe('UNKNOWN');
    const ok = afterSuccess(EMPTY_MEMORY, at(0));
    expect(state(ok, 1)).toBe('OK');
    expect(state(ok, 1, true)).toBe('DISABLED');
  });

  it('keeps a transient problem INTERMITTENT for 29:59 and promotes it to ERROR at 30:00', () => {
    let m = afterSuccess(EMPTY_MEMORY, at(-5));
    m = afterError(m, at(0), true);
    expect(state(m, 0)).toBe('INTERMITTENT');
    m = afterError(m, at(10), true);
    expect(classifyStatus(m, new Date(at(30).getTime() - 1000), { disabled: false })).toBe('INTERMITTENT');
    expect(state(m, 30)).toBe('ERROR');
    expect(state(m, 90)).toBe('ERROR');
  });

  it('makes a non-transient error ERROR at once, and a later success OK at once', () => {
    let m = afterSuccess(EMPTY_MEMORY, at(0));
    m = afterError(m, at(1), false);
    expect(state(m, 1)).toBe('ERROR');
    m = afterSuccess(m, at(2));
    expect(state(m, 2)).toBe('OK');
  });

  it('treats a streak as ERROR once it contained a non-transient error, even if the latest is transient', () => {
    let m = afterError(EMPTY_MEMORY, at(0), false);
    m = afterError(m, at(1), true);
    expect(state(m, 2)).toBe('ERROR');
  });

  it('shows a recovered transient episode as INTERMITTENT for 30 minutes after recovery, then OK', () => {
    let m = afterSuccess(EMPTY_MEMORY, at(0));
    m = afterError(m, at(1), true);
    m = afterSuccess(m, at(3));
    expect(state(m, 3)).toBe('INTERMITTENT');
    expect(classifyStatus(m, new Date(at(33).getTime() - 1), { disabled: false })).toBe('INTERMITTENT');
    expect(state(m, 33)).toBe('OK');
  });

  it('shows CHECKING while a check runs, and forgets a check that never reported back', () => {
    const m: DirectionMemory = { ...afterSuccess(EMPTY_MEMORY, at(0)), checkingSince: at(1) };
    expect(state(m, 1)).toBe('CHECKING');
    expect(state(m, 4)).toBe('OK');
    expect(state(afterError(m, at(1.5), false), 1.5)).toBe('ERROR');
  });

  it('honours a shorter window', () => {
    const m = afterError(EMPTY_MEMORY, at(0), true);
    expect(classifyStatus(m, at(2), { disabled: false, windowMs: 60_000 })).toBe('ERROR');
  });
});

describe('stateSince', () => {
  it('dates time-based changes exactly, though nothing was written at that moment', () => {
    const failing = afterError(afterSuccess(EMPTY_MEMORY, at(-5)), at(0), true);
    expect(stateSince(failing, 'INTERMITTENT', at(10), { state: 'INTERMITTENT', since: at(0) })).toEqual(at(0));
    expect(stateSince(failing, 'ERROR', at(45), { state: 'ERROR', since: at(0) })).toEqual(at(30));
    const recovered = afterSuccess(failing, at(50));
    expect(stateSince(recovered, 'INTERMITTENT', at(50), { state: 'ERROR', since: at(30) })).toEqual(at(50));
    expect(stateSince(recovered, 'OK', at(95), { state: 'INTERMITTENT', since: at(50) })).toEqual(at(80));
  });

  it('otherwise keeps the start of an unchanged state and starts a changed one now', () => {
    const ok = afterSuccess(EMPTY_MEMORY, at(0));
    expect(stateSince(ok, 'OK', at(60), { state: 'OK', since: at(0) })).toEqual(at(0));
    expect(stateSince(ok, 'OK', at(60), { state: 'UNKNOWN', since: null })).toEqual(at(60));
    const broken = afterError(ok, at(61), false);
    expect(stateSince(broken, 'ERROR', at(61), { state: 'OK', since: at(0) })).toEqual(at(61));
    expect(stateSince(broken, 'ERROR', at(70), { state: 'ERROR', since: at(61) })).toEqual(at(61));
  });
});
