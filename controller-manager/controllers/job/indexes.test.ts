import { describe, expect, it } from 'vitest';
import { formatIndexes, parseIndexes } from './indexes.js';

describe('completed indexes', () => {
  it('writes runs of three or more as ranges, and reads them back within the completions', () => {
    expect(formatIndexes([5, 1, 3, 4, 8, 9])).toBe('1,3-5,8,9');
    expect(formatIndexes([])).toBe('');
    expect([...parseIndexes('1,3-5,8,9', 9)].sort()).toEqual([1, 3, 4, 5, 8]);
    expect([...parseIndexes('x,2,,7-6', 10)]).toEqual([2]);
  });
});
