import { describe, expect, it } from 'vitest';
import { IndexSet } from './indexes.js';

describe('completed indexes', () => {
  it('writes runs of three or more as ranges, and reads them back within the completions', () => {
    expect(IndexSet.of([5, 1, 3, 4, 8, 9]).format()).toBe('1,3-5,8,9');
    expect(IndexSet.of([]).format()).toBe('');
    const read = IndexSet.parse('1,3-5,8,9', 9);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => read.has(i))).toEqual([1, 3, 4, 5, 8]);
    expect(read.size).toBe(5);
    expect(IndexSet.parse('x,2,,7-6', 10).format()).toBe('2');
  });

  it('merges what it is given into runs, in any order', () => {
    const s = IndexSet.of([7, 1, 3, 2, 9, 8, 5, 3]);
    expect(s.format()).toBe('1-3,5,7-9');
    expect(s.size).toBe(7);
    s.add(4);
    s.add(6);
    expect(s.format()).toBe('1-9');
    expect(s.size).toBe(9);
  });

  // A success policy or a status may name two billion indexes: that must not be two billion of anything.
  it('holds huge ranges as runs: counts, overlaps and the first missing indexes', () => {
    const done = IndexSet.parse('0-1999999999', 2_000_000_000);
    expect(done.size).toBe(2_000_000_000);
    expect(done.has(1_999_999_999)).toBe(true);
    expect(done.has(2_000_000_000)).toBe(false);
    const wanted = IndexSet.parse('5,1000000000-1000000009,2100000000', 2_147_483_647);
    expect(wanted.countCommon(done)).toBe(11);
    const failed = IndexSet.parse('0-9', 100);
    expect(IndexSet.firstMissing(2_147_483_647, [done, failed], 3)).toEqual([2_000_000_000, 2_000_000_001, 2_000_000_002]);
    expect(IndexSet.firstMissing(20, [IndexSet.of([0, 2]), IndexSet.of([1, 4])], 3)).toEqual([3, 5, 6]);
    expect(IndexSet.firstMissing(3, [IndexSet.of([0, 1, 2])], 3)).toEqual([]);
  });
});
