import { describe, expect, it } from 'vitest';
import { uidSet } from './uid-ranges.ts';

describe('uidSet', () => {
  it('compresses consecutive runs and keeps gaps', () => {
    expect(uidSet([5, 1, 2, 3, 7, 8, 10])).toBe('1:3,5,7:8,10');
    expect(uidSet([42])).toBe('42');
    expect(uidSet(Array.from({ length: 1000 }, (_, i) => i + 1))).toBe('1:1000');
  });
});
